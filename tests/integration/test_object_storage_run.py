"""A run whose output_dir is object storage: the quickstart writes, is killed mid-solve,
replays its answered requests and resumes on an S3 server; `synth eval` and `synth train`
keep their run directories there too.

The server is moto's, a real HTTP S3 endpoint on localhost; Ray Data workers (pyarrow's S3
filesystem) and the driver's bookkeeping (s3fs) both reach it through AWS_ENDPOINT_URL, as they
would reach AWS, GCS's S3 API or MinIO.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.dataset as pads
import pytest
import yaml

from synth.run.storage import run_path
from synth.viewer.row_details import row_details
from synth.viewer.run_tables import FINAL, RowFilter, RunTables
from tests.llama_server import free_port

REPO = Path(__file__).resolve().parents[2]
BUCKET = "synth-runs"
TINY = ["generate.num_questions=4", "generate.sampling.max_tokens=48", "solve.num_samples=2",
        "solve.sampling.max_tokens=160", "solve.sampling.temperature=0",  # samples agree

        "models.generator.threads=1", "models.solver.threads=1"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def s3_env():
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    env.update(AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}", AWS_ACCESS_KEY_ID="test",
               AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1",
               AWS_EC2_METADATA_DISABLED="true")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "moto server did not start"
                time.sleep(0.2)
        os.environ.update({k: env[k] for k in env if k.startswith("AWS_")})
        s3 = s3_filesystem()
        s3.mkdir(BUCKET)
        yield env
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        for key in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                    "AWS_DEFAULT_REGION", "AWS_EC2_METADATA_DISABLED"):
            os.environ.pop(key, None)


def s3_filesystem():
    import s3fs

    return s3fs.S3FileSystem(skip_instance_cache=True)


COMMAND = [sys.executable, "-m", "synth.cli", "run", "pipelines/quickstart.yaml", *TINY,
           f"run.output_dir=s3://{BUCKET}/runs", "run.name=on_s3", "models.solver.batch_size=1"]
ROOT = f"{BUCKET}/runs/on_s3"


def synth_run(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(COMMAND, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)


def killed_once_the_solver_answered(env: dict[str, str]) -> int:
    """Run, SIGKILL the process group once the solver's first answers are on S3; returns how
    many requests were stored then."""
    s3 = s3_filesystem()
    process = subprocess.Popen(COMMAND, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 600
    try:
        while process.poll() is None and time.monotonic() < deadline:
            s3.invalidate_cache()
            stored = s3.glob(f"{ROOT}/requests/solver/part-*.parquet")
            if stored:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                return len(stored)
            time.sleep(0.2)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    raise AssertionError("the run ended before the solver stored an answer")


def test_quickstart_writes_and_resumes_on_object_storage(s3_env: dict[str, str]) -> None:
    stored_at_kill = killed_once_the_solver_answered(s3_env)
    first = synth_run(s3_env)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-3000:]
    s3 = s3_filesystem()
    root = ROOT
    summary = json.loads(s3.cat(f"{root}/summary.json"))
    assert summary["run_dir"] == f"s3://{root}"
    solve = next(r for r in summary["stages"] if r["stage"] == "solve")
    assert solve["requests_replayed"] >= stored_at_kill  # one request a batch: one file each
    assert solve["requests_sent"] == solve["requests_total"] - solve["requests_replayed"]

    keys = s3.find(root)
    assert not [k for k in keys if ".partial" in k]
    for record in summary["stages"][:-1]:
        assert any(k.endswith(f"_{record['stage']}.json") for k in keys), record["stage"]
    final_files = [k for k in keys if k.startswith(f"{root}/final/data/") and k.endswith(".parquet")]
    from pyarrow.fs import FSSpecHandler, PyFileSystem
    final = pads.dataset(final_files, format="parquet",
                         filesystem=PyFileSystem(FSSpecHandler(s3))).to_table()
    assert final.num_rows == summary["final_rows"] > 0
    assert "messages" in final.column_names
    assert f"{root}/report/funnel.png" in keys and f"{root}/final/README.md" in keys

    again = synth_run(s3_env)
    assert again.returncode == 0, again.stderr[-3000:]
    assert again.stdout.count("already complete, skipped") == len(summary["stages"])

    # `synth view` reads the run in place: the same queries as on a local run directory.
    tables = RunTables(run_path(f"s3://{root}"))
    page = tables.page(FINAL, RowFilter(), "id", False, 0, 50)
    assert page["total"] == final.num_rows
    assert [r["id"] for r in page["rows"]] == sorted(final.column("id").to_pylist())
    assert len(row_details(tables, FINAL, page["rows"][0]["id"])["samples"]) == 2


def test_a_bucket_that_cannot_be_written_is_refused_by_the_dry_run(s3_env: dict[str, str]) -> None:
    dry_run = subprocess.run([sys.executable, "-m", "synth.cli", "run", "pipelines/quickstart.yaml",
                              "--dry-run", "run.output_dir=s3://no-such-bucket/runs"],
                             cwd=REPO, env=s3_env, capture_output=True, text=True, timeout=300)
    err = dry_run.stderr.strip()
    assert dry_run.returncode == 2, err
    assert err.splitlines() == [err] and "Traceback" not in err
    assert err.startswith("synth: config error: run.output_dir: cannot write "
                          "s3://no-such-bucket/runs/quickstart ("), err
    assert "bucket" in err.lower(), err


def no_local_uri_folder() -> None:
    """An s3:// location read as a local path would leave a folder named `s3:` behind."""
    assert not (REPO / "s3:").exists()


def test_eval_writes_its_run_to_object_storage(s3_env: dict[str, str], tmp_path: Path) -> None:
    config = yaml.safe_load((REPO / "pipelines" / "eval_cpu.yaml").read_text())
    for benchmark in config["benchmarks"]:
        benchmark["limit"] = 2
    path = tmp_path / "eval_on_s3.yaml"
    path.write_text(yaml.safe_dump(config))
    result = subprocess.run([sys.executable, "-m", "synth.cli", "eval", str(path),
                             f"run.output_dir=s3://{BUCKET}/evals", "run.name=on_s3",
                             "sampling.max_tokens=32", "models.model.threads=1"],
                            cwd=REPO, env=s3_env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    s3 = s3_filesystem()
    root = f"{BUCKET}/evals/on_s3"
    metrics = json.loads(s3.cat(f"{root}/eval/metrics.json"))
    assert metrics["micro"]["items"] == 4
    assert s3.glob(f"{root}/eval/items/*.parquet") and s3.exists(f"{root}/config.yaml")
    assert s3.exists(f"{root}/eval/metrics.md")
    no_local_uri_folder()


def test_training_keeps_its_run_on_object_storage(s3_env: dict[str, str], tmp_path: Path) -> None:
    checkpoint = tmp_path / "qft"
    result = subprocess.run([sys.executable, "-m", "synth.cli", "train", "qft",
                             "pipelines/qft_cpu.yaml", f"run.output_dir=s3://{BUCKET}/train",
                             f"output_dir={checkpoint}", "questions.limit=8", "train.max_steps=1",
                             "train.max_length=64", "train.per_device_batch_size=2"],
                            cwd=REPO, env=s3_env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (checkpoint / "config.json").is_file()  # the checkpoint the engines load: local
    s3 = s3_filesystem()
    assert s3.find(f"{BUCKET}/train/qft_cpu/ray_train")  # Ray Train's run storage
    no_local_uri_folder()
