"""Reading the JSONL and Parquet files a config names (seeds, benchmarks, question sets), and
checking them before Ray starts.

A run that meets a bad file after its models have loaded has wasted the loading, and a
traceback from inside a Ray task names neither the file nor the line. So every file a config
names is opened before any work: readable, UTF-8, JSON objects one per line (or a Parquet
schema), not empty, and the fields the config names present in its first records. What is
wrong is one line naming the file, the line and the cause:

    seeds: data/seeds.jsonl line 7: not a JSON object (Expecting ',' delimiter: ...)

Only the first PREFLIGHT_LINES lines are read then; a bad record further in is met by the stage
that reads the file, which drops it as `bad_record` with its line (load_seeds.py).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

PREFLIGHT_LINES = 1000  # lines (or Parquet rows) read from each file before Ray starts
BAD_RECORD = "bad_record"  # the drop reason of a malformed record met mid-run


class DataFileError(ValueError):
    """A data file a config names cannot be used: its one-line message names the file, the
    line where that applies, and what is wrong."""


def parse_record(raw: bytes) -> dict:
    """One JSONL line as a JSON object; ValueError says why it is not one."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    try:
        record = json.loads(text)
    except ValueError as error:
        raise ValueError(f"not a JSON object ({error})") from None
    if not isinstance(record, dict):
        raise ValueError(f"not a JSON object (a JSON {type(record).__name__}, not an object)")
    return record


def numbered_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, raw line) of every non-blank line of a JSONL file, gzipped or not."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if raw.strip():
                yield number, raw


def read_jsonl(path: Path, label: str, limit: int | None = None) -> list[tuple[int, dict]]:
    """(line number, record) of every record of a JSONL file, or of its first `limit` lines;
    a malformed line is a DataFileError naming `label`, the file and the line."""
    records = []
    try:
        for number, raw in numbered_lines(path):
            if limit is not None and number > limit:
                break
            try:
                records.append((number, parse_record(raw)))
            except ValueError as error:
                raise DataFileError(f"{label}: {path} line {number}: {error}") from None
    except OSError as error:  # unreadable, or a .gz that is not gzip
        raise DataFileError(f"{label}: cannot read {path} ({error.strerror or error})") from None
    return records


def check_data_file(label: str, path: str, fields: list[str]) -> None:
    """Before Ray starts: `path` is readable, not empty, and its first records (or its Parquet
    schema) hold every one of `fields`. Raises DataFileError otherwise."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise DataFileError(f"{label}: file not found: {file}")
    if file.suffix == ".parquet":
        _check_parquet(label, file, fields)
        return
    records = read_jsonl(file, label, limit=PREFLIGHT_LINES)
    if not records:
        raise DataFileError(f"{label}: {file} holds no records (the file is empty)")
    for number, record in records:
        missing = [name for name in fields if name not in record]
        if missing:
            raise DataFileError(f"{label}: {file} line {number}: no field {missing[0]!r} "
                                f"(fields: {', '.join(record) or 'none'})")


def _check_parquet(label: str, file: Path, fields: list[str]) -> None:
    try:
        metadata = pq.read_metadata(file)
    except (OSError, pa.ArrowException) as error:
        raise DataFileError(f"{label}: {file} is not a readable Parquet file ({error})") from None
    names = metadata.schema.to_arrow_schema().names
    missing = [name for name in fields if name not in names]
    if missing:
        raise DataFileError(f"{label}: {file} has no column {missing[0]!r} "
                            f"(columns: {', '.join(names) or 'none'})")
    if metadata.num_rows == 0:
        raise DataFileError(f"{label}: {file} holds no records (0 rows)")
