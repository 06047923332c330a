"""The report's PNG plots (matplotlib, headless Agg backend: works on a cluster node)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)


def funnel_plot(records: list[dict[str, Any]], path: Path) -> None:
    """Rows kept after each stage, with the rows each stage dropped stacked beside them."""
    names = [r["stage"] for r in records]
    kept = [r["rows_out"] for r in records]
    dropped = [r["rows_written"] - r["rows_out"] for r in records]
    figure, axes = plt.subplots(figsize=(8, 0.5 * len(names) + 1.5))
    positions = range(len(names))[::-1]
    axes.barh(positions, kept, color="#2b8a3e", label="kept")
    axes.barh(positions, dropped, left=kept, color="#e03131", alpha=0.6, label="dropped")
    for y, k, d in zip(positions, kept, dropped):
        axes.text(k + d, y, f" {k}" + (f" (-{d})" if d else ""), va="center", fontsize=8)
    axes.set_yticks(list(positions), names)
    axes.set_xlabel("rows")
    axes.set_title("Yield funnel")
    axes.legend(loc="lower right")
    _save(figure, path)


def histogram_plot(values: list[float], kept: list[bool], title: str, path: Path) -> None:
    """Distribution of a per-row score, kept and dropped rows in separate colours."""
    figure, axes = plt.subplots(figsize=(6, 3.5))
    bins = _bins(values)
    axes.hist([v for v, k in zip(values, kept) if k], bins=bins, color="#2b8a3e", label="kept")
    axes.hist([v for v, k in zip(values, kept) if not k], bins=bins, color="#e03131", alpha=0.6,
              label="dropped")
    axes.set_xlabel(title)
    axes.set_ylabel("rows")
    axes.set_title(f"{title} distribution")
    axes.legend()
    _save(figure, path)


def coverage_plot(counts: Counter[str], path: Path, top: int = 30) -> None:
    """How often the most frequent concepts occur in the final dataset."""
    common = counts.most_common(top)[::-1]
    figure, axes = plt.subplots(figsize=(8, 0.25 * len(common) + 1.5))
    axes.barh(range(len(common)), [c for _, c in common], color="#1c7ed6")
    axes.set_yticks(range(len(common)), [name[:50] for name, _ in common], fontsize=7)
    axes.set_xlabel("final rows")
    axes.set_title(f"Concept coverage ({len(counts)} concepts, top {len(common)})")
    _save(figure, path)


def _bins(values: list[float]) -> list[float]:
    low, high = min(values, default=0.0), max(values, default=1.0)
    if high <= low:
        high = low + 1.0
    return [low + (high - low) * i / 20 for i in range(21)]


def _save(figure: Any, path: Path) -> None:
    figure.tight_layout()
    with path.open("wb") as sink:  # a local file or an object-storage key alike
        figure.savefig(sink, format="png", dpi=110)
    plt.close(figure)
