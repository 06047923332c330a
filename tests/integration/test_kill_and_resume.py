"""A run killed at any point and restarted with the same command loses nothing, duplicates
nothing and does not redo finished stages; a killed engine replica does not fail the run.

The driver runs as `synth run` in its own process group (as a user's terminal would hold it)
and is SIGKILLed at chosen points of its progress output; whatever Ray started for it is killed
with the group, as a lost machine would take it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pyarrow.dataset as pads
import pytest

REPO = Path(__file__).resolve().parents[2]
TINY = ["generate.num_questions=4", "generate.sampling.max_tokens=48",
        "solve.num_samples=3", "solve.sampling.max_tokens=96", "solve.sampling.temperature=0",
        "consensus.min_agreement=0.3", "models.generator.threads=1",
        "models.solver.threads=1", "models.solver.batch_size=2"]
STAGES = 7

pytestmark = pytest.mark.slow


def synth_run(output_dir: Path, kill_when: Callable[[str, int], bool] | None = None
              ) -> tuple[int, str]:
    """`synth run` the tiny quickstart into `output_dir`; SIGKILL its process group as soon as
    `kill_when(line, driver_pid)` is true for an output line. Returns (exit code, output)."""
    command = [sys.executable, "-m", "synth.cli", "run", "pipelines/quickstart.yaml", *TINY,
               f"run.output_dir={output_dir}", "run.name=resumable"]
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    process = subprocess.Popen(command, cwd=REPO, env={**env, "PYTHONUNBUFFERED": "1"},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    timer = threading.Timer(600, os.killpg, (process.pid, signal.SIGKILL))
    timer.start()
    lines = []
    try:
        for line in process.stdout:
            lines.append(line)
            if kill_when is not None and kill_when(line, process.pid):
                os.killpg(process.pid, signal.SIGKILL)
                break
        code = process.wait()
    finally:
        timer.cancel()
        _kill_group(process.pid)
    return code, "".join(lines)


def _kill_group(group: int) -> None:
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        pass


def after_line(*parts: str, delay: float = 0.0) -> Callable[[str, int], bool]:
    """Kill once a line containing every one of `parts` was printed, `delay` seconds later."""
    def kill_when(line: str, driver_pid: int) -> bool:
        if all(part in line for part in parts):
            time.sleep(delay)
            return True
        return False
    return kill_when


def final_ids(output_dir: Path) -> list[str]:
    data = output_dir / "resumable" / "final" / "data"
    files = sorted(str(p) for p in data.glob("*.parquet"))
    return sorted(pads.dataset(files, format="parquet").to_table().column("id").to_pylist())


def records(output_dir: Path) -> dict[str, dict]:
    summary = json.loads((output_dir / "resumable" / "summary.json").read_text())
    return {record["stage"]: record for record in summary["stages"]}


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> Path:
    output_dir = tmp_path_factory.mktemp("uninterrupted")
    code, output = synth_run(output_dir)
    assert code == 0, output[-3000:]
    return output_dir


def test_killed_at_several_points_resumes_to_the_same_dataset(uninterrupted: Path,
                                                              tmp_path: Path) -> None:
    expected = final_ids(uninterrupted)
    assert expected, "the uninterrupted run kept no rows: nothing to compare"
    kills = [  # (when to kill, stages the killed run found complete)
        (after_line("generate_questions: running", delay=4.0), 0),  # mid-generation
        (after_line(f"[3/{STAGES}] dedup: ", " out, "), 0),  # right after a stage completed
        # mid-solve: 3 s in, replicas load or answer; a 1-question solve can end by 6 s
        (after_line("solve: running", delay=3.0), 3),
    ]
    for kill_when, finished_before in kills:
        code, output = synth_run(tmp_path, kill_when)
        assert code == -signal.SIGKILL, output[-3000:]
        assert output.count("already complete, skipped") == finished_before, output[-3000:]
        assert "final rows:" not in output
    code, output = synth_run(tmp_path)
    assert code == 0, output[-3000:]
    assert output.count("already complete, skipped") == 4  # finished stages were not redone

    resumed = final_ids(tmp_path)
    assert len(resumed) == len(set(resumed))  # each row exactly once
    assert resumed == expected
    for stage, record in records(tmp_path).items():
        assert record["rows_written"] == records(uninterrupted)[stage]["rows_written"], stage
    assert not list((tmp_path / "resumable").rglob("*.partial"))


def _engine_replicas(driver_pid: int) -> dict[int, psutil.Process]:
    """The Ray Data actor processes (engine replicas) of the run `driver_pid` leads, by pid.

    Ray's worker processes descend from the raylet the driver started; they are told apart by
    their name (`ray::MapWorker(...LlamaCppWorker)`), not by when they started, since Ray may hand an actor a
    worker process it started earlier."""
    try:
        descendants = psutil.Process(driver_pid).children(recursive=True)
    except psutil.Error:
        return {}
    replicas = {}
    for process in descendants:
        try:
            if "LlamaCppWorker" in " ".join(process.cmdline()):
                replicas[process.pid] = process
        except psutil.Error:
            continue
    return replicas


def test_a_killed_engine_replica_is_replaced_and_every_row_answered(uninterrupted: Path,
                                                                    tmp_path: Path) -> None:
    killed: list[int] = []

    def kill_solver_replica(line: str, driver_pid: int) -> bool:
        if "solve: running" in line:
            earlier = set(_engine_replicas(driver_pid))  # replicas of finished stages, if any
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                solvers = [p for pid, p in _engine_replicas(driver_pid).items()
                           if pid not in earlier]
                if solvers:
                    time.sleep(3.0)  # loaded and answering its first batch
                    try:
                        solvers[0].kill()
                    except psutil.NoSuchProcess:  # gone meanwhile: look again
                        continue
                    killed.append(solvers[0].pid)
                    break
                time.sleep(0.2)
        return False  # the run itself goes on

    code, output = synth_run(tmp_path, kill_solver_replica)
    assert killed, "no solver replica was found to kill"
    assert code == 0, output[-3000:]
    solve = records(tmp_path)["solve"]
    assert solve["rows_written"] == 3 * solve["rows_in"]
    assert solve["errors"] == 0  # retried on the replacement replica, not written off
    assert final_ids(tmp_path) == final_ids(uninterrupted)
