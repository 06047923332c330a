"""Drop generated rows that copy a benchmark test item, verbatim or lightly edited.

Two methods, checked in `decontamination.methods` order (synth.quality.benchmark_overlap):
`ngram`, a shared 13-gram (or the whole text) after normalisation, and `masked_ngram`, masked
4-gram containment that catches items with their numbers or names changed, a clause reworded
or the sentences reordered. The benchmarks (packaged copies, files or Hub datasets) are loaded
and indexed when the stage is built, before any model starts, so a missing or empty benchmark
fails in a second. Each dropped row names the benchmark (`contaminated_by`), the matched item's
index in it (`contaminated_item`) and the method (`contamination_method`); summary.json counts
removals per benchmark and per benchmark and method (`contamination`).
"""

from __future__ import annotations

import pyarrow as pa
from ray.data import Dataset

from synth.benchmarks.benchmark_sets import BenchmarkSourceError, load_benchmark
from synth.config.quality import DecontaminationConfig
from synth.quality.benchmark_overlap import BenchmarkOverlap, Contamination
from synth.stages.base import Stage, with_drop_reasons

CONTAMINATED_BY = "contaminated_by"
CONTAMINATED_ITEM = "contaminated_item"
CONTAMINATION_METHOD = "contamination_method"
CONTAMINATION = "contamination"  # "<benchmark>/<method>": what summary.json counts together
CONTAMINATION_COLUMNS = (CONTAMINATED_BY, CONTAMINATED_ITEM, CONTAMINATION_METHOD, CONTAMINATION)


class OverlapMarker:
    """Marks each row with the first benchmark item any of its text columns copies (the columns
    in order), looking a whole batch up at once."""

    def __init__(self, overlap: BenchmarkOverlap, columns: list[str]) -> None:
        self.overlap = overlap
        self.columns = columns

    def __call__(self, batch: pa.Table) -> pa.Table:
        hits: list[Contamination | None] = [None] * batch.num_rows
        for column in self.columns:
            texts = batch.column(column).to_pylist()
            pending = [row for row, hit in enumerate(hits) if hit is None]
            for row, hit in zip(pending, self.overlap.find_all([texts[row] for row in pending])):
                hits[row] = hit
        batch = batch.drop_columns([c for c in CONTAMINATION_COLUMNS if c in batch.column_names])
        columns = {
            CONTAMINATED_BY: pa.array([h and h.benchmark for h in hits], pa.string()),
            CONTAMINATED_ITEM: pa.array([h.item if h else None for h in hits], pa.int64()),
            CONTAMINATION_METHOD: pa.array([h and h.method for h in hits], pa.string()),
            CONTAMINATION: pa.array([h and f"{h.benchmark}/{h.method}" for h in hits], pa.string()),
        }
        for name, values in columns.items():
            batch = batch.append_column(name, values)
        return with_drop_reasons(batch, [None if hit is None else "contamination" for hit in hits])


class DecontaminateStage(Stage):
    """Marks rows that copy a benchmark item as `contamination`."""

    name = "decontaminate"
    local_columns = CONTAMINATION_COLUMNS
    count_columns = (CONTAMINATED_BY, CONTAMINATION)

    def __init__(self, config: DecontaminationConfig) -> None:
        self.columns = list(config.columns)
        self.requires = tuple(self.columns)
        self.overlap = BenchmarkOverlap(list(config.methods), config.ngram_size,
                                        config.masked_ngram_size, config.min_containment,
                                        config.min_aligned)
        self.sizes: dict[str, int] = {}
        for benchmark in config.benchmarks:
            questions = load_benchmark(benchmark).column("question").to_pylist()
            if not questions:
                raise BenchmarkSourceError(f"benchmark {benchmark.name}: no items to "
                                           "decontaminate against (the source is empty)")
            self.overlap.add(benchmark.name, questions)
            self.sizes[benchmark.name] = len(questions)

    def describe(self) -> str:
        sets = ", ".join(f"{name} ({size} items)" for name, size in self.sizes.items())
        return f"{self.name}  [{self.overlap.describe()} with {sets}]"

    def apply(self, rows: Dataset | None) -> Dataset:
        return rows.map_batches(OverlapMarker(self.overlap, self.columns), batch_format="pyarrow")
