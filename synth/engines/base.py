"""The one interface every engine implements, and the column contract stages rely on.

Rows in carry `sampling_params` (temperature, top_p, max_tokens, stop, seed, n) plus either
`messages` (chat; the engine applies the model's chat template) or `prompt` (raw text, used by
generation from scratch), and optionally `response_schema`, a JSON schema the reply must be
decoded under (structured_replies.py). Rows out gain the `ray.data.llm` output columns
(`generated_text`, `num_input_tokens`, `num_generated_tokens`) plus `finish_reason`
("stop" | "length" | "error"), `engine_error` and `schema_decoded`. A request that fails becomes a row with
`finish_reason="error"`, never an exception: garbage in, counted garbage out.

`n > 1` is honoured the same way by every engine: the row is fanned out into n rows, each
with its own `sample_index` and seed, because `ray.data.llm` processors return one completion
per row.

An Engine is a ModelRole (model_role.py), which owns durability the same for every engine and
scorer: each request gets a content key, requests the run already answered are replayed from
its request store (request_replay.py), and every answered batch is persisted as it finishes.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from omegaconf import DictConfig
from ray.data import Dataset

from synth.engines.columns import (
    ENGINE_CPU_COLUMN,
    ENGINE_GPU_COLUMN,
    ENGINE_NODE_COLUMN,
    REQUEST_KEY,
)
from synth.engines.model_role import ModelRole
from synth.engines.request_replay import (
    COMPLETION_ANSWER,
    COMPLETION_REQUEST,
    RequestStore,
    mark_sent,
)
from synth.structured_replies import SCHEMA_DECODED, engine_decodes_under_schema

SAMPLING_TYPE = pa.struct([
    ("temperature", pa.float64()), ("top_p", pa.float64()), ("max_tokens", pa.int64()),
    ("stop", pa.list_(pa.string())), ("seed", pa.int64()), ("n", pa.int64()),
])


@dataclass(frozen=True)
class Completion:
    """One engine answer to one row."""

    text: str | None
    input_tokens: int
    output_tokens: int
    finish_reason: str
    error: str | None = None
    schema_decoded: bool | None = None  # under the request's reply schema; None: none asked


def finish_drop_reason(finish_reason: str | None) -> str | None:
    """The drop reason a reply's finish alone gives: the engine failed (`engine_error`), or the
    reply was cut off at `max_tokens` (`truncated`); None for a reply that ended by itself."""
    return {"error": "engine_error", "length": "truncated"}.get(finish_reason or "")


def sampling_params(sampling: DictConfig, seed: int, n: int = 1) -> dict[str, Any]:
    """The `sampling_params` value for one row, from a SamplingConfig section."""
    return {"temperature": float(sampling.temperature), "top_p": float(sampling.top_p),
            "max_tokens": int(sampling.max_tokens), "stop": list(sampling.stop),
            "seed": int(seed), "n": int(n)}


def sampling_column(sampling: DictConfig, seeds: list[int], n: int = 1) -> pa.StructArray:
    """The `sampling_params` column for rows seeded `seeds`, from a SamplingConfig section
    (read once, built column-wise: per row, the config lookups cost more than the row)."""
    settings = sampling_params(sampling, 0, n)
    rows = len(seeds)
    columns = {name: pa.repeat(pa.scalar(value, SAMPLING_TYPE.field(name).type), rows)
               for name, value in settings.items() if name != "seed"}
    columns["seed"] = pa.array(seeds, pa.int64())
    return pa.StructArray.from_arrays([columns[field.name] for field in SAMPLING_TYPE],
                                      fields=list(SAMPLING_TYPE))


def fan_out_samples(batch: pa.Table) -> pa.Table:
    """Repeat each row `sampling_params.n` times with `sample_index` 0..n-1 and seed + index."""
    params = batch.column("sampling_params").combine_chunks().cast(SAMPLING_TYPE)
    counts = np.maximum(pc.fill_null(params.field("n"), 1).to_numpy(zero_copy_only=False), 1)
    take = np.repeat(np.arange(batch.num_rows, dtype=np.int64), counts)
    indices = np.arange(len(take), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    taken = params.take(pa.array(take))
    columns = {field.name: taken.field(field.name) for field in SAMPLING_TYPE}
    columns["n"] = pa.array(np.ones(len(take), dtype=np.int64))
    columns["seed"] = pc.add(columns["seed"], pa.array(indices))
    expanded = pa.StructArray.from_arrays([columns[field.name] for field in SAMPLING_TYPE],
                                          fields=list(SAMPLING_TYPE))
    out = batch.take(pa.array(take))
    out = out.set_column(out.schema.get_field_index("sampling_params"), "sampling_params", expanded)
    return out.append_column("sample_index", pa.array(indices))


def append_completions(batch: pa.Table, completions: list[Completion], cpu_seconds: float,
                       gpu_seconds: float = 0.0, node: str | None = None) -> pa.Table:
    """Add the engine output columns (and the batch's measured cost, split per row, and the
    node that answered) to `batch`."""
    rows = max(1, len(completions))
    columns = {
        "generated_text": pa.array([c.text for c in completions], type=pa.string()),
        "num_input_tokens": pa.array([c.input_tokens for c in completions], type=pa.int64()),
        "num_generated_tokens": pa.array([c.output_tokens for c in completions], type=pa.int64()),
        "finish_reason": pa.array([c.finish_reason for c in completions], type=pa.string()),
        "engine_error": pa.array([c.error for c in completions], type=pa.string()),
        SCHEMA_DECODED: pa.array([c.schema_decoded for c in completions], type=pa.bool_()),
        ENGINE_CPU_COLUMN: pa.array([cpu_seconds / rows] * len(completions), type=pa.float64()),
        ENGINE_GPU_COLUMN: pa.array([gpu_seconds / rows] * len(completions), type=pa.float64()),
        ENGINE_NODE_COLUMN: pa.array([node] * len(completions), type=pa.string()),
    }
    for name, values in columns.items():
        if name in batch.column_names:
            batch = batch.drop_columns([name])
        batch = batch.append_column(name, values)
    return batch


class CompletionWorker(ABC):
    """An actor-pool worker: loads a model once in `__init__`, then completes batches of rows.

    With a `ledger` (see attempt_ledger.py), a request that replicas have started
    `max_attempts` times without finishing (each start ended by the replica dying) becomes an
    error row instead of being run again. With a `store`, each answered batch is persisted
    before it is handed on, so a kill loses only the batches in flight.
    """

    num_gpus: float = 0.0

    def __init__(self, chat: bool, ledger: Any = None, max_attempts: int = 3,
                 store: Any = None) -> None:
        import ray

        self.chat = chat
        self.ledger = ledger
        self.max_attempts = max_attempts
        self.store = store
        self.node = ray.get_runtime_context().get_node_id() if ray.is_initialized() else None

    @abstractmethod
    def complete(self, row: dict[str, Any]) -> Completion:
        """Answer one row (`messages` or `prompt`, plus `sampling_params`)."""

    def __call__(self, batch: pa.Table) -> pa.Table:
        started_wall, started_cpu = time.perf_counter(), time.process_time()
        wanted = [c for c in (*COMPLETION_REQUEST, REQUEST_KEY, "sample_index")
                  if c in batch.column_names]
        completions = self.complete_all(batch.select(wanted).to_pylist())
        gpu_seconds = (time.perf_counter() - started_wall) * self.num_gpus
        answered = mark_sent(append_completions(batch, completions,
                                                time.process_time() - started_cpu,
                                                gpu_seconds, self.node))
        if self.store is not None:
            self.store.append(answered)
        return answered

    def complete_all(self, rows: list[dict[str, Any]]) -> list[Completion]:
        """Answers to `rows`, in order; one at a time, as a model replica computes them."""
        return [self._guarded_complete(row) for row in rows]

    def _guarded_complete(self, row: dict[str, Any]) -> Completion:
        """`complete(row)`, with exceptions and requests that keep killing replicas as errors."""
        import ray

        key = row.get(REQUEST_KEY) if self.ledger is not None else None
        if key is not None:
            started = ray.get(self.ledger.start.remote(key))
            if started > self.max_attempts:
                self.ledger.finish.remote(key)
                return Completion(None, 0, 0, "error", f"replica_died: {self.max_attempts} engine "
                                  "replicas died on this request; not retried again")
        try:
            completion = self.complete(row)
        except Exception as error:  # one bad request must not sink the batch
            completion = Completion(None, 0, 0, "error", f"{type(error).__name__}: {error}")
        if key is not None:
            self.ledger.finish.remote(key)
        return completion


class Engine(ModelRole):
    """A completion role: turns a dataset of requests into a dataset of completions."""

    request_columns = COMPLETION_REQUEST
    answer_schema = COMPLETION_ANSWER

    @property
    def kind(self) -> str:
        return str(self.config.engine)

    @property
    def constrains_replies(self) -> bool:
        """Whether this engine decodes a request's reply under its JSON schema."""
        return engine_decodes_under_schema(self.kind)

    def generate(self, ds: Dataset, *, chat: bool) -> Dataset:
        """Complete every row of `ds`; `chat` says whether rows carry `messages` or `prompt`.
        Requests the run's store already answered are replayed from it, not sent."""
        requests = ds.map_batches(fan_out_samples, batch_format="pyarrow")
        return self.answered(requests, partial(self._complete, chat=chat))

    @abstractmethod
    def _complete(self, ds: Dataset, *, chat: bool) -> Dataset:
        """Engine-specific part of `generate`, on rows already fanned out to n = 1 and keyed;
        answered rows come back marked sent (`mark_sent`) and persisted in `request_store`."""


def replica_guard(model_config: DictConfig, store: RequestStore | None = None) -> dict[str, Any]:
    """Constructor arguments that give a stage's CompletionWorkers one shared attempt ledger
    (it knows requests by their content key, so rows must come keyed, as `generate` keys
    them) and the role's request store."""
    from synth.engines.attempt_ledger import new_ledger

    return {"ledger": new_ledger(), "max_attempts": int(model_config.max_attempts_per_row),
            "store": store}
