"""`synth submit` / `synth jobs` against a real two-node Ray cluster with token authentication.

The client runs as a separate process, as a user's would, so its Ray auth settings are its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.two_node_cluster import TwoNodeCluster, start_two_node_cluster

REPO = Path(__file__).resolve().parents[2]
TINY_QUICKSTART = [
    "generate.num_questions=6", "generate.sampling.max_tokens=48",
    "solve.num_samples=2", "solve.sampling.max_tokens=48",
    "models.generator.threads=1", "models.solver.threads=1",
    "models.generator.replicas=[2,2]",  # one generator replica per node
    "models.generator.batch_size=1",  # 6 batches: a replica takes 2 in flight, the rest go on
]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster():
    cluster = start_two_node_cluster(cpus_per_node=2)
    yield cluster
    cluster.stop()


def synth(args: list[str], env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "synth.cli", *args], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=timeout)


def test_submit_runs_the_quickstart_on_both_nodes(cluster: TwoNodeCluster, tmp_path: Path) -> None:
    output_dir = tmp_path / "runs"
    job_id = "synth-test-both-nodes"
    done = synth(["submit", "pipelines/quickstart.yaml", *TINY_QUICKSTART,
                  f"run.output_dir={output_dir}", "run.name=on_cluster", "--address",
                  cluster.dashboard, "--working-dir", str(tmp_path), "--job-id", job_id,
                  "--follow"], cluster.client_env())
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    token = cluster.token_file.read_text().strip()
    assert token not in done.stdout + done.stderr
    assert f"job {job_id}: SUCCEEDED" in done.stdout

    summary = json.loads((output_dir / "on_cluster" / "summary.json").read_text())
    generate = next(r for r in summary["stages"] if r["stage"] == "generate_questions")
    assert len(generate["nodes"]) == 2, generate["nodes"]  # replicas answered on both nodes
    assert sum(generate["nodes"].values()) == generate["rows_written"] == 6
    final_rows = pq.read_table(output_dir / "on_cluster" / "final" / "data").num_rows
    assert final_rows == summary["final_rows"]
    submitted = tmp_path / ".synth" / "submitted" / f"{job_id}.yaml"
    assert "num_questions: 6" in submitted.read_text()  # the resolved config travelled

    status = synth(["jobs", "status", job_id, "--address", cluster.dashboard], cluster.client_env())
    assert status.returncode == 0 and "SUCCEEDED" in status.stdout
    logs = synth(["jobs", "logs", job_id, "--address", cluster.dashboard], cluster.client_env())
    assert "final rows:" in logs.stdout
    listed = synth(["jobs", "list", "--address", cluster.dashboard], cluster.client_env())
    assert job_id in listed.stdout and "on_cluster" in listed.stdout


def test_jobs_stop_ends_a_running_job(cluster: TwoNodeCluster, tmp_path: Path) -> None:
    job_id = "synth-test-stop"
    submitted = synth(["submit", "pipelines/quickstart.yaml", *TINY_QUICKSTART,
                       f"run.output_dir={tmp_path / 'runs'}", "--address", cluster.dashboard,
                       "--working-dir", str(tmp_path), "--job-id", job_id], cluster.client_env())
    assert submitted.returncode == 0, submitted.stderr
    stopped = synth(["jobs", "stop", job_id, "--address", cluster.dashboard], cluster.client_env())
    assert stopped.returncode == 0, stopped.stderr
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = synth(["jobs", "status", job_id, "--address", cluster.dashboard],
                       cluster.client_env())
        if "STOPPED" in status.stdout:
            break
        time.sleep(2)
    assert "STOPPED" in status.stdout


def test_missing_or_wrong_token_is_one_clear_error(cluster: TwoNodeCluster, tmp_path: Path) -> None:
    no_token = synth(["jobs", "list", "--address", cluster.dashboard],
                     cluster.client_env(with_token=False))
    assert no_token.returncode == 2
    assert no_token.stderr.count("\n") == 1 and "RAY_AUTH_TOKEN" in no_token.stderr
    wrong = cluster.client_env()
    wrong_file = tmp_path / "wrong_token"
    wrong_file.write_text("0" * 64)
    wrong["RAY_AUTH_TOKEN_PATH"] = str(wrong_file)
    rejected = synth(["submit", "pipelines/quickstart.yaml", "--address", cluster.dashboard,
                      "--working-dir", str(tmp_path)], wrong)
    assert rejected.returncode == 2 and "rejected the token" in rejected.stderr
    assert "0" * 64 not in rejected.stderr


def test_unreachable_address_and_missing_config_fail_before_any_work(tmp_path: Path) -> None:
    env = TwoNodeCluster(tmp_path, tmp_path / "t", 0, 0).client_env(with_token=False)
    unreachable = synth(["submit", "pipelines/quickstart.yaml", "--address",
                         "http://127.0.0.1:9", "--working-dir", str(tmp_path)], env)
    assert unreachable.returncode == 2
    assert unreachable.stderr.startswith("synth: cannot reach the Ray cluster at http://127.0.0.1:9")
    missing = synth(["submit", "pipelines/nope.yaml", "--address", "http://127.0.0.1:9"], env)
    assert missing.returncode == 2 and "config file not found" in missing.stderr
    no_address = synth(["jobs", "list"], env)
    assert no_address.returncode == 2 and "--address" in no_address.stderr
    assert not (tmp_path / ".synth").exists()  # nothing written before the cluster answered
