"""Numbers the report and data card share, read from the run directory's files.

Everything is computed from summary.json and the Parquet on disk (small columns, batch by
batch), so what the report says is what the files hold.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from synth.run.directory import RunDirectory
from synth.run.storage import parquet_dataset
from synth.stages.base import DROP_REASON


def stage_dirs(run_dir: RunDirectory) -> list[Path]:
    """Each intermediate stage's Parquet folder, in pipeline order, then the final data."""
    stages = sorted(p for p in (run_dir.root / "stages").iterdir() if p.is_dir())
    return [*stages, run_dir.final_path]


def column_values(path: Path, column: str) -> tuple[list[float], list[bool]] | None:
    """Values of a numeric `column` in a stage's output and whether each row was kept."""
    dataset = parquet_dataset(path)
    if dataset is None or column not in dataset.schema.names:
        return None
    has_reason = DROP_REASON in dataset.schema.names
    values, kept = [], []
    columns = [column, DROP_REASON] if has_reason else [column]
    for batch in dataset.to_batches(columns=columns):
        values.extend(batch.column(column).to_pylist())
        reasons = batch.column(DROP_REASON).to_pylist() if has_reason else [None] * batch.num_rows
        kept.extend(r is None for r in reasons)
    pairs = [(v, k) for v, k in zip(values, kept) if v is not None]
    return [float(v) for v, _ in pairs], [k for _, k in pairs]


def latest_column(run_dir: RunDirectory,
                  column: str) -> tuple[Path, list[float], list[bool]] | None:
    """`column_values` from the last stage that wrote `column` (its verdicts, dropped rows too),
    with that stage's folder (the final data when the final rows carry it)."""
    for path in reversed(stage_dirs(run_dir)):
        found = column_values(path, column)
        if found is not None:
            return path, *found
    return None


def concept_counts(final_dir: Path, column: str = "concepts") -> Counter[str]:
    """How often each concept occurs in the final rows (empty when rows carry no concepts)."""
    dataset = parquet_dataset(final_dir)
    counts: Counter[str] = Counter()
    if dataset is None or column not in dataset.schema.names:
        return counts
    for batch in dataset.to_batches(columns=[column]):
        for concepts in batch.column(column).to_pylist():
            counts.update(concepts or [])
    return counts


def final_row_count(final_dir: Path) -> int:
    dataset = parquet_dataset(final_dir)
    return 0 if dataset is None else dataset.count_rows()


def projected_cost(summary: dict[str, Any], gpu_hour_usd: float, cpu_hour_usd: float) -> dict[str, Any]:
    """Cost of this run's dataset and per 1K final pairs, from the GPU and CPU seconds every
    invocation that made it measured (a resumed run's own totals leave out resumed stages)."""
    totals = summary.get("cumulative_totals", summary["totals"])
    cost = totals["gpu_seconds"] / 3600 * gpu_hour_usd + totals["cpu_seconds"] / 3600 * cpu_hour_usd
    final_rows = summary["final_rows"]
    return {"gpu_hour_usd": gpu_hour_usd, "cpu_hour_usd": cpu_hour_usd,
            "gpu_hours": round(totals["gpu_seconds"] / 3600, 6),
            "cpu_hours": round(totals["cpu_seconds"] / 3600, 6),
            "run_cost_usd": round(cost, 6),
            "cost_per_1k_pairs_usd": round(cost / final_rows * 1000, 4) if final_rows else None}


def mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None
