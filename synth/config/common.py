"""Config sections every pipeline kind shares: sampling, model roles, the run, Ray, data sources.

OmegaConf merges a YAML file onto these dataclasses, so an unknown key, a value of the wrong
type or a choice outside an Enum is rejected before anything runs. Each field says in one line
what it is for and why its default was chosen; each section's `check()` adds what types alone
cannot express (synth/config/sections.py).
"""

from __future__ import annotations

import os
import typing
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any, ClassVar, Dict, List, Optional

from omegaconf import MISSING

from synth.config.errors import ConfigError
from synth.config.sections import Section, need, need_placeholders

# The boxed-answer solve prompt: ScaleQuest's solver, `synth eval`, difficulty labels.
SOLVE_PROMPT = "{question}\nPlease reason step by step, and put your final answer within \\boxed{}."

# Files a data source may name: JSON lines (gzipped or not) or Parquet.
DATA_FILE_SUFFIXES = (".jsonl", ".json", ".gz", ".parquet")


class EngineKind(StrEnum):
    """What serves a model role."""

    llama_cpp = "llama_cpp"  # GGUF models on CPU (the embedded default)
    transformers = "transformers"  # Hugging Face checkpoints, CPU or GPU
    vllm = "vllm"  # GPU replicas through ray.data.llm
    http = "http"  # any OpenAI-compatible server
    replayed = "replayed"  # recorded replies from a Parquet file: benchmarks and tests only


@dataclass
class SamplingConfig(Section):
    """Sampling settings handed to an engine as each row's `sampling_params`."""

    temperature: float = 0.7  # 0 means greedy decoding
    top_p: float = 0.95  # nucleus sampling mass, in (0, 1]
    max_tokens: int = 512  # new tokens per completion; longer output counts as `truncated`
    stop: List[str] = field(default_factory=list)  # extra stop strings besides the model's EOS

    def check(self) -> None:
        need(self.temperature >= 0, "temperature", "must be >= 0", self.temperature)
        need(0 < self.top_p <= 1, "top_p", "must be in (0, 1]", self.top_p)
        need(self.max_tokens >= 1, "max_tokens", "must be >= 1", self.max_tokens)


@dataclass
class PromptedSection(Section):
    """A step that prompts a model role: its prompt, how the reply is decoded, its sampling.
    Subclasses give their defaults and the placeholders their prompt must contain."""

    prompt: str = MISSING  # the request; its {placeholders} are filled per row
    structured: bool = True  # decode the reply under its JSON schema where the engine can (llama_cpp, vllm, http)
    chat_template: Optional[str] = None  # raw-prompt mode: the model's chat template (few-shot turns too) around {prompt}
    response_prefix: str = ""  # raw mode: the reply is started with this text (small models follow a started format)
    sampling: SamplingConfig = field(default_factory=SamplingConfig)

    placeholders: ClassVar[tuple[str, ...]] = ()  # what `prompt` must contain

    def check(self) -> None:
        need_placeholders("prompt", self.prompt, *self.placeholders)
        if self.chat_template:
            need_placeholders("chat_template", self.chat_template, "prompt")


@dataclass
class ModelConfig(Section):
    """One named model role (generator, solver, ...) and the engine that serves it."""

    engine: EngineKind = MISSING  # llama_cpp | transformers | vllm | http (| replayed: recorded replies, bench/tests)
    model: str = MISSING  # packaged name (smollm2-135m-instruct), a GGUF/checkpoint path, or a hub id (GPU)
    replicas: List[int] = field(default_factory=lambda: [1, 1])  # [min, max] actor-pool size; Ray scales between
    batch_size: int = 4  # rows per engine call; small on CPU so progress stays visible
    num_cpus: float = 1.0  # CPUs Ray reserves per replica; 1 leaves room for Ray Data's own tasks on 2 cores
    num_gpus: float = 0.0  # GPUs per replica (vllm/transformers on GPU)
    accelerator_type: Optional[str] = None  # e.g. A100, L4: pins replicas to that GPU type
    tensor_parallel_size: int = 1  # vllm: GPUs one replica shards a model over
    threads: int = 2  # llama_cpp: CPU threads per replica; 2 matches the embedded 2-core default
    context_length: int = 2048  # prompt + completion tokens one request may use
    enable_prefix_caching: bool = True  # vllm: reuse the shared template prefix across requests
    engine_kwargs: Dict[str, Any] = field(default_factory=dict)  # vllm: passed to the engine unchanged
    url: Optional[str] = None  # http: base URL of an OpenAI-compatible API, e.g. http://host:8000/v1
    api_key_env: Optional[str] = None  # http: name of the environment variable holding the API key
    qps: Optional[float] = None  # http: request rate limit per replica; None means unlimited
    max_retries: int = 3  # http: retries (refused, timed out, 429, 5xx) before the row is an error row
    retry_base_s: float = 1.0  # http: first backoff wait, doubled each retry unless Retry-After says
    concurrency: int = 8  # http: requests one replica keeps in flight
    request_timeout_s: float = 120.0  # http: one request's limit; a slower answer is retried
    max_attempts_per_row: int = 3  # llama_cpp/transformers: a request whose replica died this often becomes an error row

    def check(self) -> None:
        replicas = list(self.replicas)
        need(len(replicas) == 2 and 1 <= replicas[0] <= replicas[1], "replicas",
             "must be [min, max] with 1 <= min <= max", replicas)
        for name in ("batch_size", "threads", "tensor_parallel_size", "concurrency",
                     "max_attempts_per_row"):
            need(getattr(self, name) >= 1, name, "must be >= 1", getattr(self, name))
        for name in ("num_cpus", "num_gpus", "max_retries", "retry_base_s"):
            need(getattr(self, name) >= 0, name, "must be >= 0", getattr(self, name))
        need(self.context_length >= 16, "context_length", "must be >= 16", self.context_length)
        need(self.qps is None or self.qps > 0, "qps", "must be > 0 (or null: unlimited)", self.qps)
        need(self.request_timeout_s > 0, "request_timeout_s", "must be > 0",
             self.request_timeout_s)
        if self.engine == EngineKind.http:
            need((self.url or "").startswith(("http://", "https://")), "url",
                 "the http engine needs the base URL of an OpenAI-compatible API", self.url)
            if self.api_key_env:
                need(self.api_key_env in os.environ, "api_key_env",
                     "names an environment variable that is not set", self.api_key_env)
        need(bool(self.model), "model", "must not be empty", self.model)


@dataclass
class RunSection(Section):
    """Where a run writes and how it is seeded."""

    name: str = MISSING  # run directory name under output_dir; defaults to the YAML file's stem
    output_dir: str = "runs"  # parent folder of run directories: a path, or s3:// / gs:// (synth[cloud])
    seed: int = 0  # base seed; every row derives its own seed from it, so reruns are reproducible
    resume: bool = True  # skip stages whose completion marker exists (same command = resume)

    def check(self) -> None:
        need(bool(self.name) and "/" not in self.name and self.name not in (".", ".."), "name",
             "must be a plain directory name", self.name)
        need(bool(self.output_dir), "output_dir", "must not be empty", self.output_dir)
        check_storage_scheme(self.output_dir)


def check_storage_scheme(location: str) -> None:
    """A URI `run.output_dir` needs its fsspec filesystem installed; say which package, before
    any work."""
    import fsspec

    if "://" not in location:
        return
    protocol = location.split("://", 1)[0]
    try:
        fsspec.get_filesystem_class(protocol)
    except (ImportError, ValueError) as error:
        raise ConfigError(f"run.output_dir: {location!r}: no filesystem for {protocol}:// "
                          f"({error}); for s3:// and gs:// install synth[cloud]") from None


@dataclass
class RaySection(Section):
    """How synth reaches Ray."""

    address: Optional[str] = None  # None starts a local cluster; "auto" joins the one on this node
    num_cpus: Optional[int] = None  # local cluster only: logical CPUs to offer (None: all cores)

    def check(self) -> None:
        need(self.num_cpus is None or self.num_cpus >= 1, "num_cpus", "must be >= 1", self.num_cpus)


@dataclass
class DataSource(Section):
    """Rows read from exactly one of a packaged copy, a JSONL/Parquet file or a Hub dataset.

    Subclasses type `packaged` with the Enum of what synth ships for them and say which
    fields the file must hold (`required_fields`); the files themselves are opened by
    `synth.config.validation` before Ray starts."""

    packaged: Any = None  # a copy synth ships (the subclass's Enum)
    path: Optional[str] = None  # a JSONL or Parquet file
    hf_dataset: Optional[str] = None  # a Hugging Face dataset name (needs network or the datasets cache)
    limit: Optional[int] = None  # first N rows only

    def source_label(self) -> str:
        """How an error in the source's file names it."""
        return "data"

    def required_fields(self) -> list[str]:
        """Fields every record of the file must have."""
        return []

    def files(self) -> list[tuple[str, str, str | None, list[str]]]:
        return [("path", self.path, self.source_label(), self.required_fields())] if self.path else []

    def check(self) -> None:
        sources = [name for name in ("packaged", "path", "hf_dataset") if getattr(self, name)]
        packaged = typing.get_args(typing.get_type_hints(type(self))["packaged"])
        choices = [str(choice) for kind in packaged if isinstance(kind, type)
                   and issubclass(kind, Enum) for choice in kind]
        named = f"packaged ({', '.join(choices)})" if choices else "packaged"
        need(len(sources) == 1, "", f"needs exactly one of {named}, path, hf_dataset",
             sources or None)
        if self.path:
            need(Path(self.path).suffix in DATA_FILE_SUFFIXES, "path",
                 "must be a .jsonl or .parquet file", self.path)
        need(self.limit is None or self.limit >= 1, "limit", "must be >= 1", self.limit)


class PackagedSeeds(StrEnum):
    """Seed problems synth ships."""

    champ = "champ"  # the champ-dataset package's 270 competition problems, with annotated concepts


class PackagedBenchmark(StrEnum):
    """Benchmark test sets synth ships (they work offline)."""

    gsm8k_test = "gsm8k_test"
    math_test = "math_test"


class AnswerFormat(StrEnum):
    """How a benchmark's answer field holds its final answer."""

    plain = "plain"  # the field is the answer
    gsm8k = "gsm8k"  # the number after ####
    boxed = "boxed"  # the last \boxed{} of a solution


@dataclass
class BenchmarkConfig(DataSource):
    """One benchmark test set: a shipped copy, a JSONL/Parquet file, or a Hugging Face dataset."""

    name: str = MISSING  # label in reports, drop reasons and eval tables, e.g. gsm8k
    packaged: Optional[PackagedBenchmark] = None  # gsm8k_test | math_test: copies shipped with synth (work offline)
    hf_config: Optional[str] = None  # the Hugging Face dataset's config name, if it has several
    split: str = "test"  # Hugging Face split
    question_field: str = "question"  # field holding the question text (MATH files: problem)
    answer_field: Optional[str] = "answer"  # field holding the answer (MATH files: solution)
    answer_format: AnswerFormat = AnswerFormat.plain  # plain | gsm8k (number after ####) | boxed (last \boxed{} of a solution)

    def source_label(self) -> str:
        return f"benchmark {self.name}"

    def required_fields(self) -> list[str]:
        return [self.question_field]


def packaged_benchmarks() -> List[BenchmarkConfig]:
    """GSM8K and MATH test: what decontamination and eval check against by default."""
    return [BenchmarkConfig(name="gsm8k", packaged=PackagedBenchmark.gsm8k_test),
            BenchmarkConfig(name="math", packaged=PackagedBenchmark.math_test)]


def check_benchmark_names(benchmarks: List[BenchmarkConfig], field_name: str) -> None:
    """Benchmark names label drop reasons and eval rows, so they must differ."""
    names = [b.name for b in benchmarks]
    need(len(set(names)) == len(names), field_name, "benchmark names must be unique", names)


def check_checkpoint_directory(field_name: str, location: str) -> None:
    """A checkpoint is saved and loaded by transformers from a filesystem path; an object-storage
    URI there would become a local folder named `s3:`."""
    need(bool(location), field_name, "must not be empty", location)
    need("://" not in location, field_name, "must be a local path or a shared mount (checkpoints "
         "are saved and loaded from disk; only run.output_dir may be object storage)", location)


@dataclass
class PipelineBase(Section):
    """What every runnable config has: its kind, where it runs and writes, its model roles."""

    pipeline: str = MISSING  # which kind this file is (synth/kinds/): its schema, checks and command
    run: RunSection = field(default_factory=RunSection)
    ray: RaySection = field(default_factory=RaySection)
    models: Dict[str, ModelConfig] = field(default_factory=dict)  # role name -> engine + model
