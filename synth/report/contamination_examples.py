"""The report's decontamination section: removals per benchmark and method, with examples.

Counts come from the decontaminate stage's record; the examples are the first few dropped rows
of its Parquet, each beside the benchmark item it was matched to (the benchmarks are loaded
again from the run's config, so a reader sees what "contamination" meant for that row).
"""

from __future__ import annotations

from typing import Any

import pyarrow.compute as pc
from omegaconf import DictConfig

from synth.benchmarks.benchmark_sets import load_benchmark
from synth.report.run_figures import stage_dirs
from synth.run.directory import RunDirectory
from synth.run.storage import parquet_dataset

EXAMPLES = 3
COLUMNS = ("contaminated_by", "contaminated_item", "contamination_method")


def contamination_section(cfg: DictConfig, run_dir: RunDirectory,
                          summary: dict[str, Any]) -> dict[str, Any] | None:
    """{"removed": {"<benchmark>/<method>": rows}, "examples": [...]}, or None without the stage."""
    record = next((r for r in summary["stages"] if r["stage"] == "decontaminate"), None)
    if record is None:
        return None
    removed = {key: count for key, count in record["counts"].get("contamination", {}).items()
               if key != "None"}
    return {"removed": removed, "examples": _examples(cfg, run_dir, list(cfg.decontamination.columns))}


def _examples(cfg: DictConfig, run_dir: RunDirectory, text_columns: list[str]) -> list[dict]:
    path = next((p for p in stage_dirs(run_dir) if p.name.endswith("_decontaminate")), None)
    dataset = parquet_dataset(path) if path is not None else None
    if dataset is None or "contaminated_by" not in dataset.schema.names:
        return []
    rows: list[dict] = []
    for batch in dataset.to_batches(columns=[*text_columns, *COLUMNS]):
        hits = batch.filter(pc.is_valid(batch.column("contaminated_by")))
        rows += hits.slice(0, EXAMPLES - len(rows)).to_pylist()
        if len(rows) >= EXAMPLES:
            break
    benchmarks = {b.name: b for b in cfg.decontamination.benchmarks}
    items: dict[str, list[str]] = {}
    examples = []
    for row in rows:
        name = row["contaminated_by"]
        if name not in items and name in benchmarks:
            items[name] = load_benchmark(benchmarks[name]).column("question").to_pylist()
        questions = items.get(name, [])
        index = row["contaminated_item"]
        examples.append({"row": next((row[c] for c in text_columns if row[c]), ""),
                         "benchmark": name, "item": index, "method": row["contamination_method"],
                         "benchmark_text": questions[index] if index is not None
                         and index < len(questions) else None})
    return examples


def contamination_markdown(section: dict[str, Any] | None) -> list[str]:
    """The report.md lines of the section (none when the stage did not run)."""
    if section is None:
        return []
    lines = ["", "## Decontamination", ""]
    if not section["removed"]:
        return [*lines, "No row matched a benchmark item."]
    lines += ["| benchmark | method | rows removed |", "| --- | --- | ---: |"]
    for key, count in section["removed"].items():
        benchmark, _, method = key.partition("/")
        lines.append(f"| {benchmark} | {method} | {count} |")
    for example in section["examples"]:
        lines += ["", (f"- **{example['benchmark']} item {example['item']}** "
                       f"(caught by {example['method']})"),
                  f"  - row: {_one_line(example['row'])}",
                  f"  - benchmark: {_one_line(example['benchmark_text'])}"]
    return lines


def _one_line(text: str | None, limit: int = 300) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
