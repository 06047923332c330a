"""A run killed at any point and restarted with the same command loses nothing, duplicates
nothing, does not redo finished stages, and sends no model request that had been answered; a
killed engine replica does not fail the run; Ctrl-C stops cleanly; a run grows.

The driver runs as `synth run` in its own process group (as a user's terminal would hold it)
and is SIGKILLed (or sent SIGINT, as Ctrl-C would) at chosen points: after a progress line, or
once the solver's request store holds a share of the stage's requests. A SIGKILL takes every
process the run started with it, Ray's workers included (they run in process groups of their
own), as a lost machine would: a replica left alive would go on answering after the "kill".
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest

REPO = Path(__file__).resolve().parents[2]
SOLVER_BATCH = 2  # one replica: a kill may lose at most this many answered-but-unsaved requests
RUN = ["generate.num_questions=8", "generate.sampling.max_tokens=96", "solve.num_samples=3",
       "solve.sampling.max_tokens=64", "consensus.min_agreement=0.3", "consensus.min_votes=1",
       "models.generator.threads=1", "models.solver.threads=1", "models.generator.batch_size=2",
       f"models.solver.batch_size={SOLVER_BATCH}"]
STAGES = 7
NAME = "resumable"

pytestmark = pytest.mark.slow


class Watch:
    """What a running `synth run` has shown so far, polled by a kill condition."""

    def __init__(self, output_dir: Path, pid: int) -> None:
        self.run_dir, self.pid, self.lines = output_dir / NAME, pid, []
        self.descendants: list[psutil.Process] = []
        self.answered_at_start = self.answered("solver")
        self.answered_at_stop = 0

    def answered(self, role: str) -> int:
        """Requests of `role` the run directory holds answers for."""
        total = 0
        for path in (self.run_dir / "requests" / role).glob("part-*.parquet"):
            try:
                total += pq.ParquetFile(path).metadata.num_rows
            except OSError:  # being written
                continue
        return total


def synth_run(output_dir: Path, overrides: list[str] = RUN, stop_when: Callable[[Watch], bool] | None = None,
              stop_signal: int = signal.SIGKILL, name: str = NAME) -> tuple[int, str, Watch]:
    """`synth run` the small quickstart into `output_dir`; send `stop_signal` to its process
    group as soon as `stop_when(watch)` holds (checked on every output line and every 0.1 s).
    Returns (exit code, output, watch)."""
    command = [sys.executable, "-m", "synth.cli", "run", "pipelines/quickstart.yaml", *overrides,
               f"run.output_dir={output_dir}", f"run.name={name}"]
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    process = subprocess.Popen(command, cwd=REPO, env={**env, "PYTHONUNBUFFERED": "1"},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    watch, stopped, checking = Watch(output_dir, process.pid), threading.Event(), threading.Lock()

    def check() -> None:
        with checking:  # the line reader and the poller never run the condition at once
            if stop_when is None or stopped.is_set() or not stop_when(watch):
                return
            stopped.set()
            try:
                watch.descendants = psutil.Process(process.pid).children(recursive=True)
                watch.answered_at_stop = watch.answered("solver")
                os.killpg(process.pid, stop_signal)
            except (ProcessLookupError, psutil.Error):
                pass
            if stop_signal == signal.SIGKILL:
                _kill_all(watch.descendants)

    def poll() -> None:
        while process.poll() is None and not stopped.is_set():
            check()
            time.sleep(0.1)

    timer = threading.Timer(600, os.killpg, (process.pid, signal.SIGKILL))
    timer.start()
    threading.Thread(target=poll, daemon=True).start()
    try:
        for line in process.stdout:
            watch.lines.append(line)
            check()
        code = process.wait()
    finally:
        timer.cancel()
        if stop_signal == signal.SIGKILL or not stopped.is_set():
            _kill_group(process.pid)
    return code, "".join(watch.lines), watch


def _kill_group(group: int) -> None:
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _kill_all(processes: list[psutil.Process]) -> None:
    for process in processes:
        try:
            process.kill()
        except psutil.Error:
            pass


def after_line(*parts: str, delay: float = 0.0) -> Callable[[Watch], bool]:
    """Once a line containing every one of `parts` was printed, `delay` seconds later."""
    seen: list[float] = []

    def when(watch: Watch) -> bool:
        if not seen and watch.lines and all(part in watch.lines[-1] for part in parts):
            seen.append(time.monotonic())
        return bool(seen) and time.monotonic() - seen[0] >= delay
    return when


def solver_answered(count: int) -> Callable[[Watch], bool]:
    """Once the solver's store holds at least `count` answers, one at least answered by this
    run (so the run is stopped inside its solve stage, never before it)."""
    def when(watch: Watch) -> bool:
        answered = watch.answered("solver")
        return answered >= count and answered > watch.answered_at_start
    return when


def kill_points(total: int, shares: list[float]) -> list[int]:
    """Answered-request counts at `shares` of `total`, each leaving room for one solver batch
    per later point: with few requests and batches of two, 85% and 95% would otherwise fall in
    the same batch, or in the last one, and a run could finish its solve stage before its kill."""
    return [min(round(share * total), total - (len(shares) - position) * SOLVER_BATCH)
            for position, share in enumerate(shares)]


def final_rows(output_dir: Path, name: str = NAME) -> list[tuple]:
    data = output_dir / name / "final" / "data"
    files = sorted(str(p) for p in data.glob("*.parquet"))
    table = pads.dataset(files, format="parquet").to_table(
        columns=["id", "question", "solution", "answer"])
    return sorted(zip(*(table.column(c).to_pylist() for c in table.column_names)))


def records(output_dir: Path, name: str = NAME) -> dict[str, dict]:
    summary = json.loads((output_dir / name / "summary.json").read_text())
    return {record["stage"]: record for record in summary["stages"]}


def stored_keys(run_dir: Path, role: str) -> list[str]:
    files = sorted(str(p) for p in (run_dir / "requests" / role).glob("part-*.parquet"))
    return pads.dataset(files, format="parquet").to_table().column("_request_key").to_pylist()


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> Path:
    output_dir = tmp_path_factory.mktemp("uninterrupted")
    code, output, _ = synth_run(output_dir)
    assert code == 0, output[-3000:]
    solve = records(output_dir)["solve"]
    assert solve["requests_total"] >= 12, "too few solve requests to kill at 30/70/95%"
    return output_dir


def assert_stopped_cleanly(code: int, output: str, watch: Watch, expected_code: int) -> None:
    """Ctrl-C / SIGTERM: the exit code, one line with the resume command, no traceback, and
    no process of the run's local Ray cluster left, within 10 s."""
    assert code == expected_code, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    last = output.strip().splitlines()[-1]
    assert last.startswith(f"synth: stopped by {signal.Signals(expected_code - 128).name}; "
                           "answered model requests are kept, resume with: synth run "
                           "pipelines/quickstart.yaml "), last
    deadline = time.monotonic() + 10
    while any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in watch.descendants):
        assert time.monotonic() < deadline, "processes of the run's Ray cluster were left behind"
        time.sleep(0.2)


def test_killed_at_any_point_resumes_to_the_same_rows_without_resending(uninterrupted: Path,
                                                                       tmp_path: Path) -> None:
    expected = final_rows(uninterrupted)
    assert expected, "the uninterrupted run kept no rows: nothing to compare"
    total = records(uninterrupted)["solve"]["requests_total"]

    # Ctrl-C mid-generation: nothing was complete yet.
    code, output, watch = synth_run(tmp_path, stop_when=after_line("generate_questions: running",
                                                                    delay=4.0),
                                    stop_signal=signal.SIGINT)
    assert_stopped_cleanly(code, output, watch, 130)
    assert output.count("already complete, skipped") == 0

    kills = list(zip(kill_points(total, [0.3, 0.7, 0.85, 0.95]),
                     [signal.SIGKILL, signal.SIGKILL, signal.SIGINT, signal.SIGKILL]))
    answered_before = 0
    for position, (count, stop_signal) in enumerate(kills):
        code, output, watch = synth_run(tmp_path, stop_when=solver_answered(count),
                                        stop_signal=stop_signal)
        if stop_signal == signal.SIGKILL:
            assert code == -signal.SIGKILL, output[-3000:]
        else:
            assert_stopped_cleanly(code, output, watch, 130)
        skipped = 0 if position == 0 else 4  # generation was cut short before the first
        assert output.count("already complete, skipped") == skipped, output[-3000:]
        assert "final rows:" not in output
        assert watch.answered_at_stop >= max(count, answered_before)  # nothing answered was lost
        answered_before = watch.answered_at_stop

    code, output, _ = synth_run(tmp_path)
    assert code == 0, output[-3000:]
    assert output.count("already complete, skipped") == 4  # finished stages were not redone
    solve = records(tmp_path)["solve"]
    assert solve["requests_total"] == total
    assert solve["requests_sent"] <= total - answered_before + SOLVER_BATCH
    keys = stored_keys(tmp_path / NAME, "solver")
    assert len(keys) == len(set(keys)) == total  # no answered request was ever sent again

    assert final_rows(tmp_path) == expected  # ids, questions, solutions, answers
    for stage, record in records(tmp_path).items():
        assert record["rows_written"] == records(uninterrupted)[stage]["rows_written"], stage
    assert not list((tmp_path / NAME).rglob("*.partial"))


def test_a_grown_run_sends_only_the_new_requests(uninterrupted: Path, tmp_path: Path) -> None:
    small = [o.replace("generate.num_questions=8", "generate.num_questions=4") for o in RUN]
    code, output, _ = synth_run(tmp_path, small, name="grow")
    assert code == 0, output[-3000:]
    before = records(tmp_path, "grow")
    code, output, _ = synth_run(tmp_path, name="grow")
    assert code == 0, output[-3000:]
    assert "growing run grow: generate.num_questions: 4 -> 8" in output
    grown = records(tmp_path, "grow")
    assert (grown["generate_questions"]["requests_replayed"], grown["generate_questions"]["requests_sent"]) == (4, 4)
    assert grown["solve"]["requests_replayed"] == before["solve"]["requests_total"]
    assert grown["solve"]["requests_sent"] == (records(uninterrupted)["solve"]["requests_total"]
                                              - before["solve"]["requests_total"])
    assert final_rows(tmp_path, "grow") == final_rows(uninterrupted)


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

    def kill_solver_replica(watch: Watch) -> bool:
        if not killed and watch.lines and "solve: running" in watch.lines[-1]:
            driver_pid = watch.pid
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

    code, output, _ = synth_run(tmp_path, stop_when=kill_solver_replica)
    assert killed, "no solver replica was found to kill"
    assert code == 0, output[-3000:]
    solve = records(tmp_path)["solve"]
    assert solve["rows_written"] == 3 * solve["rows_in"]
    assert solve["errors"] == 0  # retried on the replacement replica, not written off
    assert solve["requests_sent"] == solve["requests_total"] == records(uninterrupted)["solve"]["requests_total"]
    assert final_rows(tmp_path) == final_rows(uninterrupted)


def make_unwritable(folder: Path) -> Callable[[], None]:
    """Make `folder` refuse new files, even to root, and return what undoes it: the immutable
    flag (`chattr +i`) where the filesystem has one, else a plain file in the folder's place."""
    chattr = shutil.which("chattr")
    if chattr and subprocess.run([chattr, "+i", str(folder)], capture_output=True).returncode == 0:
        return lambda: subprocess.run([chattr, "-i", str(folder)], check=True)
    shutil.rmtree(folder)
    folder.write_text("")
    return folder.unlink


def test_a_write_that_fails_mid_solve_is_one_line_and_the_same_command_resumes(uninterrupted: Path,
                                                                               tmp_path: Path) -> None:
    """The solve stage's output folder stops taking files once the solver has answered a few
    requests: the run ends with one line naming the path and the cause, exit 1; with the cause
    gone, the same command finishes with the same rows, answered requests replayed, the four
    finished stages skipped."""
    undo: list[Callable[[], None]] = []
    blocked: list[Path] = []

    def block_solve_output(watch: Watch) -> bool:
        partial = watch.run_dir / "stages" / "05_solve.partial"
        if not undo and partial.is_dir() and watch.answered("solver") >= 2:
            undo.append(make_unwritable(partial))
            blocked.append(partial)
        return False  # the run goes on, and fails on its own

    try:
        code, output, _ = synth_run(tmp_path, stop_when=block_solve_output)
    finally:
        for step in undo:
            step()
    assert blocked, "the solve stage's output folder never appeared"
    assert code == 1, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    last = output.strip().splitlines()[-1]
    assert last.startswith("synth: ") and str(blocked[0]) in last, last
    assert any(cause in last for cause in ("Operation not permitted", "Not a directory", "exists"))
    assert last.endswith("completed stages and answered requests are kept; the same command resumes")
    answered = Watch(tmp_path, 0).answered("solver")
    assert answered >= 2

    code, output, _ = synth_run(tmp_path)
    assert code == 0, output[-3000:]
    assert output.count("already complete, skipped") == 4
    assert records(tmp_path)["solve"]["requests_replayed"] >= answered
    assert final_rows(tmp_path) == final_rows(uninterrupted)
