"""Decontamination against the full GSM8K and MATH test sets synth ships."""

from __future__ import annotations

import json

from omegaconf import OmegaConf

from synth.benchmarks.benchmark_sets import packaged_benchmark
from synth.config.schema import BenchmarkConfig, DecontaminationConfig
from synth.stages.decontaminate import DecontaminationStage
from tests.conftest import TEST_DATA

BENCHMARKS = {"gsm8k": "gsm8k_test", "math": "math_test"}


def _config() -> DecontaminationConfig:
    config = OmegaConf.structured(DecontaminationConfig)
    config.benchmarks = [OmegaConf.structured(BenchmarkConfig(name=name, packaged=packaged))
                         for name, packaged in BENCHMARKS.items()]
    return config


def _first(name: str, count: int) -> list[str]:
    return packaged_benchmark(BENCHMARKS[name], limit=count).column("question").to_pylist()


def test_verbatim_and_lightly_edited_benchmark_questions_are_removed(ray_cluster):
    gsm8k = _first("gsm8k", 4)
    math = _first("math", 40)
    math = [m for m in math if len(m.split()) >= 20][:3]
    with open(TEST_DATA / "gsm8k_train_head.jsonl") as handle:
        unrelated = [json.loads(line)["question"] for _, line in zip(range(20), handle)]  # row 20 repeats a GSM8K test question
    rows = ([{"id": f"gsm-verbatim-{i}", "question": q} for i, q in enumerate(gsm8k)]
            + [{"id": f"gsm-edited-{i}", "question": "Here is a puzzle. " + q.replace("?", ".").upper()
                + " Show your work."} for i, q in enumerate(gsm8k)]
            + [{"id": f"math-verbatim-{i}", "question": q} for i, q in enumerate(math)]
            + [{"id": f"math-edited-{i}", "question": q.replace("$", "") + " Explain."}
               for i, q in enumerate(math)]
            + [{"id": f"unrelated-{i}", "question": q} for i, q in enumerate(unrelated)])
    stage = DecontaminationStage(_config())
    out = {r["id"]: r for r in stage.apply(ray_cluster.data.from_items(rows)).take_all()}
    for row_id, row in out.items():
        if row_id.startswith("unrelated"):
            assert row["drop_reason"] is None and row["contaminated_by"] is None, row
        else:
            assert row["drop_reason"] == "contamination", row
            assert row["contaminated_by"] == row_id.split("-")[0].replace("gsm", "gsm8k")


def test_short_texts_only_match_whole(ray_cluster):
    stage = DecontaminationStage(_config())
    assert stage.index.overlapping_benchmark("What is $1 + 1$?") is None
    assert stage.index.overlapping_benchmark("") is None
