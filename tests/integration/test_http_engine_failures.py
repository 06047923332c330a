"""The HTTP engine against a real OpenAI-style server on loopback that misbehaves on purpose:
refused connections, 429 then 200, 503 forever, and a server that echoes the Authorization
header back. No run crashes; failures are counted error rows; a role whose every request
failed ends the run with exit 1 and one line; the API key is in no file and no log.

The server is a small stand-in (a real HTTP server, scripted answers) because a real model
server cannot be told to fail on cue; the engine, Ray cluster and pipeline are the real ones.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from synth.cli import main

KEY = "sk-test-4f1b9e0c2d"
RUN = ["pipelines/quickstart.yaml", "generate.num_questions=6", "solve.num_samples=2",
       "models.generator.engine=http", "models.solver.engine=http",
       "models.generator.model=scripted", "models.solver.model=scripted",
       "models.generator.api_key_env=SYNTH_TEST_API_KEY",
       "models.solver.api_key_env=SYNTH_TEST_API_KEY",
       "models.generator.retry_base_s=0.05", "models.solver.retry_base_s=0.05",
       "models.generator.max_retries=2", "models.solver.max_retries=2",
       "dedup.enabled=false", "decontamination.enabled=false"]  # scripted questions look alike


class ScriptedServer(ThreadingHTTPServer):
    """Answers /v1/completions with a question and /v1/chat/completions with a boxed answer,
    failing as `behaviour(path, seed, attempt)` says: None to answer, else (status, body)."""

    daemon_threads = True

    def __init__(self, behaviour) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.behaviour = behaviour
        self.attempts: Counter = Counter()
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # quiet test output
        pass

    def do_POST(self) -> None:
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        seed = payload.get("seed")
        with self.server.lock:
            self.server.attempts[(self.path, seed)] += 1
            attempt = self.server.attempts[(self.path, seed)]
        failure = self.server.behaviour(self.path, seed, attempt, dict(self.headers))
        if failure is not None:
            status, body = failure
            self._send(status, body)
            return
        if self.path.endswith("/chat/completions"):
            choice = {"message": {"role": "assistant", "content": "2 + 3 = 5, so \\boxed{5}."},
                      "finish_reason": "stop"}
        else:
            choice = {"text": f"Tom has {seed % 97} apples and buys 3 more. How many now?",
                      "finish_reason": "stop"}
        self._send(200, {"choices": [choice], "usage": {"prompt_tokens": 12, "completion_tokens": 9}})

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def server_for(monkeypatch):
    monkeypatch.setenv("SYNTH_TEST_API_KEY", KEY)
    servers = []

    def start(behaviour) -> ScriptedServer:
        server = ScriptedServer(behaviour)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()


def run(tmp_path: Path, name: str, generator_url: str, solver_url: str) -> int:
    return main(["run", *RUN, f"models.generator.url={generator_url}",
                 f"models.solver.url={solver_url}", f"run.output_dir={tmp_path}", f"run.name={name}"])


def summary(tmp_path: Path, name: str) -> dict:
    return json.loads((tmp_path / name / "summary.json").read_text())


def assert_key_nowhere(tmp_path: Path, *texts: str) -> None:
    """Not in the run directory, the console output, or any log of this Ray session."""
    import ray

    logs = Path(ray._private.worker._global_node.get_session_dir_path()) / "logs"
    for path in [*tmp_path.rglob("*"), *logs.rglob("*")]:
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    for text in texts:
        assert KEY not in text


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_429s_are_retried_and_lasting_503s_become_counted_error_rows(ray_cluster, tmp_path,
                                                                    server_for, capsys):
    def behaviour(path, seed, attempt, headers):
        if path.endswith("/chat/completions") and seed % 2:
            return 503, {"error": "overloaded"}  # these solutions never come
        return (429, {"error": "slow down"}) if attempt == 1 else None  # everything else: once

    server = server_for(behaviour)
    assert run(tmp_path, "flaky", server.url, server.url) == 0
    out = summary(tmp_path, "flaky")
    generate = out["stages"][0]
    assert generate["requests_sent"] == 6 and generate["rows_out"] == 6 and generate["errors"] == 0
    solve = next(r for r in out["stages"] if r["stage"] == "solve")
    unavailable = [key for key in server.attempts if key[0].endswith("/chat/completions") and key[1] % 2]
    assert 0 < solve["errors"] == len(unavailable) < solve["requests_sent"] == 12
    assert out["engine_errors"] == len(unavailable)
    for key, attempts in server.attempts.items():
        assert attempts == (3 if key in unavailable else 2), key  # 1 try + max_retries=2; 429 once
    errors = pq.read_table(next((tmp_path / "flaky" / "errors").glob("*solve.parquet")))
    assert errors.num_rows == len(unavailable)
    assert all("HTTP 503" in e and "after 3 attempts" in e
               for e in errors.column("engine_error").to_pylist())
    assert_key_nowhere(tmp_path, *capsys.readouterr())


def test_refused_connections_end_the_run_with_one_line(ray_cluster, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SYNTH_TEST_API_KEY", KEY)
    closed = f"http://127.0.0.1:{free_port()}/v1"
    assert run(tmp_path, "refused", closed, closed) == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("synth:")]
    assert len(lines) == 1, err
    assert "all 6 requests to model role 'generator' failed; first error: ConnectionError" in lines[0]
    assert "Traceback" not in err
    assert not (tmp_path / "refused" / "stages" / "01_generate_questions.json").exists()
    assert_key_nowhere(tmp_path, err)


def test_an_echoed_authorization_header_is_redacted(ray_cluster, tmp_path, server_for, capsys):
    def echo_headers(path, seed, attempt, headers):
        if path.endswith("/chat/completions"):
            return 401, {"error": "bad key", "you_sent": headers.get("Authorization")}
        return None

    server = server_for(echo_headers)
    code = run(tmp_path, "echo", server.url, server.url)
    out, err = capsys.readouterr()
    assert code == 1
    assert "stage solve: all 12 requests to model role 'solver' failed" in err
    assert "Bearer [redacted]" in err
    assert all(attempts == 1 for (p, _), attempts in server.attempts.items()
               if p.endswith("/chat/completions"))  # a 401 is not retried
    errors = pq.read_table(next((tmp_path / "echo" / "errors").glob("*solve.parquet")))
    assert all("[redacted]" in e for e in errors.column("engine_error").to_pylist())
    assert_key_nowhere(tmp_path, out, err)
