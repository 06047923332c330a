"""Dedup and decontamination over a million synthetic questions on a local Ray cluster.

    python -m bench.dedup_decontamination [--quick]

One million questions perturbed from real GSM8K/MATH test questions (synthetic_inputs.py)
are written to Parquet, then each stage runs exactly as a pipeline runs it: read the Parquet,
`DedupStage` (exact hash + MinHash LSH with the default config) or
`DecontaminateStage` (13-gram and masked 4-gram overlap with the packaged GSM8K and MATH
test sets),
write Parquet. The same-run baseline is a plain Parquet copy of the same rows through Ray
Data, so the ratio says how much slower than moving the rows the stage is.
Target: <= 5 minutes for each stage at 1M rows on 2 cores, i.e. >= 3,334 rows/s.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
from omegaconf import OmegaConf

from bench.figures import Figure, benchmark_main
from bench.synthetic_inputs import synthetic_questions

# <= 5 minutes per million rows
ROWS_PER_SECOND_TARGET = 1_000_000 / 300


def timed_pass(source: Path, output: Path, transform: Callable) -> tuple[float, dict]:
    """Seconds to read `source`, transform it and write Parquet; rows kept and dropped by reason
    (counted the way the runner counts a stage's output)."""
    import ray

    from synth.run.stage_counts import count_stage_output

    started = time.perf_counter()
    transform(ray.data.read_parquet(str(source))).write_parquet(str(output))
    seconds = time.perf_counter() - started
    stats = count_stage_output(output)
    return seconds, {"kept": stats["rows_out"], **stats["dropped"]}


def run(quick: bool) -> list[Figure]:
    import ray

    from synth.config.quality import DecontaminationConfig, DedupConfig
    from synth.stages.decontaminate import DecontaminateStage
    from synth.stages.dedup import DedupStage

    rows = 20_000 if quick else 1_000_000
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR")
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "questions"
        source.mkdir()
        table = synthetic_questions(rows)
        for start in range(0, rows, 100_000):  # several files: Ray reads them in parallel
            pq.write_table(table.slice(start, 100_000), source / f"part-{start:08d}.parquet")
        del table
        copy_seconds, _ = timed_pass(source, Path(scratch) / "copy", lambda ds: ds)
        dedup = DedupStage(OmegaConf.structured(DedupConfig()))
        dedup_seconds, dedup_counts = timed_pass(source, Path(scratch) / "dedup", dedup.apply)
        decontam = DecontaminateStage(OmegaConf.structured(DecontaminationConfig()))
        decontam_seconds, decontam_counts = timed_pass(source, Path(scratch) / "decontam",
                                                       decontam.apply)
    ray.shutdown()
    figures = []
    for name, seconds, counts in (("MinHash dedup", dedup_seconds, dedup_counts),
                                  ("decontamination (13-gram + masked 4-gram)", decontam_seconds, decontam_counts)):
        note = (f"{rows:,} rows in {seconds:.0f} s; "
                + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        figures.append(Figure("dedup_decontamination", f"{name} rows/s", rows / seconds, "rows/s",
                              "Parquet copy", rows / copy_seconds, "value", ">=",
                              ROWS_PER_SECOND_TARGET, note))
    return figures


if __name__ == "__main__":
    benchmark_main(__doc__.splitlines()[0], run)
