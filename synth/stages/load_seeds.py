"""Source stage of the concept-graph methods: read seed problems into `id, question, solution`.

Seeds stream through Ray Data (JSONL, Parquet or a Hugging Face dataset) or come from the
`champ-dataset` package (270 competition problems, offline). Ids derive from the question text,
so the same seed file gives the same ids on every run.
"""

from __future__ import annotations

import gzip
from typing import Any

import pyarrow as pa
import ray
from ray.data import Dataset

from synth.config.concept_methods import SeedsConfig
from synth.data_files import BAD_RECORD, DataFileError, parse_record
from synth.row_ids import stable_id
from synth.stages.base import Stage, with_drop_reasons

SOURCE_LINE = "source_line"  # a seed row's line in the JSONL file it was read from


class LoadSeedsStage(Stage):
    """Rows `id`, `question`, `solution` (null when the seeds have none), `seed_topics`
    (the seeds' own topic label when `topic_field` names one) and, for JSONL seeds, the
    record's `source_line`; empty questions dropped as `empty`, malformed records as
    `bad_record`."""

    name = "load_seeds"
    reads, writes = "seeds", "seeds"
    local_columns = (SOURCE_LINE,)

    def __init__(self, config: SeedsConfig) -> None:
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
        if config.path and config.path.endswith(".parquet"):
            return ray.data.read_parquet(config.path)
        if config.path:  # JSONL: parsed line by line, so a bad line is a dropped row, not a crash
            return ray.data.read_binary_files(config.path).flat_map(_numbered_raw_lines)
        import datasets

        try:  # the Hub cannot be asked before Ray starts without network: asked first thing here
            loaded = datasets.load_dataset(config.hf_dataset, config.hf_config, split=config.split)
        except Exception as error:  # offline, unknown name or split: one line naming the source
            first = next(iter(str(error).strip().splitlines()), "")
            raise DataFileError(f"seeds: cannot load hf_dataset {config.hf_dataset!r} "
                                f"({type(error).__name__}: {first})") from None
        return ray.data.from_huggingface(loaded)

    def _fields(self) -> tuple[str, str | None, str | None]:
        if self.config.packaged:
            return "question", "solution", self.config.topic_field
        return self.config.question_field, self.config.solution_field, self.config.topic_field

    def _to_seeds(self, batch: pa.Table) -> pa.Table:
        """Seed rows from records that are columns of `batch` (Parquet, Hub, packaged)."""
        question_field, solution_field, topic_field = self._fields()
        def column(name: str | None) -> list:
            present = name is not None and name in batch.column_names
            return batch.column(name).to_pylist() if present else [None] * batch.num_rows
        return _seed_table(column(question_field), column(solution_field), column(topic_field),
                           [None] * batch.num_rows, [None] * batch.num_rows)

    def _jsonl_to_seeds(self, batch: pa.Table) -> pa.Table:
        """Seed rows from raw JSONL lines; a line that is no JSON object, or lacks the question
        field, is a `bad_record` row that keeps its line number."""
        question_field, solution_field, topic_field = self._fields()
        questions, solutions, labels, problems = [], [], [], []
        for raw in batch.column("raw").to_pylist():
            try:
                record = parse_record(raw)
                if question_field not in record:
                    raise ValueError(f"no field {question_field!r}")
            except ValueError:
                record = None
            record = record or {}
            questions.append(record.get(question_field))
            solutions.append(record.get(solution_field) if solution_field else None)
            labels.append(record.get(topic_field) if topic_field else None)
            problems.append(None if record else BAD_RECORD)
        return _seed_table(questions, solutions, labels, problems,
                           batch.column(SOURCE_LINE).to_pylist())

    def apply(self, rows: Dataset | None) -> Dataset:
        records = self._records()
        if self.config.limit:
            records = records.limit(self.config.limit)
        jsonl = bool(self.config.path) and not self.config.path.endswith(".parquet")
        return records.map_batches(self._jsonl_to_seeds if jsonl else self._to_seeds,
                                   batch_format="pyarrow")


def _numbered_raw_lines(file: dict[str, Any]) -> list[dict[str, Any]]:
    """Every non-blank line of one read JSONL file (gzipped or not) with its line number."""
    content = file["bytes"]
    if content[:2] == b"\x1f\x8b":
        content = gzip.decompress(content)
    return [{SOURCE_LINE: number, "raw": raw}
            for number, raw in enumerate(content.splitlines(), start=1) if raw.strip()]


def _seed_table(questions: list, solutions: list, labels: list, problems: list[str | None],
                lines: list[int | None]) -> pa.Table:
    """The stage's rows; a row with no problem but an empty question is dropped as `empty`."""
    questions = [str(q or "").strip() for q in questions]
    table = pa.table({
        "id": pa.array([stable_id("seed", q) for q in questions], pa.string()),
        "question": pa.array(questions, pa.string()),
        "solution": pa.array([None if s is None else str(s) for s in solutions], pa.string()),
        "seed_topics": pa.array([[str(t)] if t else [] for t in labels], pa.list_(pa.string())),
        SOURCE_LINE: pa.array(lines, pa.int64()),
    })
    reasons = [problem or (None if question else "empty")
               for problem, question in zip(problems, questions)]
    return with_drop_reasons(table, reasons)
