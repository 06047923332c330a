"""summary.json: a run's stage records, tokens by model role and totals, in one document.

`totals` is what this invocation spent (resumed stages were paid for by an earlier one);
`cumulative_totals` is what the whole dataset cost across every invocation that made it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from synth.report.filter_funnel import filter_funnel
from synth.run.directory import RunDirectory


def run_summary(cfg: DictConfig, run_dir: RunDirectory, records: list[dict[str, Any]],
                started: dt.datetime, final_dataset: Path | None) -> dict[str, Any]:
    """The summary of a run whose stages left `records` (in plan order)."""
    tokens: dict[str, dict[str, int]] = {}
    for record in records:
        if record["model_role"]:
            role = tokens.setdefault(record["model_role"], {"tokens_in": 0, "tokens_out": 0})
            role["tokens_in"] += record["tokens_in"]
            role["tokens_out"] += record["tokens_out"]
    return {
        "run": cfg.run.name,
        "pipeline": cfg.pipeline,
        "run_dir": str(run_dir.root),
        "final_dataset": str(final_dataset) if final_dataset else None,
        "final_rows": records[-1]["rows_out"] if final_dataset else 0,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "stages": records,
        "tokens_by_role": tokens,
        "paper_filter_funnel": filter_funnel(records),
        "engine_errors": sum(record.get("errors", 0) for record in records),
        "totals": _totals(record for record in records if not record["resumed"]),
        "cumulative_totals": _totals(records),
    }


def _totals(records: Iterable[dict[str, Any]]) -> dict[str, float]:
    records = list(records)
    return {key: round(sum(record[key] for record in records), 3)
            for key in ("wall_seconds", "cpu_seconds", "gpu_seconds")}
