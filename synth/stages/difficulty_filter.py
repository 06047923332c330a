"""ScaleQuest's difficulty filter: a trained scorer predicts each question's solver fail rate.

Two modes (`difficulty.mode`):

- `cutoff` (the paper): drop questions predicted easier than `cutoff` as `too_easy`.
- `histogram`: keep a subset whose difficulty histogram matches `target_shares` as closely as
  the rows allow, dropping the rest as `resampled_out`. Every bin is thinned by its own keep
  probability, chosen so the kept counts are in the target proportions and the largest such
  subset is kept. That needs the bin counts of the whole dataset, so scores are materialised
  once and counted by a Ray aggregation; only the few bin counts reach the driver. Whether a row
  is kept depends on the run seed and its id alone, so reruns keep the same rows.

Both modes add `difficulty` and `difficulty_bin` (counted in summary.json: the histogram before
resampling).
"""

from __future__ import annotations

import bisect
from typing import Protocol

import pyarrow as pa
from ray.data import Dataset

from synth.config.scalequest import DifficultyConfig
from synth.difficulty.scorer import DIFFICULTY
from synth.row_ids import derived_seed
from synth.stages.base import Stage, with_drop_reasons

DIFFICULTY_BIN = "difficulty_bin"
_SEED_RANGE = 2**31 - 1  # derived_seed's range, for turning a seed into a uniform draw


class DifficultyScoring(Protocol):
    """Anything that adds a float `difficulty` column (the trained scorer, or a test double)."""

    role: str  # the model role its cost is booked to

    def open_store(self, location: str) -> None: ...

    def score(self, rows: Dataset) -> Dataset: ...

    def resource_plan(self) -> str: ...


def difficulty_bin(value: float, edges: list[float]) -> int:
    """Index of the bin `value` falls in; values beyond the outer edges join the outer bins
    (a regression head can predict slightly below 0 or above 1)."""
    return min(max(bisect.bisect_right(edges, value) - 1, 0), len(edges) - 2)


def keep_probabilities(counts: list[int], shares: list[float]) -> list[float]:
    """Per-bin keep probabilities whose expected kept counts follow `shares` and are largest.

    Bins the target wants but the data lacks are left out and the other shares renormalised,
    so the remaining proportions still match; bins with share 0 are dropped entirely.
    """
    usable = [i for i, (count, share) in enumerate(zip(counts, shares)) if count > 0 and share > 0]
    if not usable:
        return [0.0] * len(counts)
    total_share = sum(shares[i] for i in usable)
    kept = min(counts[i] * total_share / shares[i] for i in usable)  # the scarcest bin binds
    return [min(1.0, kept * shares[i] / total_share / counts[i]) if i in usable else 0.0
            for i in range(len(counts))]


def uniform_draw(run_seed: int, row_id: str) -> float:
    """A number in [0, 1) fixed by the run seed and the row id."""
    return derived_seed(run_seed, "difficulty_resample", row_id) / _SEED_RANGE


class DifficultyFilter(Stage):
    """Adds `difficulty`, `difficulty_bin`; drops `too_easy` (cutoff) or `resampled_out`
    (histogram)."""

    name = "difficulty_filter"
    funnel_label = "difficulty"
    requires = ("id", "question")
    count_columns = (DIFFICULTY_BIN,)

    def __init__(self, config: DifficultyConfig, scorer: DifficultyScoring, run_seed: int) -> None:
        self.mode = config.mode
        self.cutoff = float(config.cutoff)
        self.edges = [float(e) for e in config.histogram_edges]
        self.shares = [float(s) for s in config.target_shares]
        self.scorer = scorer
        self.run_seed = run_seed

    @property
    def model_roles(self) -> tuple[DifficultyScoring, ...]:
        return (self.scorer,)

    def describe(self) -> str:
        return f"{super().describe()}  [{self.mode}]"

    def _with_bins(self, batch: pa.Table) -> pa.Table:
        bins = [difficulty_bin(v, self.edges) for v in batch.column(DIFFICULTY).to_pylist()]
        return batch.append_column(DIFFICULTY_BIN, pa.array(bins, pa.int64()))

    def _mark_too_easy(self, batch: pa.Table) -> pa.Table:
        values = batch.column(DIFFICULTY).to_pylist()
        return with_drop_reasons(batch, [None if v >= self.cutoff else "too_easy" for v in values])

    def _bin_counts(self, scored: Dataset) -> list[int]:
        counts = [0] * (len(self.edges) - 1)
        for row in scored.groupby(DIFFICULTY_BIN).count().take_all():
            counts[row[DIFFICULTY_BIN]] = row["count()"]
        return counts

    def apply(self, rows: Dataset | None) -> Dataset:
        scored = self.scorer.score(rows).map_batches(self._with_bins, batch_format="pyarrow")
        if self.mode == "cutoff":
            return scored.map_batches(self._mark_too_easy, batch_format="pyarrow")
        scored = scored.materialize()  # scored once, read twice: counts, then the resample
        keep = keep_probabilities(self._bin_counts(scored), self.shares)
        run_seed = self.run_seed

        def resample(batch: pa.Table) -> pa.Table:
            pairs = zip(batch.column("id").to_pylist(), batch.column(DIFFICULTY_BIN).to_pylist())
            return with_drop_reasons(batch, [None if uniform_draw(run_seed, i) < keep[b]
                                             else "resampled_out" for i, b in pairs])

        return scored.map_batches(resample, batch_format="pyarrow")
