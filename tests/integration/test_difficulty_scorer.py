"""The difficulty scorer end to end on CPU: fail-rate labels for 250 GSM8K train questions from a
scripted solver, a regression head on (the first 4 layers of) SmolLM2 trained on 200 of them,
and the saved checkpoint, scored on Ray, ranks the 50 held-out questions like their labels.

The scripted solver is what keeps this cheap and still honest: it fails more often on questions
that state more numbers (a real difficulty proxy: GSM8K questions with more quantities take more
steps), by seeded draws, so the labels are noisy fail rates the scorer must learn from the text.
"""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
import ray
from omegaconf import OmegaConf
from scipy.stats import spearmanr

from synth.config.common import ModelConfig
from synth.difficulty import DifficultyScorer
from synth.difficulty.labels import labels_dir
from synth.difficulty.training import holdout_split
from tests.trained_models import NUM_SAMPLES, NUM_SEEDS, fail_probability


def test_labels_are_fail_rates_of_the_sampled_solver(difficulty_training):
    cfg, _ = difficulty_training
    labels = pq.read_table(labels_dir(cfg.train.output_dir)).to_pylist()
    assert len(labels) == NUM_SEEDS
    assert len({row["id"] for row in labels}) == NUM_SEEDS
    for row in labels:
        assert row["num_graded"] == NUM_SAMPLES
        assert row["fail_rate"] == row["num_failed"] / NUM_SAMPLES
    rates = [row["fail_rate"] for row in labels]
    assert {0.0, 1.0} <= set(rates) <= {0.0, 0.25, 0.5, 0.75, 1.0}
    designed = [fail_probability(row["question"]) for row in labels]
    assert spearmanr(designed, rates).statistic > 0.5  # labels follow the solver's behaviour


def test_scorer_ranks_held_out_questions_like_their_labels(difficulty_training):
    cfg, outcome = difficulty_training
    checkpoint = outcome.checkpoint_dir
    assert (checkpoint / "config.json").is_file() and (checkpoint / "model.safetensors").is_file()
    labels = pq.read_table(labels_dir(cfg.train.output_dir)).sort_by("id").to_pylist()
    _, held = holdout_split(len(labels), cfg.train.holdout_fraction, cfg.run.seed)
    assert len(held) == 50
    held_out = [{"id": labels[i]["id"], "question": labels[i]["question"]} for i in held]
    scorer = DifficultyScorer("difficulty_scorer", OmegaConf.structured(ModelConfig(
        engine="transformers", model=str(checkpoint), batch_size=16)))
    rows = scorer.score(ray.data.from_items(held_out)).take_all()
    scored = {r["id"]: r["difficulty"] for r in rows}
    truth = {labels[i]["id"]: labels[i]["fail_rate"] for i in held}
    ids = sorted(truth)
    rho = spearmanr([scored[i] for i in ids], [truth[i] for i in ids]).statistic
    assert rho > 0, f"held-out Spearman {rho:.3f}"
    metrics = json.loads((checkpoint.parent / "metrics.json").read_text())
    assert metrics["train_items"] == 200 and metrics["holdout_items"] == 50
    assert metrics["holdout_spearman"] == pytest.approx(rho, abs=0.05)
    assert metrics["epoch_losses"][-1] < metrics["epoch_losses"][0]
    assert outcome.metrics["holdout_spearman"] == metrics["holdout_spearman"]
    assert outcome.metrics["final_train_loss"] == metrics["epoch_losses"][-1]
    assert set(outcome.outputs) == {"labels", "metrics"}
