"""Drop generated rows that overlap a benchmark test set (13-gram overlap by default).

The benchmarks (packaged copies, files or Hub datasets) are loaded and indexed when the stage
is built, before any model starts, so a missing benchmark fails in a second. Each dropped row
names the benchmark it overlaps in `contaminated_by`; summary.json counts removals per
benchmark.
"""

from __future__ import annotations

import pyarrow as pa
from omegaconf import DictConfig
from ray.data import Dataset

from synth.benchmarks.benchmark_sets import load_benchmark
from synth.quality.benchmark_ngrams import BenchmarkNgramIndex
from synth.stages.base import Stage, with_drop_reasons

CONTAMINATED_BY = "contaminated_by"


class OverlapMarker:
    """Marks each row with the first benchmark any of its text columns overlaps."""

    def __init__(self, index: BenchmarkNgramIndex, columns: list[str]) -> None:
        self.index = index
        self.columns = columns

    def __call__(self, batch: pa.Table) -> pa.Table:
        texts = zip(*(batch.column(c).to_pylist() for c in self.columns))
        overlaps = [next((hit for hit in map(self.index.overlapping_benchmark, row) if hit), None)
                    for row in texts]
        if CONTAMINATED_BY in batch.column_names:
            batch = batch.drop_columns([CONTAMINATED_BY])
        batch = batch.append_column(CONTAMINATED_BY, pa.array(overlaps, pa.string()))
        return with_drop_reasons(batch, [None if hit is None else "contamination" for hit in overlaps])


class DecontaminationStage(Stage):
    """Marks rows sharing an n-gram with a benchmark question as `contamination`."""

    name = "decontaminate"
    count_columns = (CONTAMINATED_BY,)

    def __init__(self, config: DictConfig) -> None:
        self.columns = list(config.columns)
        self.requires = tuple(self.columns)
        self.index = BenchmarkNgramIndex(config.ngram_size)
        for benchmark in config.benchmarks:
            self.index.add(benchmark.name, load_benchmark(benchmark).column("question").to_pylist())

    def describe(self) -> str:
        sets = ", ".join(f"{name} ({self.index.size(name)} grams)" for name in self.index.grams)
        return f"{self.name}  [{self.index.n}-gram overlap with {sets}]"

    def apply(self, rows: Dataset | None) -> Dataset:
        return rows.map_batches(OverlapMarker(self.index, self.columns), batch_format="pyarrow")
