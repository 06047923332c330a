"""A real two-node Ray cluster on this machine, with token authentication, for cluster tests.

`ray start --head` and `ray start --address` run in their own temp dir, ports and process
groups, so a test's cluster never captures another test's `ray.init()` and is torn down by
killing exactly its own processes (never `ray stop`, which would end every Ray on the host).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

RAY = str(Path(sys.executable).with_name("ray"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class TwoNodeCluster:
    temp_dir: Path
    token_file: Path
    gcs_port: int
    dashboard_port: int
    process_groups: list[int] = field(default_factory=list)

    @property
    def dashboard(self) -> str:
        return f"http://127.0.0.1:{self.dashboard_port}"

    def client_env(self, with_token: bool = True) -> dict[str, str]:
        """The environment of a `synth` client process: token auth on, token from its file."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("RAY_AUTH", "RAY_ADDRESS", "RAY_API_SERVER"))}
        if with_token:
            env.update(RAY_AUTH_MODE="token", RAY_AUTH_TOKEN_PATH=str(self.token_file))
        return env

    def start(self, cpus_per_node: int) -> None:
        env = self.client_env()
        common = ["--num-cpus", str(cpus_per_node), "--disable-usage-stats"]
        self._ray_start(["--head", f"--temp-dir={self.temp_dir}", f"--port={self.gcs_port}",
                         "--include-dashboard=true", f"--dashboard-port={self.dashboard_port}",
                         "--dashboard-host=127.0.0.1", *common], env)
        self._ray_start([f"--address=127.0.0.1:{self.gcs_port}", *common], env)

    def _ray_start(self, args: list[str], env: dict[str, str]) -> None:
        process = subprocess.Popen([RAY, "start", *args], env=env, start_new_session=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.process_groups.append(process.pid)
        output, _ = process.communicate(timeout=120)
        if process.returncode != 0:
            raise RuntimeError(f"ray start {' '.join(args)} failed:\n{output}")

    def alive_nodes(self) -> int:
        out = subprocess.run([RAY, "status", f"--address=127.0.0.1:{self.gcs_port}"],
                             env=self.client_env(), capture_output=True, text=True, timeout=60)
        return out.stdout.count(" node_")

    def stop(self) -> None:
        for group in self.process_groups:
            try:
                os.killpg(group, signal.SIGKILL)
            except ProcessLookupError:
                pass


def start_two_node_cluster(cpus_per_node: int = 2) -> TwoNodeCluster:
    """Start head + worker; waits until both nodes are alive."""
    temp_dir = Path(tempfile.mkdtemp(prefix="synth-ray-", dir="/tmp"))  # short: socket paths
    token_file = temp_dir / "auth_token"
    token_file.write_text(secrets.token_hex(32))
    cluster = TwoNodeCluster(temp_dir, token_file, free_port(), free_port())
    try:
        cluster.start(cpus_per_node)
        deadline = time.monotonic() + 60
        while cluster.alive_nodes() < 2:
            if time.monotonic() > deadline:
                raise RuntimeError("the worker node did not join the head within 60 s")
            time.sleep(2)
    except BaseException:
        cluster.stop()
        raise
    return cluster
