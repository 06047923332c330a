"""Config sections of what every dataset pipeline does after generating: dedup,
decontamination, and the report with its data card."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import List, Optional

from synth.config.common import (
    BenchmarkConfig,
    PipelineBase,
    check_benchmark_names,
    packaged_benchmarks,
)
from synth.config.sections import Section, need


@dataclass
class DedupConfig(Section):
    """Exact and near-duplicate removal over the whole dataset (MinHash + LSH)."""

    enabled: bool = True  # every pipeline deduplicates by default
    column: str = "question"  # text compared
    ngram_size: int = 3  # word shingles; 3 keeps a question with one changed number near its original
    num_perm: int = 128  # MinHash permutations; more = sharper threshold, more CPU
    threshold: float = 0.7  # estimated Jaccard similarity at which two rows are near-duplicates
    semantic: bool = False  # also drop rows whose sentence embeddings are near (SimHash bands)
    semantic_model: str = "all-minilm-l6-v2"  # packaged embedding model name or a local model dir
    semantic_threshold: float = 0.95  # cosine similarity at which two rows are semantic duplicates
    num_partitions: Optional[int] = None  # hash-shuffle partitions; null: sized from the stage's input

    def check(self) -> None:
        need(self.ngram_size >= 1, "ngram_size", "must be >= 1", self.ngram_size)
        need(self.num_perm >= 16, "num_perm", "must be >= 16", self.num_perm)
        need(0 < self.threshold < 1, "threshold", "must be in (0, 1)", self.threshold)
        need(0 < self.semantic_threshold < 1, "semantic_threshold", "must be in (0, 1)",
             self.semantic_threshold)
        need(self.num_partitions is None or self.num_partitions >= 1, "num_partitions",
             "must be >= 1 (or null: sized from the data)", self.num_partitions)

    def embedding_models(self) -> dict[str, str]:
        return {"semantic_model": self.semantic_model} if self.enabled and self.semantic else {}


class DecontaminationMethod(StrEnum):
    """How a row is matched against benchmark items, in the order the config lists them."""

    ngram = "ngram"  # a shared word n-gram of normalised text
    masked_ngram = "masked_ngram"  # n-grams with numbers and names masked: edited copies


@dataclass
class DecontaminationConfig(Section):
    """Drop rows that copy a benchmark test question, verbatim or lightly edited."""

    enabled: bool = True  # every pipeline decontaminates by default
    columns: List[str] = field(default_factory=lambda: ["question"])  # text checked against benchmarks
    methods: List[DecontaminationMethod] = field(default_factory=lambda: [
        DecontaminationMethod.ngram, DecontaminationMethod.masked_ngram])  # checked in order
    ngram_size: int = 13  # ngram: word n-grams on normalised text; 13 is the common choice (GPT-3 paper)
    masked_ngram_size: int = 4  # masked_ngram: n-grams with numbers and capitalised words masked
    min_containment: float = 0.5  # masked_ngram: share of an item's telling grams found in the row
    min_aligned: float = 0.75  # masked_ngram: share of a short item's words the row repeats in order
    benchmarks: List[BenchmarkConfig] = field(default_factory=packaged_benchmarks)  # GSM8K + MATH test

    def check(self) -> None:
        need(self.ngram_size >= 1, "ngram_size", "must be >= 1", self.ngram_size)
        need(len(self.columns) >= 1, "columns", "name at least one text column", list(self.columns))
        need(len(self.methods) >= 1, "methods", "must name one or more of "
             f"{', '.join(DecontaminationMethod)}", list(self.methods))
        need(self.masked_ngram_size >= 2, "masked_ngram_size", "must be >= 2",
             self.masked_ngram_size)
        for name in ("min_containment", "min_aligned"):
            need(0 < getattr(self, name) <= 1, name, "must be in (0, 1]", getattr(self, name))
        check_benchmark_names(self.benchmarks, "benchmarks")


@dataclass
class ReportConfig(Section):
    """The run report and the data card written next to the final dataset."""

    gpu_hour_usd: float = 2.0  # price of one GPU-hour, for the projected cost per 1K final pairs
    cpu_hour_usd: float = 0.05  # price of one CPU core-hour (what a CPU-only run costs)
    gpu_tokens_per_second: float = 2500.0  # generated tokens/s of one GPU replica: the 1M-pair projection's speed
    licence: str = "other"  # licence field of the data card; set it to your models' output terms
    dataset_name: Optional[str] = None  # title of the data card; defaults to the run name

    def check(self) -> None:
        need(self.gpu_hour_usd >= 0, "gpu_hour_usd", "must be >= 0", self.gpu_hour_usd)
        need(self.cpu_hour_usd >= 0, "cpu_hour_usd", "must be >= 0", self.cpu_hour_usd)
        need(self.gpu_tokens_per_second > 0, "gpu_tokens_per_second", "must be > 0",
             self.gpu_tokens_per_second)


@dataclass
class DatasetPipelineBase(PipelineBase):
    """A pipeline that writes a dataset: verified, deduplicated, decontaminated and documented."""

    dedup: DedupConfig = field(default_factory=DedupConfig)
    decontamination: DecontaminationConfig = field(default_factory=DecontaminationConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
