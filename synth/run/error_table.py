"""The run's error table: every row an engine could not answer, with the stage and the reason.

Engine failures (a request that raised, timed out, or kept killing its replica) never stop a
run: the row is kept with `finish_reason="error"` and its `engine_error`, and the stage drops it.
After each stage the runner copies those rows to `errors/<NN_stage>.parquet`, so one folder
answers "what failed and why" without scanning every stage.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from synth.run.storage import driver_batches, parquet_dataset

ERROR_COLUMN = "engine_error"


def write_error_table(stage_output: Path, stage: str, target: Path) -> int:
    """Stream `stage_output`'s engine-error rows into `target` (Parquet, with a `stage`
    column); returns how many there were. Writes nothing when there were none."""
    dataset = parquet_dataset(stage_output)
    if dataset is None or ERROR_COLUMN not in dataset.schema.names:
        return 0
    written, sink, writer = 0, None, None
    try:
        for batch in driver_batches(dataset, dataset.schema.names,
                                    filter=pads.field(ERROR_COLUMN).is_valid()):
            if batch.num_rows == 0:
                continue
            table = pa.Table.from_batches([batch]).append_column(
                "stage", pa.array([stage] * batch.num_rows, type=pa.string()))
            if writer is None:
                target.parent.mkdir(parents=True, exist_ok=True)
                sink = target.open("wb")  # a local file or an object-storage key alike
                writer = pq.ParquetWriter(sink, table.schema)
            writer.write_table(table)
            written += batch.num_rows
    finally:
        if writer is not None:
            writer.close()
        if sink is not None:
            sink.close()
    return written


class ModelRoleFailed(RuntimeError):
    """Every request a stage sent to its model failed: a wrong URL or key, a dead server.
    Ending the run there keeps it from looking finished with nothing in it."""


def fail_if_every_request_failed(stage: str, role: str, record: dict, table: Path) -> None:
    """Raise ModelRoleFailed, quoting the first error, when no sent request was answered."""
    sent = record.get("requests_sent", 0)
    if sent and record["errors"] >= sent:
        raise ModelRoleFailed(f"stage {stage}: all {sent} requests to model role {role!r} "
                              f"failed; first error: {first_error(table)}")


def first_error(table: Path) -> str:
    """The `engine_error` text of the first row of an error table written above."""
    with table.open("rb") as source:
        errors = pq.read_table(source, columns=[ERROR_COLUMN]).column(ERROR_COLUMN)
    return str(errors[0].as_py()) if len(errors) else "(none recorded)"
