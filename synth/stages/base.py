"""What a stage is: a small spec the runner can plan, wire and account for.

A stage declares the columns it needs (checked before it runs) and turns the previous stage's
kept rows into its own rows. It never drops a row silently: a row it rejects stays in its
output with a `drop_reason`, which the runner counts and the next stage never sees. The runner,
not the stage, decides where rows are read from and written to, so a stage runs the same on a
laptop and on a cluster.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import pyarrow as pa
from ray.data import Dataset

from synth.engines.base import Engine
from synth.engines.columns import (
    ENGINE_CPU_COLUMN,
    ENGINE_GPU_COLUMN,
    ENGINE_NODE_COLUMN,
    REQUEST_KEY,
)
from synth.engines.model_role import ModelRole
from synth.engines.request_replay import REPLAYED
from synth.structured_replies import SCHEMA_DECODED

DROP_REASON = "drop_reason"
# Columns any stage may write about its own work: its drop reasons, and an engine round trip's
# tokens, cost and diagnostics. The runner counts/sums them from that stage's Parquet and strips
# them, with the stage's own `local_columns`, before the next stage, so each stage's accounting
# covers its own work only.
STAGE_LOCAL_COLUMNS = (DROP_REASON, "num_input_tokens", "num_generated_tokens", "finish_reason",
                       "engine_error", ENGINE_CPU_COLUMN, ENGINE_GPU_COLUMN, ENGINE_NODE_COLUMN,
                       REQUEST_KEY, REPLAYED, SCHEMA_DECODED)


class Stage(ABC):
    """One step of a pipeline."""

    name: str = ""
    requires: tuple[str, ...] = ()  # columns the input rows must have
    count_columns: tuple[str, ...] = ()  # value counts of these go to summary.json
    local_columns: tuple[str, ...] = ()  # columns about its own verdicts, not passed to the next stage
    funnel_label: str | None = None  # the paper's name for the filter it is, in the run's filter funnel
    engine: Engine | None = None  # the completion role this stage spends tokens on, if any
    reads: str = "questions"  # what one input row is (its record's `rows_in_are`)
    writes: str = "questions"  # what one written row is (`rows_written_are`): solve writes samples
    reply_decoding: str | None = None  # a stage whose reply has a shape: how it is decoded

    @abstractmethod
    def apply(self, rows: Dataset | None) -> Dataset:
        """This stage's output rows; `rows` is None for a source stage."""

    @property
    def model_roles(self) -> tuple[ModelRole, ...]:
        """Every model this stage calls; the runner gives each its request store."""
        return (self.engine,) if self.engine else ()

    @property
    def model_role(self) -> str | None:
        """The model role this stage's tokens and seconds are booked to in summary.json."""
        return self.model_roles[0].role if self.model_roles else None

    def output_schema(self) -> pa.Schema:
        """The columns this stage writes: the schema of a run's empty final dataset when this
        stage ends the plan (final_pairs gives its full schema)."""
        return pa.schema([])

    def describe(self) -> str:
        """One line for the dry run."""
        return "  ".join([self.name, *(f"[{role.resource_plan()}]" for role in self.model_roles),
                          *([f"[{self.reply_decoding}]"] if self.reply_decoding else [])])


def with_drop_reasons(batch: pa.Table, reasons: list[str | None]) -> pa.Table:
    """`batch` with its `drop_reason` column set (None = kept), always typed as string."""
    if DROP_REASON in batch.column_names:
        batch = batch.drop_columns([DROP_REASON])
    return batch.append_column(DROP_REASON, pa.array(reasons, type=pa.string()))


class RowFilter(Stage):
    """A stage that keeps or drops rows one at a time; subclasses write `reason`."""

    @abstractmethod
    def reason(self, row: dict[str, Any]) -> str | None:
        """Why `row` is dropped, or None to keep it."""

    def _mark(self, batch: pa.Table) -> pa.Table:
        rows = batch.select(list(self.requires)).to_pylist()
        return with_drop_reasons(batch, [self.reason(row) for row in rows])

    def apply(self, rows: Dataset | None) -> Dataset:
        return rows.map_batches(self._mark, batch_format="pyarrow")
