"""ScaleQuest on CPU end to end: the QFT+QPO generator and the difficulty scorer trained in this
session (tests/trained_models.py) are served by `synth run pipelines/scalequest_cpu.yaml`, with
SmolLM2 as solvability judge, solver and reward judge, through the CLI on a real Ray cluster.

What is checked is the recipe's bookkeeping, not what a 135M model writes: every stage of the
paper runs in order, each stage reads exactly what the one before kept, and summary.json shows
each filter's effect in the paper's terms (share of generated questions or responses removed).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.dataset as pads
import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
STAGES = ["generate_questions", "language_filter", "dedup", "decontaminate",
          "solvability_filter", "difficulty_filter", "solve", "reward_scoring", "best_of_n",
          "final_pairs"]
NUM_QUESTIONS = 8


def run_scalequest(qpo_run, difficulty_training, output: Path) -> None:
    """`synth run pipelines/scalequest_cpu.yaml` with this session's trained models."""
    _, difficulty = difficulty_training
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    result = subprocess.run(
        [sys.executable, "-m", "synth.cli", "run", "pipelines/scalequest_cpu.yaml",
         f"models.generator.model={qpo_run.outcome.checkpoint_dir}",
         f"models.difficulty_scorer.model={difficulty.checkpoint_dir}",
         f"generate.num_questions={NUM_QUESTIONS}", "solve.num_samples=2",
         "solve.sampling.max_tokens=160", f"run.output_dir={output}", "run.name=sq"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="module")
def scalequest_run(qpo_run, difficulty_training, tmp_path_factory):
    output = tmp_path_factory.mktemp("scalequest")
    run_scalequest(qpo_run, difficulty_training, output)
    return output / "sq", json.loads((output / "sq" / "summary.json").read_text())


def test_every_scalequest_stage_runs_on_what_the_previous_kept(scalequest_run):
    run_dir, summary = scalequest_run
    records = summary["stages"]
    names = [r["stage"] for r in records]
    if summary["stopped_early"]:  # a stage kept nothing (a 135M model's answers may all lose)
        assert names == STAGES[:len(names)] and records[-1]["rows_out"] == 0
        assert summary["stopped_early"].startswith(f"no rows left after {names[-1]}: ")
    else:
        assert names == STAGES
    assert records[0]["rows_written"] == NUM_QUESTIONS
    for before, after in zip(records, records[1:]):
        assert after["rows_in"] == before["rows_out"], after["stage"]
    by_stage = {r["stage"]: r for r in records}
    assert "solve" in by_stage and by_stage["solve"]["rows_in"] > 0, \
        "no question got through the filters: the later stages had nothing to run on"
    solve = by_stage["solve"]
    assert solve["rows_written"] == 2 * solve["rows_in"]  # two sampled solutions per question
    if "reward_scoring" in by_stage:
        assert by_stage["reward_scoring"]["rows_in"] == solve["rows_out"]
    final = pads.dataset(str(run_dir / "final" / "data"), format="parquet").to_table()
    assert final.num_rows == summary["final_rows"] == records[-1]["rows_out"]


def test_summary_shows_each_filter_in_the_papers_terms(scalequest_run):
    _, summary = scalequest_run
    funnel = summary["paper_filter_funnel"]
    by_stage = {r["stage"]: r for r in summary["stages"]}
    assert funnel["generated_questions"] == NUM_QUESTIONS
    for label, stage in (("language", "language_filter"), ("solvability", "solvability_filter"),
                         ("difficulty", "difficulty_filter")):
        removed = by_stage[stage]["rows_in"] - by_stage[stage]["rows_out"]
        assert funnel[label] == {"removed": removed,
                                 "share_of_generated": round(removed / NUM_QUESTIONS, 4)}
    best = by_stage["best_of_n"]
    if best["rows_written"]:
        assert funnel["reward"]["removed"] == best["rows_written"] - best["rows_out"]
    # Each drop names its filter's own reason.
    assert set(by_stage["solvability_filter"]["dropped"]) <= {
        "unsolvable", "solvability_unparseable", "engine_error"}
    assert set(by_stage["difficulty_filter"]["dropped"]) <= {"too_easy", "resampled_out"}
    assert set(summary["tokens_by_role"]) >= {"generator", "solver"}
    # Scorers are model roles too: their work is booked to them, not to "(no model)".
    assert by_stage["difficulty_filter"]["model_role"] == "difficulty_scorer"
    assert by_stage["reward_scoring"]["model_role"] == "reward"
    if by_stage["reward_scoring"]["rows_in"]:
        assert summary["tokens_by_role"]["reward"]["tokens_in"] > 0


def test_a_rerun_replays_every_scorer_and_solver_request(scalequest_run, qpo_run,
                                                        difficulty_training):
    """The run killed after its filters (the later stages' outputs gone): the same command
    redoes them from the request store; no difficulty, solve or reward request is sent again,
    and the final rows are the same. Runs last: it rewrites the shared run's later stages."""
    run_dir, summary = scalequest_run
    final_before = pads.dataset(str(run_dir / "final" / "data"), format="parquet").to_table()
    assert summary["final_rows"] == final_before.num_rows
    first = STAGES.index("difficulty_filter") + 1
    for position, name in enumerate(STAGES[first - 1:], start=first):  # those that ran
        shutil.rmtree(run_dir / "stages" / f"{position:02d}_{name}", ignore_errors=True)
        (run_dir / "stages" / f"{position:02d}_{name}.json").unlink(missing_ok=True)
    shutil.rmtree(run_dir / "final")
    run_scalequest(qpo_run, difficulty_training, run_dir.parent)
    rerun = {r["stage"]: r for r in json.loads((run_dir / "summary.json").read_text())["stages"]}
    assert set(rerun) == {r["stage"] for r in summary["stages"]}  # the same stages ran again
    for stage in ("difficulty_filter", "solve", "reward_scoring"):
        if stage not in rerun:  # the first run stopped before it: nothing to replay
            continue
        record = rerun[stage]
        assert record["requests_sent"] == 0, stage
        assert record["requests_replayed"] == record["requests_total"] == record["rows_written"]
    assert rerun["difficulty_filter"]["requests_total"] == rerun["difficulty_filter"]["rows_in"] > 0
    final_after = pads.dataset(str(run_dir / "final" / "data"), format="parquet").to_table()
    assert final_rows(final_after) == final_rows(final_before)


def final_rows(table) -> list[str]:
    """The final pairs' ids and conversations, in a comparable form (none when no row was kept:
    an empty final dataset has no columns to select)."""
    if table.num_rows == 0:
        return []
    return sorted(json.dumps(row, sort_keys=True) for row in
                  table.select(["id", "messages"]).to_pylist())
