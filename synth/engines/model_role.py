"""The model-role layer: every model a run calls is a ModelRole, and one place owns its
durability, its cost columns and its dry-run resource line.

A role is a model behind an autoscaling actor pool. What differs between roles is only what a
request is (`request_columns`), what an answer is (`answer_schema`) and how a batch of
requests is computed (`send`). The rest is here, the same for all of them:

- **Durability.** `answered(requests, send)` keys each request by content, replays those the
  run's request store already answered, sends only the rest, and the workers persist each
  answered batch as it finishes (request_replay.py).
- **Accounting.** Answered rows carry `_replayed`, `engine_error` and the measured CPU/GPU
  seconds, which the runner sums per stage and books to the role.
- **The resource line** the dry run prints for the role.

The completion engines (base.Engine: llama.cpp, transformers, HTTP, vLLM) and the scorers (the
generative judge, the reward model, the difficulty scorer, the embedding model) all build on
it; scorers' actor-pool workers are `ScoringWorker`s.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from functools import partial
from typing import Any

import pyarrow as pa
from omegaconf import DictConfig
from ray.data import Dataset

from synth.engines.columns import ENGINE_CPU_COLUMN, ENGINE_GPU_COLUMN, ENGINE_NODE_COLUMN
from synth.engines.request_replay import (
    ReplayLookup,
    RequestStore,
    already_answered,
    mark_sent,
    still_to_send,
    with_request_keys,
)


class ModelRole(ABC):
    """One model role of a run: `config` is its models.<role> section (model, replicas, batch
    size, CPUs/GPUs per replica). `request_store` (set by the runner for the run directory's
    `requests/<store_name>/`) makes it durable: without one (evaluation, training, a scorer
    used on its own) every request is sent."""

    kind: str = ""  # what serves the model, as the dry run and the model identity name it
    request_columns: tuple[str, ...] = ()  # the columns a request is keyed on
    answer_schema: pa.Schema = pa.schema([])  # the columns an answer adds, stored and replayed

    def __init__(self, role: str, config: DictConfig) -> None:
        self.role = role
        self.config = config
        self.request_store: RequestStore | None = None

    @property
    def store_name(self) -> str:
        """The folder under the run's `requests/` that holds this role's answers."""
        return self.role

    @property
    def model_identity(self) -> str:
        """What, besides the request itself, decides the answer: what serves it, and the model."""
        return f"{self.kind}:{self.config.model}"

    def open_store(self, location: str) -> None:
        """Persist this role's answers under `location` (a local path or object-storage URI)."""
        self.request_store = RequestStore(location, self.answer_schema)

    def answered(self, requests: Dataset, send: Callable[[Dataset], Dataset]) -> Dataset:
        """Every row of `requests` with its answer: replayed from the run's store where it has
        one, otherwise computed by `send` (whose workers mark rows sent and persist them)."""
        keyed = requests.map_batches(
            partial(with_request_keys, model_identity=self.model_identity,
                    request_columns=self.request_columns), batch_format="pyarrow")
        index = self.request_store.index() if self.request_store is not None else None
        if index is None:  # nothing persisted yet: every request goes to the model
            return send(keyed)
        # Materialised once: both halves read it, and a fully replayed stage (nothing left
        # to send) then starts no model replica at all.
        looked_up = keyed.map_batches(ReplayLookup(self.request_store, index),
                                      batch_format="pyarrow").materialize()
        replayed = looked_up.map_batches(already_answered, batch_format="pyarrow")
        pending = looked_up.map_batches(partial(still_to_send, answer_schema=self.answer_schema),
                                        batch_format="pyarrow")
        if pending.count() == 0:
            return replayed
        return send(pending).union(replayed)

    def resource_plan(self) -> str:
        """One line for the dry run: role, what serves it, model, replicas, resources each."""
        c = self.config
        low, high = c.replicas
        gpus = f", {c.num_gpus:g} GPU" if c.num_gpus else ""
        accelerator = f" ({c.accelerator_type})" if c.get("accelerator_type") else ""
        return (f"{self.role}: {self.kind} {c.model}, replicas {low}..{high}, "
                f"{c.num_cpus:g} CPU{gpus}{accelerator} per replica")


class ScoringWorker(ABC):
    """An actor-pool worker of a scoring role: loads its model once in `__init__`, then adds the
    role's answer columns to batches, with the batch's measured cost, and persists each
    answered batch in the role's store (when it has one) before handing it on."""

    def __init__(self, answer_schema: pa.Schema, num_gpus: float = 0.0,
                 store: RequestStore | None = None) -> None:
        import ray

        self.answer_schema = answer_schema
        self.num_gpus = num_gpus
        self.store = store
        self.node = ray.get_runtime_context().get_node_id() if ray.is_initialized() else None

    @abstractmethod
    def answers(self, batch: pa.Table) -> dict[str, list[Any]]:
        """The answer columns (those of `answer_schema`) for every row of `batch`."""

    def __call__(self, batch: pa.Table) -> pa.Table:
        started_wall, started_cpu = time.perf_counter(), time.process_time()
        values = self.answers(batch)
        rows = max(1, batch.num_rows)
        cpu = (time.process_time() - started_cpu) / rows
        gpu = (time.perf_counter() - started_wall) * self.num_gpus / rows
        columns = {field.name: pa.array(values[field.name], field.type)
                   for field in self.answer_schema}
        columns |= {"engine_error": pa.nulls(batch.num_rows, pa.string()),
                    ENGINE_CPU_COLUMN: pa.array([cpu] * batch.num_rows, pa.float64()),
                    ENGINE_GPU_COLUMN: pa.array([gpu] * batch.num_rows, pa.float64()),
                    ENGINE_NODE_COLUMN: pa.array([self.node] * batch.num_rows, pa.string())}
        batch = batch.drop_columns([name for name in columns if name in batch.column_names])
        for name, column in columns.items():
            batch = batch.append_column(name, column)
        answered = mark_sent(batch)
        if self.store is not None:
            self.store.append(answered)
        return answered


def on_model_replicas(ds: Dataset, worker: type, model_config: DictConfig,
                      **constructor_kwargs: Any) -> Dataset:
    """`ds` mapped through `worker` on an autoscaling actor pool sized by a model role's config
    (replicas [min, max], batch size, CPUs/GPUs and accelerator type per replica).
    Ray Data places the replicas with its SPREAD default, one per node where resources allow."""
    from ray.data import ActorPoolStrategy

    c = model_config
    low, high = c.replicas
    return ds.map_batches(worker, fn_constructor_kwargs=constructor_kwargs,
                          batch_size=c.batch_size, batch_format="pyarrow",
                          compute=ActorPoolStrategy(min_size=low, max_size=high),
                          num_cpus=c.num_cpus, num_gpus=c.num_gpus or None,
                          accelerator_type=c.get("accelerator_type"))
