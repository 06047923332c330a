"""Count what a stage did from the Parquet it wrote: rows kept, drop reasons, tokens, cost.

A stage that asked for replies under a JSON schema counts how they were decoded
(`replies_decoded`: `schema`, or `free_text_fallback` where a server refused the schema).
An engine stage also counts its requests: `requests_total`, `requests_replayed` (answered from
the run's request store) and `requests_sent`. Tokens and seconds are those of sent requests
only, so cost figures never charge a rerun for work an earlier run paid for.

Reading only the small bookkeeping columns batch by batch keeps the driver's memory flat
however many rows the stage wrote, and the numbers always agree with the files on disk.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from synth.engines.base import ENGINE_CPU_COLUMN, ENGINE_GPU_COLUMN, ENGINE_NODE_COLUMN
from synth.engines.request_replay import REPLAYED
from synth.run.storage import driver_batches, parquet_dataset
from synth.stages.base import DROP_REASON
from synth.structured_replies import SCHEMA_DECODED

SUMMED_COLUMNS = {"num_input_tokens": "tokens_in", "num_generated_tokens": "tokens_out",
                  ENGINE_CPU_COLUMN: "engine_cpu_seconds", ENGINE_GPU_COLUMN: "gpu_seconds"}


def value_counts(values: pa.Array) -> Counter[str]:
    """How often each non-null value occurs, keyed by its text, counted in Arrow: a Python
    value per row would cost the driver memory and time in proportion to the stage's rows."""
    counted = pc.value_counts(values)
    return Counter({str(value): count for value, count in
                    zip(counted.field("values").to_pylist(), counted.field("counts").to_pylist())
                    if value is not None})


def count_stage_output(path: Path, count_columns: tuple[str, ...] = ()) -> dict[str, Any]:
    """rows_written, rows_out (kept), dropped reasons, value counts and sums of a stage's output,
    and the rows each Ray node's engine replicas answered (`nodes`). Null values are not
    counted (a replayed request was answered on no node this run; a row may have no label)."""
    stats: dict[str, Any] = {"rows_written": 0, "rows_out": 0, "dropped": {}, "counts": {},
                             "nodes": {}, **{name: 0 for name in SUMMED_COLUMNS.values()}}
    dataset = parquet_dataset(path)
    if dataset is None:
        return stats
    present = set(dataset.schema.names)
    wanted_counts = [c for c in (*count_columns, ENGINE_NODE_COLUMN, SCHEMA_DECODED)
                     if c in present]
    columns = [c for c in (DROP_REASON, REPLAYED, *SUMMED_COLUMNS, *wanted_counts) if c in present]
    dropped: Counter[str] = Counter()
    counts: dict[str, Counter[str]] = {c: Counter() for c in wanted_counts}
    totals = Counter()
    for batch in driver_batches(dataset, columns):
        stats["rows_written"] += batch.num_rows
        if DROP_REASON in present:
            dropped.update(value_counts(batch.column(DROP_REASON)))
        sent = batch
        if REPLAYED in present:
            replayed = batch.column(REPLAYED)
            totals["requests_total"] += len(replayed) - replayed.null_count
            totals["requests_replayed"] += pc.sum(replayed).as_py() or 0
            sent = batch.filter(pc.invert(pc.fill_null(replayed, True)))
        for column, name in SUMMED_COLUMNS.items():
            if column in present:
                totals[name] += pc.sum(sent.column(column)).as_py() or 0
        for column in wanted_counts:
            counts[column].update(value_counts(batch.column(column)))
    stats["rows_out"] = stats["rows_written"] - sum(dropped.values())
    stats["dropped"] = dict(dropped.most_common())
    stats["nodes"] = dict(counts.pop(ENGINE_NODE_COLUMN, Counter()).most_common())
    decoded = counts.pop(SCHEMA_DECODED, Counter())
    if decoded:
        stats["replies_decoded"] = {"schema": decoded["True"], "free_text_fallback": decoded["False"]}
    stats["counts"] = {c: dict(counter.most_common()) for c, counter in counts.items()}
    for name in SUMMED_COLUMNS.values():
        stats[name] = round(totals[name], 3) if isinstance(totals[name], float) else int(totals[name])
    if REPLAYED in present:
        stats["requests_total"] = int(totals["requests_total"])
        stats["requests_replayed"] = int(totals["requests_replayed"])
        stats["requests_sent"] = stats["requests_total"] - stats["requests_replayed"]
    return stats
