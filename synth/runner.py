"""Run a stage plan: stream each stage from the previous one's Parquet, write, account, resume.

The runner owns where rows live and what they cost; stages only transform datasets. Stage i
reads the kept rows of stage i-1 (dropped rows and the previous stage's bookkeeping columns
filtered out), runs, and is written as one Parquet dataset. A completed stage is skipped when
the same command runs again, so a killed run resumes at the first unfinished stage.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from omegaconf import DictConfig

from synth.ray_session import off_the_driver, start_ray
from synth.report.data_card import write_data_card
from synth.report.run_report import write_report
from synth.run.directory import RunDirectory
from synth.run.error_table import fail_if_every_request_failed, write_error_table
from synth.run.stage_counts import count_stage_output
from synth.run.storage import parquet_bytes, parquet_dataset, remove_tree
from synth.run.summary import run_summary
from synth.shuffle_sizing import sized_shuffles
from synth.stages.base import DROP_REASON, STAGE_LOCAL_COLUMNS, Stage


class StageInputError(RuntimeError):
    """A stage's required columns are missing from its input: the plan is wired wrongly."""


def run_pipeline(cfg: DictConfig, stages: list[Stage], report: Callable[[str], None] = print,
                 writes_final: bool = True) -> dict[str, Any]:
    """Run `stages` into the run directory `cfg` names; returns the summary written to disk.

    `writes_final=False` runs the first stages of a plan only (`synth graph build`): every
    stage lands in stages/, so the full plan later resumes from them, and no data card is written.
    """
    run_dir = RunDirectory.for_config(cfg)
    for change in run_dir.prepare(cfg):
        report(f"growing run {cfg.run.name}: {change}; every stage is redone, answered "
               "requests are replayed")
    start_ray(cfg.ray)
    started = dt.datetime.now(dt.timezone.utc)
    records: list[dict[str, Any]] = []
    previous: Path | None = None
    local_columns: tuple[str, ...] = ()  # what the previous stage wrote about its own work
    emptied: str | None = None  # why the run stopped early, when a stage kept no rows
    for position, stage in enumerate(stages, start=1):
        last = writes_final and position == len(stages)
        path = run_dir.final_path if last else run_dir.stage_path(position, stage.name)
        record_path = run_dir.record_path(position, stage.name)
        rows_in = records[-1]["rows_out"] if records else 0
        record = run_dir.read_record(record_path)
        if record is not None:
            record["resumed"] = True
            report(f"[{position}/{len(stages)}] {stage.name}: already complete, skipped")
        else:
            report(f"[{position}/{len(stages)}] {stage.name}: running")
            for role in stage.model_roles:
                role.open_store(str(run_dir.requests_path(role.store_name)))
            partial = run_dir.partial_path(path)
            error_path = run_dir.error_path(position, stage.name)
            record = _run_stage(stage, previous, local_columns, partial, rows_in, error_path)
            if stage.model_role is not None:
                fail_if_every_request_failed(stage.name, stage.model_role, record, error_path)
            run_dir.commit(partial, path, record_path, record)
        records.append(record)
        replay = (f", {record['requests_replayed']} of {record['requests_total']} requests replayed"
                  if record.get("requests_replayed") else "")
        report(f"[{position}/{len(stages)}] {stage.name}: {record['rows_in']} in, "
               f"{record['rows_out']} out, {record['wall_seconds']:.1f}s{replay}")
        previous, local_columns = path, stage.local_columns
        if record["rows_out"] == 0 and position < len(stages):
            emptied = nothing_left(record, [later.name for later in stages[position:]])
            report(f"synth: {emptied}")
            if writes_final:  # an empty final dataset, typed as a full one would be
                previous = run_dir.final_path
                write_empty_dataset(stages[-1].output_schema(), previous)
            break
    summary = run_summary(cfg, run_dir, records, started, previous if writes_final else None)
    summary["stopped_early"] = emptied
    run_dir.write_summary(summary)
    write_report(cfg, run_dir, summary)
    if writes_final:
        write_data_card(cfg, run_dir, summary)
        report(f"report: {run_dir.report_dir / 'report.md'}; data card: {run_dir.card_path}")
    return summary


def read_kept_rows(path: Path, local_columns: tuple[str, ...] = ()):
    """The rows a stage kept, without the bookkeeping columns every stage may write and the
    stage's own `local_columns`; None if it kept none."""
    import ray
    from ray.data.expressions import col

    dataset = parquet_dataset(path)
    if dataset is None:
        return None
    names = dataset.schema.names
    rows = ray.data.read_parquet(str(path))
    if DROP_REASON in names:
        rows = rows.filter(expr=col(DROP_REASON).is_null())
    return rows.drop_columns([c for c in (*STAGE_LOCAL_COLUMNS, *local_columns) if c in names])


def _check_inputs(stage: Stage, previous: Path | None) -> None:
    """Fail before any work when the previous stage's schema lacks a required column."""
    dataset = parquet_dataset(previous) if previous is not None and stage.requires else None
    missing = [c for c in stage.requires if dataset is not None and c not in dataset.schema.names]
    if missing:
        raise StageInputError(f"stage {stage.name} needs columns {missing} that {previous} lacks")


def _run_stage(stage: Stage, previous: Path | None, local_columns: tuple[str, ...],
               partial: Path, rows_in: int, error_path: Path) -> dict[str, Any]:
    """Run one stage into the scratch directory `partial` and return its record."""
    _check_inputs(stage, previous)
    remove_tree(partial)  # leftovers of a killed run
    wall, cpu = time.perf_counter(), time.process_time()
    # A dataset keeps the Ray Data context it was made in: read the input inside the block.
    with sized_shuffles(parquet_bytes(previous) if previous is not None else 0) as partitions:
        inputs = read_kept_rows(previous, local_columns) if previous is not None else None
        if previous is None or inputs is not None:  # nothing to do after a stage that kept no rows
            stage.apply(inputs).write_parquet(str(partial))
    stats, errors = off_the_driver(account_stage_output, partial, stage.count_columns,
                                   stage.name, error_path)
    record = {
        "stage": stage.name,
        "model_role": stage.model_role,
        "rows_in": rows_in if previous is not None else stats["rows_written"],
        "rows_in_are": stage.reads,
        "rows_written_are": stage.writes,
        **({"funnel_label": stage.funnel_label} if stage.funnel_label else {}),
        "shuffle_partitions": partitions,  # what a groupby or join without its own number used
        **({"reply_decoding": stage.reply_decoding} if stage.reply_decoding else {}),
        **stats,
        "wall_seconds": round(time.perf_counter() - wall, 3),
        "cpu_seconds": round(stats.pop("engine_cpu_seconds") + time.process_time() - cpu, 3),
        "resumed": False,
        "errors": errors,
    }
    return record


def account_stage_output(partial: Path, count_columns: tuple[str, ...], stage_name: str,
                         error_path: Path) -> tuple[dict[str, Any], int]:
    """A finished stage's counts, and its engine-error rows copied to `error_path`."""
    return (count_stage_output(partial, count_columns),
            write_error_table(partial, stage_name, error_path))


def nothing_left(record: dict[str, Any], not_run: list[str]) -> str:
    """The line a run that kept no rows ends with: the stage, and the drop reason that removed
    the most of its rows."""
    dropped = record.get("dropped") or {}
    if dropped:
        reason, count = next(iter(dropped.items()))  # most common first
        cause = f"'{reason}' dropped {count} of its {record['rows_written']} rows"
    else:
        cause = f"it wrote no rows from {record['rows_in']} in"
    return (f"no rows left after {record['stage']}: {cause}; not run: {', '.join(not_run)}; "
            "the final dataset is empty")


def write_empty_dataset(schema: pa.Schema, final_path: Path) -> None:
    """One Parquet file with the final schema and no row group: pyarrow, pandas and Ray Data
    read it as 0 rows (`datasets` refuses any empty split, but cleanly, not on an empty row
    group)."""
    remove_tree(final_path)
    final_path.mkdir(parents=True, exist_ok=True)
    with (final_path / "part-empty.parquet").open("wb") as sink:
        pq.ParquetWriter(sink, schema).close()
