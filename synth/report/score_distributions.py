"""The data card's score numbers: quantiles and a five-bin histogram of each score column.

A reader of a synthetic dataset asks how sure the pipeline was of its rows (consensus
`agreement`, a GSDP judge's `judge_score`) and how hard they are (`difficulty`). Each score is
taken from the final rows when they carry it; `difficulty` stays behind in the difficulty
filter's output (the final rows do not carry it), so it is described over the questions that
filter kept, a superset of the final rows, and the card says so. Only the score column (and
`drop_reason`) is read, batch by batch: never the rows themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synth.report.run_figures import latest_column
from synth.run.directory import RunDirectory

SCORE_COLUMNS = ("agreement", "difficulty", "judge_score")
QUANTILES = {"p10": 0.1, "p25": 0.25, "median": 0.5, "p75": 0.75, "p90": 0.9}
BINS = 5


@dataclass(frozen=True)
class ScoreDistribution:
    """One score column's values over the rows `rows_are` names."""

    column: str
    rows_are: str
    values: list[float]


def score_distributions(run_dir: RunDirectory) -> list[ScoreDistribution]:
    """Each score column's kept values from the last output that wrote it (the final rows
    first); a column every row leaves null (agreement without a consensus vote) is skipped."""
    found = []
    for column in SCORE_COLUMNS:
        read = latest_column(run_dir, column)
        if read is None:
            continue
        path, values, kept = read
        values = [value for value, keep in zip(values, kept) if keep]
        rows_are = ("final rows" if path == run_dir.final_path
                    else f"questions {path.name.split('_', 1)[1]} kept")
        if values:
            found.append(ScoreDistribution(column, rows_are, values))
    return found


def distribution_markdown(distributions: list[ScoreDistribution]) -> list[str]:
    """A quantile table of every score, then one histogram table per score."""
    if not distributions:
        return ["No score column (agreement, difficulty, judge_score) has values in this run."]
    lines = [f"| score | rows | mean | min | {' | '.join(QUANTILES)} | max |",
             "| --- | ---: | ---: | ---: | " + "---: | " * len(QUANTILES) + "---: |"]
    for score in distributions:
        values = np.asarray(score.values)
        quantiles = np.quantile(values, list(QUANTILES.values()))
        numbers = [values.mean(), values.min(), *quantiles, values.max()]
        lines.append(f"| {score.column} ({score.rows_are}) | {len(values)} | "
                     + " | ".join(f"{number:.3g}" for number in numbers) + " |")
    for score in distributions:
        lines += ["", *_histogram(score)]
    return lines


def _histogram(score: ScoreDistribution) -> list[str]:
    values = np.asarray(score.values)
    # Scores here are shares or rates: bins over [0, 1] read the same in every card, widened
    # only if a score falls outside it (a regression head can).
    low, high = min(0.0, float(values.min())), max(1.0, float(values.max()))
    counts, edges = np.histogram(values, bins=BINS, range=(low, high))
    lines = [f"| {score.column} | rows | share |", "| --- | ---: | ---: |"]
    for position, count in enumerate(counts):
        closing = "]" if position == len(counts) - 1 else ")"
        lines.append(f"| [{edges[position]:.3g}, {edges[position + 1]:.3g}{closing} | {count} | "
                     f"{count / len(values):.0%} |")
    return lines
