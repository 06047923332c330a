"""Difficulty filter on a real local Ray cluster with a stand-in scorer: cutoff drops the easy
questions, histogram resampling matches the target shares on 2,000 rows, deterministically."""

from __future__ import annotations

import random
from collections import Counter

import pyarrow as pa
import pytest
import ray
from omegaconf import OmegaConf

from synth.config.errors import ConfigError
from synth.config.loading import load_config
from synth.config.scalequest import DifficultyConfig
from synth.stages.difficulty_filter import DifficultyFilter, difficulty_bin, keep_probabilities
from tests.config_overrides import QUICKSTART, overrides

EDGES = [0.0, 1 / 3, 2 / 3, 1.0]
NUM_ROWS = 2000


class KnownDifficulty:
    """Stands in for the trained scorer: copies each row's synthetic `true_difficulty`."""

    role = "difficulty"

    def score(self, rows: ray.data.Dataset) -> ray.data.Dataset:
        return rows.map_batches(
            lambda batch: batch.append_column("difficulty", batch.column("true_difficulty")),
            batch_format="pyarrow")

    def resource_plan(self) -> str:
        return "known difficulty"


def synthetic_questions() -> ray.data.Dataset:
    """Mostly easy questions (60/30/10 %), with predictions spilling a little outside [0, 1]."""
    draw = random.Random(5)
    values = [draw.choices([draw.uniform(-0.05, 1 / 3), draw.uniform(1 / 3, 2 / 3),
                            draw.uniform(2 / 3, 1.05)], weights=[6, 3, 1])[0]
              for _ in range(NUM_ROWS)]
    table = pa.table({"id": [f"q{i:05d}" for i in range(NUM_ROWS)],
                      "question": [f"question {i}" for i in range(NUM_ROWS)],
                      "true_difficulty": values})
    return ray.data.from_arrow(table).repartition(8)


def run_filter(run_seed: int = 0, **config) -> list[dict]:
    section = OmegaConf.structured(DifficultyConfig(enabled=True, histogram_edges=EDGES, **config))
    stage = DifficultyFilter(section, KnownDifficulty(), run_seed)
    return stage.apply(synthetic_questions()).take_all()


def test_bins_clamp_predictions_beyond_the_outer_edges():
    assert [difficulty_bin(v, EDGES) for v in (-0.2, 0.0, 0.3, 0.34, 0.7, 1.0, 1.4)] == [
        0, 0, 0, 1, 2, 2, 2]


def test_keep_probabilities_keep_the_largest_subset_in_target_proportions():
    keep = keep_probabilities([600, 300, 100], [0.35, 0.54, 0.11])
    kept = [p * c for p, c in zip(keep, [600, 300, 100])]
    assert max(keep) == pytest.approx(1.0)  # the scarcest bin is kept whole
    assert [k / sum(kept) for k in kept] == pytest.approx([0.35, 0.54, 0.11])
    # A bin the data lacks is left out and the other shares renormalised; share 0 drops a bin.
    assert keep_probabilities([100, 0, 50], [0.5, 0.3, 0.2]) == pytest.approx([1.0, 0.0, 0.8])
    assert keep_probabilities([100, 50, 50], [0.5, 0.5, 0.0]) == pytest.approx([0.5, 1.0, 0.0])
    assert keep_probabilities([0, 0, 10], [1.0, 0.0, 0.0]) == [0.0, 0.0, 0.0]


def test_cutoff_drops_questions_predicted_easier_than_it(ray_cluster):
    rows = run_filter(mode="cutoff", cutoff=0.25)
    assert len(rows) == NUM_ROWS
    for row in rows:
        assert row["drop_reason"] == (None if row["difficulty"] >= 0.25 else "too_easy")
        assert row["difficulty_bin"] == difficulty_bin(row["difficulty"], EDGES)


def test_histogram_resampling_matches_target_shares(ray_cluster):
    target = [0.35, 0.54, 0.11]
    rows = run_filter(mode="histogram", target_shares=target)
    assert len(rows) == NUM_ROWS
    assert {r["drop_reason"] for r in rows} == {None, "resampled_out"}
    before = Counter(r["difficulty_bin"] for r in rows)
    kept = Counter(r["difficulty_bin"] for r in rows if r["drop_reason"] is None)
    total = sum(kept.values())
    shares = [kept[b] / total for b in range(3)]
    assert shares == pytest.approx(target, abs=0.04), (before, kept)
    binding = min(range(3), key=lambda b: before[b] / target[b])  # scarcest for its share
    assert kept[binding] == before[binding]  # kept whole: as many rows as the target allows
    again = run_filter(mode="histogram", target_shares=target)
    kept_ids = sorted(r["id"] for r in rows if r["drop_reason"] is None)
    assert kept_ids == sorted(r["id"] for r in again if r["drop_reason"] is None)
    other_seed = run_filter(run_seed=1, mode="histogram", target_shares=target)
    assert kept_ids != sorted(r["id"] for r in other_seed if r["drop_reason"] is None)


def test_validation_names_the_key(tmp_path):
    scorer = ["models.difficulty_scorer.engine=transformers",
              f"models.difficulty_scorer.model={tmp_path}"]
    good = [*scorer, "difficulty.enabled=true", "difficulty.mode=histogram"]
    load_config(QUICKSTART, good)
    cases = [({"mode": "top"}, "^difficulty.mode: "), ({"model": "x"}, "^difficulty.model: "),
             ({"histogram_edges": [0.0, 0.5, 0.4]}, "^difficulty.histogram_edges: "),
             ({"target_shares": [0.5, 0.5]}, "^difficulty.target_shares: needs one share per bin"),
             ({"target_shares": [0.0, 0.0, 0.0]}, "^difficulty.target_shares: ")]
    for change, message in cases:
        with pytest.raises(ConfigError, match=message):
            load_config(QUICKSTART, [*good, *overrides("difficulty", change)])
    with pytest.raises(ConfigError, match="^models.difficulty_scorer.model: "):
        load_config(QUICKSTART, [*good, f"models.difficulty_scorer.model={tmp_path / 'not-trained-yet'}"])
