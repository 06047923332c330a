"""Shape kept rows into the final dataset: SFT-ready `messages` plus provenance.

Final columns: id, question, solution, answer, messages (user/assistant), method, agreement,
num_samples, provenance (models, sampling settings, seeds). `datasets.load_dataset("parquet")`
and TRL's SFTTrainer read the `messages` column as a conversation directly.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from ray.data import Dataset

from synth.stages.base import Stage

FINAL_COLUMNS = ("id", "question", "solution", "answer", "messages", "method", "agreement",
                 "num_samples", "provenance")


class FinalPairsStage(Stage):
    """Adds `messages`, `method` and `provenance`; keeps only the final columns."""

    name = "final_pairs"
    requires = ("id", "question", "solution", "answer", "agreement", "num_samples",
                "question_seed")

    def __init__(self, method: str, provenance: dict[str, Any]) -> None:
        self.method = method
        self.provenance = provenance  # run-wide part: models, sampling settings, run seed

    def _finalize(self, batch: pa.Table) -> pa.Table:
        questions = batch.column("question").to_pylist()
        solutions = batch.column("solution").to_pylist()
        messages = [[{"role": "user", "content": q}, {"role": "assistant", "content": s}]
                    for q, s in zip(questions, solutions)]
        provenance = [{**self.provenance, "question_seed": seed}
                      for seed in batch.column("question_seed").to_pylist()]
        batch = (batch.append_column("messages", pa.array(messages))
                 .append_column("method", pa.array([self.method] * len(questions), pa.string()))
                 .append_column("provenance", pa.array(provenance)))
        return batch.select(list(FINAL_COLUMNS))

    def apply(self, rows: Dataset | None) -> Dataset:
        return rows.map_batches(self._finalize, batch_format="pyarrow")
