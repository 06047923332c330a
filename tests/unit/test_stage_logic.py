"""Stage logic with a scripted engine on a real local Ray cluster: every garbage shape is
counted with its reason, agreement is computed over equivalent answers, and a run resumes."""

from __future__ import annotations

import json

import pyarrow.dataset as pads
import pytest
from omegaconf import OmegaConf

from synth.config.scalequest import ScaleQuestPipelineConfig
from synth.engines.base import Completion
from synth.runner import run_pipeline
from synth.stages.consensus import ConsensusStage
from synth.stages.final_pairs import FINAL_COLUMNS, FinalPairsStage
from synth.stages.generate_questions import GenerateQuestionsStage
from synth.stages.language_filter import LanguageFilter
from synth.stages.solve import SolveStage
from tests.scripted_engine import ScriptedEngine

# Question i (by seed order) is one of these shapes; solutions depend on the question text.
QUESTIONS = [
    "What is one half written as a decimal number?",  # answers agree: 0.5 / \frac{1}{2}
    "How many legs do three spiders have in total?",  # answers disagree -> too_few_votes
    "Ist das eine Frage über Äpfel und Birnen?",  # non_ascii
    "Hi",  # too_short
    "garbage that never ends",  # truncated by the generator
    "engine explodes here",  # engine_error
    "What is the answer with no box at all, please?",  # no_final_answer
]


def generator_script(prompt, params):
    question = QUESTIONS[params["seed"] % len(QUESTIONS)]
    if question.startswith("garbage"):
        return Completion(question * 10, 3, 96, "length")
    if question.startswith("engine"):
        raise RuntimeError("CUDA error: an illegal memory access")
    return Completion(question, 3, 12, "stop")


def solver_script(prompt, params):
    index = params["seed"] % 2
    if "one half" in prompt:
        return Completion(["So \\boxed{0.5}.", "It is \\boxed{\\frac{1}{2}}"][index], 10, 8, "stop")
    if "spiders" in prompt:
        return Completion(["\\boxed{24}", "\\boxed{18}"][index], 10, 8, "stop")
    return Completion("I am not sure.", 10, 8, "stop")


def scripted_config(tmp_path, num_questions=60):
    cfg = OmegaConf.structured(ScaleQuestPipelineConfig)
    cfg.run.name = "scripted"
    cfg.run.output_dir = str(tmp_path)
    cfg.generate.num_questions = num_questions
    cfg.generate.template_prefix = "<|im_start|>user\n"
    cfg.solve.num_samples = 2
    cfg.consensus.min_agreement = 0.75  # a 1-1 split (agreement 0.5) is dropped
    return cfg


def scripted_stages(cfg):
    generator = ScriptedEngine("generator", generator_script)
    solver = ScriptedEngine("solver", solver_script)
    return [GenerateQuestionsStage(cfg.generate, generator, cfg.run.seed),
            LanguageFilter(cfg.language_filter),
            SolveStage(cfg.solve, solver, cfg.run.seed),
            ConsensusStage(cfg.consensus, cfg.solve.num_samples),
            FinalPairsStage("scalequest", {"run_seed": cfg.run.seed})]


@pytest.fixture(scope="module")
def scripted_run(ray_cluster, tmp_path_factory):
    cfg = scripted_config(tmp_path_factory.mktemp("runs"))
    summary = run_pipeline(cfg, scripted_stages(cfg), report=lambda line: None)
    return cfg, summary


def shapes_generated(num_questions, seed=0):
    from synth.row_ids import derived_seed
    return [QUESTIONS[derived_seed(seed, "question", i) % len(QUESTIONS)] for i in range(num_questions)]


def test_every_drop_is_counted_with_its_reason(scripted_run):
    cfg, summary = scripted_run
    shapes = shapes_generated(cfg.generate.num_questions)
    stages = {record["stage"]: record for record in summary["stages"]}
    generated = stages["generate_questions"]
    assert generated["rows_written"] == cfg.generate.num_questions
    assert generated["dropped"] == {
        reason: count for reason, count in {
            "truncated": sum(s.startswith("garbage") for s in shapes),
            "engine_error": sum(s.startswith("engine") for s in shapes)}.items() if count}
    language = stages["language_filter"]
    assert language["dropped"].get("non_ascii", 0) == sum(s.startswith("Ist") for s in shapes)
    assert language["dropped"].get("too_short", 0) == sum(s == "Hi" for s in shapes)
    consensus = stages["consensus"]
    # A 1-1 split: no answer has the two votes agreement needs.
    assert consensus["dropped"].get("too_few_votes", 0) == sum("spiders" in s for s in shapes)
    assert consensus["dropped"].get("no_final_answer", 0) == sum("no box" in s for s in shapes)
    assert summary["final_rows"] == sum("one half" in s for s in shapes)


def test_funnel_is_consistent(scripted_run):
    _, summary = scripted_run
    records = summary["stages"]
    for before, after in zip(records, records[1:]):
        if after["stage"] != "consensus":
            assert after["rows_in"] == before["rows_out"]
    for record in records:
        assert record["rows_out"] == record["rows_written"] - sum(record["dropped"].values())
    solve = next(r for r in records if r["stage"] == "solve")
    assert solve["rows_out"] == 2 * solve["rows_in"]
    # What a row is, where a stage changes it: solve fans questions out, consensus folds them.
    units = {r["stage"]: (r["rows_in_are"], r["rows_written_are"]) for r in records}
    assert units["solve"] == ("questions", "samples")
    assert units["consensus"] == ("samples", "questions")
    assert units["final_pairs"] == ("questions", "pairs")
    assert units["language_filter"] == ("questions", "questions")
    for record in records:  # a null is not a value to count
        assert all("None" not in values for values in record["counts"].values()), record
        assert "None" not in record["nodes"]
    assert solve["counts"]["response_status"]["ok"] > 0
    assert summary["tokens_by_role"]["solver"]["tokens_out"] == 8 * solve["rows_written"]


def test_final_rows_agree_and_carry_messages(scripted_run):
    cfg, summary = scripted_run
    table = pads.dataset(summary["final_dataset"], format="parquet").to_table()
    assert tuple(table.column_names) == FINAL_COLUMNS
    rows = table.to_pylist()
    assert len({row["id"] for row in rows}) == len(rows) == summary["final_rows"]
    for row in rows:
        assert row["agreement"] == 1.0  # 0.5 and \frac{1}{2} are one class
        assert row["answer"] in row["solution"]
        assert row["messages"] == [{"role": "user", "content": row["question"]},
                                   {"role": "assistant", "content": row["solution"]}]


def test_rerun_resumes_without_redoing_or_duplicating(scripted_run):
    cfg, first = scripted_run
    lines = []
    second = run_pipeline(cfg, scripted_stages(cfg), report=lines.append)
    assert all(record["resumed"] for record in second["stages"])
    assert sum("already complete" in line for line in lines) == len(second["stages"])
    # This invocation ran nothing; what the dataset cost stays in the cumulative totals.
    assert second["totals"] == {"wall_seconds": 0, "cpu_seconds": 0, "gpu_seconds": 0}
    assert second["cumulative_totals"] == first["cumulative_totals"] == first["totals"]
    assert second["cumulative_totals"]["wall_seconds"] > 0
    ids = pads.dataset(second["final_dataset"], format="parquet").to_table().column("id").to_pylist()
    assert len(ids) == len(set(ids)) == first["final_rows"]


def test_killed_stage_leaves_no_half_written_output(scripted_run, tmp_path):
    """A stage directory appears only once complete; a leftover .partial is discarded."""
    cfg, first = scripted_run
    run_root = tmp_path / "scripted"
    import shutil
    shutil.copytree(first["run_dir"], run_root)
    consensus_dir = next((run_root / "stages").glob("*_consensus"))
    consensus_dir.with_suffix(".json").unlink()  # killed after the rename, before the record
    next((run_root / "stages").glob("*_final_pairs.json")).unlink()
    shutil.copytree(run_root / "final" / "data", run_root / "final" / "data.partial")  # killed mid-write
    cfg.run.output_dir = str(tmp_path)
    resumed = run_pipeline(cfg, scripted_stages(cfg), report=lambda line: None)
    assert [r["resumed"] for r in resumed["stages"]] == [True, True, True, False, False]
    assert resumed["final_rows"] == first["final_rows"]
    assert not list(run_root.rglob("*.partial"))
    assert json.loads((run_root / "summary.json").read_text())["final_rows"] == first["final_rows"]


def test_shuffles_are_sized_from_the_stage_input_not_rays_default(scripted_run):
    from pathlib import Path

    cfg, summary = scripted_run
    consensus = next(r for r in summary["stages"] if r["stage"] == "consensus")
    assert consensus["shuffle_partitions"] == 1  # a few KB of samples: one partition, not 200
    run_dir = Path(cfg.run.output_dir) / cfg.run.name
    written = list(run_dir.glob("stages/*_consensus/*.parquet"))
    assert 1 <= len(written) <= 2
