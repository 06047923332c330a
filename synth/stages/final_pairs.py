"""Shape kept rows into the final dataset: SFT-ready `messages` plus provenance.

Final columns: id, question, solution, answer, messages (user/assistant), method, agreement,
num_samples, provenance (models, sampling settings, seeds), then the method's own columns
(concept methods: concepts, topics, knowledge_points, combination_kind; GSDP: judge_score).
`datasets.load_dataset("parquet")` and TRL's SFTTrainer read `messages` as a conversation.
A column a method does not produce (agreement without a consensus vote) is null.
"""

from __future__ import annotations

from typing import Any

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

    def _finalize(self, batch: pa.Table) -> pa.Table:
        questions = batch.column("question").to_pylist()
        solutions = batch.column("solution").to_pylist()
        messages = [[{"role": "user", "content": q}, {"role": "assistant", "content": s}]
                    for q, s in zip(questions, solutions)]
        provenance = [{**self.provenance, "question_seed": seed}
                      for seed in batch.column("question_seed").to_pylist()]
        batch = (batch.append_column("messages", pa.array(messages, MESSAGES_TYPE))
                 .append_column("method", pa.array([self.method] * len(questions), pa.string()))
                 .append_column("provenance", pa.array(provenance, self.provenance_type)))
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
