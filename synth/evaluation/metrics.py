"""Accuracy per benchmark, micro and macro averages, and the Markdown table, from per-item results.

Metrics are computed from the Parquet files as written, column by column, so every number in
`metrics.json` is a recount of `eval/items/`:

    metrics = compute_metrics(read_items(run_dir / "eval" / "items"), ["gsm8k", "math"])
    print(metrics_markdown(metrics))
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from synth.run.storage import parquet_dataset

RULES = {"mwpbench": "MwpBench", "math_verify": "math-verify"}  # rule key -> column title


def read_items(path: Path) -> pa.Table:
    """The per-item results Ray wrote under `path` (one or more Parquet files, on local disk or
    object storage)."""
    return parquet_dataset(path).to_table()


def _rule_counts(items: pa.Table) -> dict[str, dict[str, Any]]:
    counts = {}
    for rule in RULES:
        correct = int(pc.sum(items.column(f"correct_{rule}").cast(pa.int64())).as_py() or 0)
        counts[rule] = {"correct": correct, "accuracy": correct / items.num_rows}
    return counts


def compute_metrics(items: pa.Table, benchmarks: Sequence[str]) -> dict[str, Any]:
    """Per benchmark (in `benchmarks` order): items and each rule's correct count and accuracy;
    micro = all items pooled, macro = unweighted mean of the per-benchmark accuracies."""
    per_benchmark = {}
    for name in benchmarks:
        rows = items.filter(pc.equal(items.column("benchmark"), name))
        per_benchmark[name] = {
            "items": rows.num_rows,
            **_rule_counts(rows),
            "missing_gold": rows.column("gold").null_count,
            "finish_reasons": {r["values"]: r["counts"] for r in
                               pc.value_counts(rows.column("finish_reason")).to_pylist()},
        }
    macro = {rule: {"accuracy": sum(b[rule]["accuracy"] for b in per_benchmark.values())
                    / len(per_benchmark)} for rule in RULES}
    return {
        "benchmarks": per_benchmark,
        "micro": {"items": items.num_rows, **_rule_counts(items)},
        "macro": macro,
        "tokens": {"input": int(pc.sum(items.column("num_input_tokens")).as_py() or 0),
                   "generated": int(pc.sum(items.column("num_generated_tokens")).as_py() or 0)},
    }


def metrics_markdown(metrics: dict[str, Any]) -> str:
    """A Markdown table: one row per benchmark, then the micro and macro averages."""
    titles = [f"{title} acc" for title in RULES.values()]
    lines = [f"| benchmark | items | {' | '.join(titles)} |", "| --- | ---: |" + " ---: |" * len(RULES)]
    rows = [*metrics["benchmarks"].items(), ("micro", metrics["micro"]),
            ("macro", {"items": metrics["micro"]["items"], **metrics["macro"]})]
    for name, row in rows:
        accuracies = " | ".join(f"{100 * row[rule]['accuracy']:.1f}%" for rule in RULES)
        lines.append(f"| {name} | {row['items']} | {accuracies} |")
    return "\n".join(lines)
