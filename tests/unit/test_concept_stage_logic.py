"""GSDP-shaped stage logic with scripted engines on a real local Ray cluster: every reply shape
of extraction, generation and judging is counted with its reason, and the graph is saved."""

from __future__ import annotations

import json
import re

import pyarrow.dataset as pads
import pytest
from omegaconf import OmegaConf

from synth.config.concept_methods import GSDPPipelineConfig, JudgeConfig
from synth.engines.base import Completion
from synth.pipelines.concept_methods import graph_dir
from synth.runner import run_pipeline
from synth.stages.concept_graph import ConceptGraphStage
from synth.stages.extract_concepts import ExtractConceptsStage
from synth.stages.final_pairs import CONCEPT_COLUMNS, FINAL_COLUMNS, FinalPairsStage
from synth.stages.generate_from_concepts import GenerateFromConceptsStage
from synth.stages.judge_problems import JudgeFilter, JudgeStage
from synth.stages.load_seeds import LoadSeedsStage
from synth.stages.sample_combinations import SampleCombinationsStage
from tests.scripted_engine import ScriptedEngine

NUM_GOOD_SEEDS = 8  # seed i names kp i and kp i+1: a chain, so every combination kind exists


def extractor(prompt: str, params: dict) -> Completion:
    index = int(re.search(r"Seed problem (\d+)", prompt).group(1))
    if index < NUM_GOOD_SEEDS:
        kps = json.dumps([f"KP {index}", f"kp {index + 1}."])  # canonical form merges case/period
        text = f"```json\n{{\"topics\": [\"Topic {index % 2}\"], \"knowledge_points\": {kps}}}\n```"
        return Completion(text, 50, 30, "stop")
    if index == NUM_GOOD_SEEDS:
        return Completion("I am sorry, I cannot do that.", 50, 8, "stop")
    if index == NUM_GOOD_SEEDS + 1:
        raise RuntimeError("worker lost")
    return Completion('{"topics": ["alone"]}', 50, 8, "stop")


def generator(prompt: str, params: dict) -> Completion:
    kps = prompt.split("Knowledge points: ")[1].split("\n")[0]
    if "kp 0" in kps.split("; "):
        return Completion("Here is a problem about things.", 80, 10, "stop")  # no solution part
    if "kp 8" in kps.split("; "):
        return Completion(f"Question: Combine {kps}?\nSolution: it is seven.", 80, 20, "stop")
    return Completion(f"**Question:** Combine {kps}?\n**Solution:** so \\boxed{{7}}.", 80, 20, "stop")


def expected_judge_reason(question: str) -> str | None:
    parts = set(question.removeprefix("Combine ").rstrip("?").split("; "))
    if "kp 1" in parts:
        return "judged_wrong"
    if "kp 2" in parts:
        return "judge_unparseable"
    if "kp 3" in parts:
        return "low_judge_score"
    return None


def strict_judge(prompt: str, params: dict) -> Completion:
    question = prompt.split("Problem: ")[1].split("\n")[0]
    reply = {"judged_wrong": "Score: 9\nCorrect: No", "judge_unparseable": "Looks fine to me!",
             "low_judge_score": "Score: 2/10\nCorrect: Yes"}.get(expected_judge_reason(question),
                                                                 "Score: 9\nCorrect: Yes")
    return Completion(reply, 90, 6, "stop")


def lenient_judge(prompt: str, params: dict) -> Completion:
    return Completion("Score: 10\nCorrect: yes", 90, 6, "stop")


@pytest.fixture(scope="module")
def concept_run(ray_cluster, tmp_path_factory):
    root = tmp_path_factory.mktemp("concepts")
    seeds = root / "seeds.jsonl"
    with seeds.open("w") as handle:
        for index in range(NUM_GOOD_SEEDS + 3):
            handle.write(json.dumps({"question": f"Seed problem {index}: what is {index} + 1?",
                                     "solution": f"It is \\boxed{{{index + 1}}}."}) + "\n")
    cfg = OmegaConf.structured(GSDPPipelineConfig)
    cfg.run.name, cfg.run.output_dir = "scripted_gsdp", str(root / "runs")
    cfg.seeds.path = str(seeds)
    cfg.graph.merge_similar = False
    cfg.sample.num_combinations = 200
    cfg.judge.judges = [JudgeConfig(model="strict", weight=3.0), JudgeConfig(model="lenient", weight=1.0)]
    cfg.judge.threshold = 0.85
    engines = {"strict": ScriptedEngine("strict", strict_judge),
               "lenient": ScriptedEngine("lenient", lenient_judge)}
    stages = [LoadSeedsStage(cfg.seeds),
              ExtractConceptsStage(cfg.extract, ScriptedEngine("extractor", extractor), 0),
              ConceptGraphStage(cfg.graph, "gsdp", graph_dir(cfg)),
              SampleCombinationsStage(cfg.sample, "gsdp", graph_dir(cfg), 0, 2),
              GenerateFromConceptsStage(cfg.generate, ScriptedEngine("generator", generator),
                                     graph_dir(cfg) / "seeds.parquet", 0),
              *(JudgeStage(cfg.judge, role, engine, 0) for role, engine in engines.items()),
              JudgeFilter(cfg.judge),
              FinalPairsStage("gsdp", {"run_seed": 0}, (*CONCEPT_COLUMNS, "judge_score"))]
    summary = run_pipeline(cfg, stages, report=lambda line: None)
    return cfg, summary


def _stage_table(summary: dict, name: str):
    run_dir = summary["run_dir"]
    import pathlib

    path = next(pathlib.Path(run_dir, "stages").glob(f"*_{name}"))
    return pads.dataset(str(path), format="parquet").to_table()


def test_extraction_failures_are_counted_by_reason(concept_run):
    _, summary = concept_run
    record = {r["stage"]: r for r in summary["stages"]}["extract_concepts"]
    assert record["dropped"] == {"bad_json": 1, "engine_error": 1, "no_concepts": 1}
    assert record["rows_out"] == NUM_GOOD_SEEDS
    kept = _stage_table(summary, "concept_graph").to_pylist()
    assert all(set(r["knowledge_points"]) <= {f"kp {i}" for i in range(NUM_GOOD_SEEDS + 1)}
               for r in kept)  # "KP 3" and "kp 3." are one canonical concept


def test_graph_saved_and_combinations_unique(concept_run):
    cfg, summary = concept_run
    assert (graph_dir(cfg) / "edges.parquet").is_file() and (graph_dir(cfg) / "graph.graphml").is_file()
    combinations = _stage_table(summary, "sample_combinations").to_pylist()
    kept = [r for r in combinations if r["drop_reason"] is None]
    keys = [tuple(sorted(r["knowledge_points"])) for r in kept]
    assert len(keys) == len(set(keys)) > 0
    assert all(r["drop_reason"] in (None, "duplicate_combination") for r in combinations)


def test_generation_replies_split_or_are_dropped_with_reason(concept_run):
    _, summary = concept_run
    rows = _stage_table(summary, "generate_from_concepts").to_pylist()
    for row in rows:
        kps = set(row["knowledge_points"])
        expected = ("no_solution" if "kp 0" in kps else "no_final_answer" if "kp 8" in kps else None)
        assert row["drop_reason"] == expected, row
        if expected is None:
            assert row["question"].startswith("Combine") and row["answer"] == "7"


def test_judge_filter_reasons_match_the_judges(concept_run):
    _, summary = concept_run
    rows = _stage_table(summary, "judge_filter").to_pylist()
    assert rows
    for row in rows:
        assert row["drop_reason"] == expected_judge_reason(row["question"]), row
        if row["drop_reason"] is None:
            assert row["judge_score"] == pytest.approx((3 * 0.9 + 1 * 1.0) / 4)
    strict = {r["stage"]: r for r in summary["stages"]}["judge_by_strict"]
    assert strict["counts"]["judge_strict_verdict"].get("unparseable", 0) == sum(
        expected_judge_reason(r["question"]) == "judge_unparseable" for r in rows)


def test_final_rows_carry_concepts_and_scores(concept_run):
    _, summary = concept_run
    table = pads.dataset(summary["final_dataset"], format="parquet").to_table()
    assert tuple(table.column_names) == (*FINAL_COLUMNS, *CONCEPT_COLUMNS, "judge_score")
    assert table.num_rows == summary["final_rows"] > 0
    for row in table.to_pylist():
        assert row["concepts"] == row["topics"] + row["knowledge_points"]
        assert row["combination_kind"] in ("one_hop", "two_hop", "three_hop_core", "community")
        assert row["messages"][1]["content"] == row["solution"] and row["agreement"] is None
