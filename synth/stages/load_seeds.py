"""Source stage of the concept-graph methods: read seed problems into `id, question, solution`.

Seeds stream through Ray Data (JSONL, Parquet or a Hugging Face dataset) or come from the
`champ-dataset` package (270 competition problems, offline). Ids derive from the question text,
so the same seed file gives the same ids on every run.
"""

from __future__ import annotations

import pyarrow as pa
import ray
from omegaconf import DictConfig
from ray.data import Dataset

from synth.row_ids import stable_id
from synth.stages.base import Stage, with_drop_reasons

PACKAGED_SEEDS = ("champ",)


class SeedLoadingStage(Stage):
    """Rows `id`, `question`, `solution` (null when the seeds have none), `seed_topics`
    (the seeds' own topic label when `topic_field` names one); empty questions dropped."""

    name = "load_seeds"

    def __init__(self, config: DictConfig) -> None:
        self.config = config

    def describe(self) -> str:
        source = self.config.packaged or self.config.path or self.config.hf_dataset
        limit = f", first {self.config.limit}" if self.config.limit else ""
        return f"{self.name}  [{source}{limit}]"

    def _records(self) -> Dataset:
        config = self.config
        if config.packaged:
            from synth.concepts.champ_seeds import champ_seed_records

            return ray.data.from_items(champ_seed_records())
        if config.path:
            reader = ray.data.read_parquet if config.path.endswith(".parquet") else ray.data.read_json
            return reader(config.path)
        import datasets

        return ray.data.from_huggingface(
            datasets.load_dataset(config.hf_dataset, config.hf_config, split=config.split))

    def _to_seeds(self, batch: pa.Table) -> pa.Table:
        question_field = "question" if self.config.packaged else self.config.question_field
        solution_field = "solution" if self.config.packaged else self.config.solution_field
        questions = [str(q or "").strip() for q in batch.column(question_field).to_pylist()]
        solutions = (batch.column(solution_field).to_pylist()
                     if solution_field and solution_field in batch.column_names
                     else [None] * batch.num_rows)
        topic_field = self.config.topic_field
        labels = (batch.column(topic_field).to_pylist() if topic_field else [None] * batch.num_rows)
        table = pa.table({
            "id": pa.array([stable_id("seed", q) for q in questions], pa.string()),
            "question": pa.array(questions, pa.string()),
            "solution": pa.array([None if s is None else str(s) for s in solutions], pa.string()),
            "seed_topics": pa.array([[str(t)] if t else [] for t in labels], pa.list_(pa.string())),
        })
        return with_drop_reasons(table, [None if q else "empty" for q in questions])

    def apply(self, rows: Dataset | None) -> Dataset:
        records = self._records()
        if self.config.limit:
            records = records.limit(self.config.limit)
        return records.map_batches(self._to_seeds, batch_format="pyarrow")
