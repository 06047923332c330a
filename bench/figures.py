"""One measured figure of a benchmark, its same-run baseline, and the target it is held to.

A figure without a target is a diagnostic: measured the same way, printed next to the figures
it explains, and never counted as met or missed.

Every benchmark reports figures in this shape so `python -m bench` can print one table and
write one JSON file. The ratio to a baseline measured in the same run is what stays
comparable on a noisy machine; some targets are on the absolute value (rows/s, seconds),
and the table shows both.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Literal


@dataclass(frozen=True)
class Figure:
    """`value` (in `unit`) measured next to `baseline_value` of `baseline`, in one run."""

    benchmark: str
    name: str
    value: float
    unit: str
    baseline: str
    baseline_value: float
    target_on: Literal["value", "ratio"] | None
    target_op: Literal[">=", "<="] | None
    target: float | None
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.value / self.baseline_value if self.baseline_value else float("nan")

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        measured = self.ratio if self.target_on == "ratio" else self.value
        return measured >= self.target if self.target_op == ">=" else measured <= self.target

    def as_json(self) -> dict:
        return {**asdict(self), "ratio": round(self.ratio, 4), "met": self.met}


def emit(figures: list[Figure]) -> None:
    """Print a benchmark's figures as one JSON line (what `python -m bench` collects) and as
    readable lines for someone running the module alone."""
    for figure in figures:
        print(f"# {figure.name}: {figure.value:,.4g} {figure.unit} | {figure.baseline}: "
              f"{figure.baseline_value:,.4g} | ratio {figure.ratio:.3f} | {verdict(figure)}",
              file=sys.stderr)
    print(json.dumps([figure.as_json() for figure in figures]))


def verdict(figure: Figure) -> str:
    if figure.target is None:
        return "diagnostic, no target"
    measured = "ratio" if figure.target_on == "ratio" else "value"
    return (f"target {measured} {figure.target_op} {figure.target:g} -> "
            f"{'met' if figure.met else 'MISSED'}")


def benchmark_main(description: str, run: Callable[[bool], list[Figure]]) -> None:
    """The command line of one benchmark module: `python -m bench.NAME [--quick]`."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="small sizes: checks, not figures")
    emit(run(parser.parse_args().quick))
