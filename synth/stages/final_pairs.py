"""Shape kept rows into the final dataset: SFT-ready `messages` plus provenance.

Final columns: id, question, solution, answer, messages (user/assistant), method, agreement,
num_samples, provenance (models, sampling settings, seeds), then the method's own columns
(concept methods: concepts, topics, knowledge_points, combination_kind; GSDP: judge_score).
`datasets.load_dataset("parquet")` and TRL's SFTTrainer read `messages` as a conversation.
A column a method does not produce (agreement without a consensus vote) is null.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
from ray.data import Dataset

from synth.stages.base import Stage

FINAL_COLUMNS = ("id", "question", "solution", "answer", "messages", "method", "agreement",
                 "num_samples", "provenance")
CONCEPT_COLUMNS = ("concepts", "topics", "knowledge_points", "combination_kind")
OPTIONAL_TYPES = {"agreement": pa.float64(), "num_samples": pa.int64()}
MESSAGES_TYPE = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))
# The input columns this stage reads, typed as the stages before it write them.
INPUT_TYPES = {"id": pa.string(), "question": pa.string(), "solution": pa.string(),
               "answer": pa.string(), "question_seed": pa.int64(), "kind": pa.string(),
               "topics": pa.list_(pa.string()), "knowledge_points": pa.list_(pa.string()),
               "judge_score": pa.float64()}


def _turns(batch: pa.Table) -> pa.StructArray:
    """The user and assistant turn of every row, interleaved: question 0, solution 0, ..."""
    rows = batch.num_rows
    turn = np.arange(2 * rows)
    order = pa.array(turn // 2 + (turn % 2) * rows)
    content = pa.concat_arrays([batch.column("question").combine_chunks().cast(pa.string()),
                                batch.column("solution").combine_chunks().cast(pa.string())])
    roles = pa.array(["user", "assistant"] * rows, pa.string())
    return pa.StructArray.from_arrays([roles, content.take(order)], fields=list(MESSAGES_TYPE.value_type))


class FinalPairsStage(Stage):
    """Adds `messages`, `method` and `provenance`; keeps the final columns (+ `extra_columns`)."""

    name = "final_pairs"
    reads, writes = "questions", "pairs"

    def __init__(self, method: str, provenance: dict[str, Any],
                 extra_columns: tuple[str, ...] = ()) -> None:
        self.method = method
        self.provenance = provenance  # run-wide part: models, sampling settings, run seed
        # Typed once, so an empty batch gets the same struct type as a full one.
        self.provenance_type = pa.array([{**provenance, "question_seed": 0}]).type
        self.extra_columns = extra_columns
        derived = {"concepts", "combination_kind"}
        self.requires = ("id", "question", "solution", "answer", "question_seed",
                         *(c for c in extra_columns if c not in derived))

    def _provenance(self, batch: pa.Table) -> pa.StructArray:
        """The run-wide provenance repeated per row (built column-wise: at a million rows a
        dict per row costs more than the rest of the stage), plus each row's question seed."""
        rows = batch.num_rows
        fields = [batch.column("question_seed").combine_chunks().cast(field.type)
                  if field.name == "question_seed"
                  else pa.repeat(pa.scalar(self.provenance[field.name], field.type), rows)
                  for field in self.provenance_type]
        return pa.StructArray.from_arrays(fields, fields=list(self.provenance_type))

    def _finalize(self, batch: pa.Table) -> pa.Table:
        rows = batch.num_rows
        messages = pa.ListArray.from_arrays(pa.array(range(0, 2 * rows + 1, 2), pa.int32()),
                                            _turns(batch))
        batch = (batch.append_column("messages", messages)
                 .append_column("method", pa.repeat(pa.scalar(self.method), rows))
                 .append_column("provenance", self._provenance(batch)))
        for name, kind in OPTIONAL_TYPES.items():
            if name not in batch.column_names:
                batch = batch.append_column(name, pa.nulls(batch.num_rows, kind))
        if "concepts" in self.extra_columns:
            concepts = [t + k for t, k in zip(batch.column("topics").to_pylist(),
                                              batch.column("knowledge_points").to_pylist())]
            batch = batch.append_column("concepts", pa.array(concepts, pa.list_(pa.string())))
        if "combination_kind" in self.extra_columns:
            batch = batch.append_column("combination_kind", batch.column("kind"))
        return batch.select([*FINAL_COLUMNS, *self.extra_columns])

    def apply(self, rows: Dataset | None) -> Dataset:
        return rows.map_batches(self._finalize, batch_format="pyarrow")

    def output_schema(self) -> pa.Schema:
        """The final dataset's columns and types."""
        columns = [*self.requires, *(["kind"] if "combination_kind" in self.extra_columns else [])]
        empty = pa.schema([(name, INPUT_TYPES[name]) for name in columns]).empty_table()
        return self._finalize(empty).schema
