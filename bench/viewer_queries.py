"""The viewer on a 1M-row run: first page and a filtered page, as `synth view` computes them.

    python -m bench.viewer_queries [--quick]

A synthetic run directory holds 1M final rows (questions perturbed from the packaged GSM8K and
MATH test questions, solutions, answers, agreement, knowledge points) in 20 Parquet files, plus
a consensus stage with dropped rows. Timed, cold, each in a fresh `RunTables`: opening the run
and its first page sorted by agreement; a filter (agreement >= 0.8, a knowledge point, a word
of text) with its count; a stage's dropped rows by reason. Baseline: pyarrow reading the
question column of every file, the floor any text search pays. Targets: first page <= 2 s,
filter <= 5 s (the issue's figures for 2 cores).
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from bench.figures import Figure, benchmark_main
from bench.synthetic_inputs import synthetic_questions

KPS = ["fractions", "prime factorization", "linear equations", "probability", "percentages",
       "area of a rectangle", "permutations", "modular arithmetic", "ratios", "exponents"]


def build_run(root: Path, rows: int, files: int = 20) -> None:
    """A run directory with `rows` final rows and a consensus stage dropping a fifth of them."""
    questions = synthetic_questions(rows, seed=7)
    rng = random.Random(7)
    final, consensus = root / "final" / "data", root / "stages" / "06_consensus"
    final.mkdir(parents=True)
    consensus.mkdir(parents=True)
    step = -(-rows // files)
    for part, start in enumerate(range(0, rows, step)):
        chunk = questions.slice(start, step)
        count = chunk.num_rows
        answers = [str(rng.randint(0, 999)) for _ in range(count)]
        table = pa.table({
            "id": chunk.column("id"), "question": chunk.column("question"),
            "solution": [f"Step by step, the result is \\boxed{{{a}}}." for a in answers],
            "answer": answers, "method": ["scalequest"] * count,
            "agreement": [rng.choice((0.4, 0.6, 0.8, 1.0)) for _ in range(count)],
            "num_samples": [5] * count,
            "knowledge_points": [rng.sample(KPS, 2) for _ in range(count)]})
        pq.write_table(table, final / f"part-{part:03d}.parquet")
        reasons = [rng.choice((None, None, None, None, "low_agreement")) for _ in range(count)]
        pq.write_table(table.select(["id", "question", "answer", "agreement"]).append_column(
            "drop_reason", pa.array(reasons, pa.string())), consensus / f"part-{part:03d}.parquet")


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def run(quick: bool) -> list[Figure]:
    from synth.viewer.run_tables import FINAL, RowFilter, RunTables

    rows = 20_000 if quick else 1_000_000
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "run"
        build_run(root, rows)
        scan_s, _ = timed(lambda: [pq.read_table(p, columns=["question"])
                                   for p in sorted((root / "final" / "data").glob("*.parquet"))])
        first_s, first = timed(lambda: RunTables(root).page(FINAL, RowFilter(), "agreement",
                                                            True, 0, 25))
        narrow = RowFilter(agreement_min=0.8, concept="prime", text="how many")
        filter_s, found = timed(lambda: RunTables(root).page(FINAL, narrow, None, False, 0, 25))

        def dropped():
            tables = RunTables(root)
            view = tables.stage("consensus").view
            return tables.page(view, RowFilter(drop_reason="low_agreement"), None, False, 0, 25)

        dropped_s, drops = timed(dropped)
    note = f"{rows:,} rows; filter matched {found['total']:,}; dropped {drops['total']:,}"
    assert first["total"] == rows and first["rows"], "the first page must come back full"
    return [Figure("viewer_queries", "first page (open + sort by agreement)", first_s, "s",
                   "question column scan", scan_s, "value", "<=", 2.0, note),
            Figure("viewer_queries", "filtered page (agreement, KP, text) + count", filter_s, "s",
                   "question column scan", scan_s, "value", "<=", 5.0, note),
            Figure("viewer_queries", "dropped rows by reason + count", dropped_s, "s",
                   "question column scan", scan_s, "value", "<=", 5.0, note)]


if __name__ == "__main__":
    benchmark_main(__doc__.splitlines()[0], run)
