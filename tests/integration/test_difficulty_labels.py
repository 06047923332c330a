"""Difficulty labels with the real llama.cpp SmolLM2 solver: 4 GSM8K train questions, 2 sampled
solutions each, graded against the known answers into fail rates written as Parquet."""

from __future__ import annotations

import pyarrow.parquet as pq
from omegaconf import OmegaConf

from synth.config.common import ModelConfig
from synth.config.difficulty_training import DifficultyTrainingPipelineConfig
from synth.difficulty import build_difficulty_labels
from synth.difficulty.labels import seed_items
from tests.conftest import TEST_DATA


def test_fail_rate_labels_from_a_real_solver(ray_cluster, tmp_path):
    cfg = OmegaConf.structured(DifficultyTrainingPipelineConfig)
    cfg.run.name = "difficulty_labels"
    cfg.models["solver"] = ModelConfig(engine="llama_cpp", model="smollm2-135m-instruct")
    cfg.train.num_samples = 2
    cfg.train.sampling.max_tokens = 128  # a short GSM8K solution; longer ones fail as truncated
    cfg.train.seeds.path = str(TEST_DATA / "gsm8k_train_head.jsonl")
    cfg.train.seeds.limit = 4
    cfg.train.output_dir = str(tmp_path)

    seeds = seed_items(cfg.train.seeds).to_pylist()
    assert [s["known_answer"] for s in seeds] == ["72", "10", "5", "42"]  # "#### N" read off

    folder = build_difficulty_labels(cfg)
    assert folder == tmp_path / "labels" and not (tmp_path / "labels.partial").exists()
    labels = pq.read_table(folder).to_pylist()
    assert sorted(row["id"] for row in labels) == sorted(s["id"] for s in seeds)
    for row in labels:
        assert row["num_graded"] == 2  # no request failed
        assert row["fail_rate"] in (0.0, 0.5, 1.0)
        assert row["fail_rate"] == row["num_failed"] / 2
    known = {s["id"]: s["known_answer"] for s in seeds}
    assert all(row["known_answer"] == known[row["id"]] for row in labels)
