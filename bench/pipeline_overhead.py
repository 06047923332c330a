"""Pipeline overhead: tokens/s through synth's generation stage over the bare engine's.

    python -m bench.pipeline_overhead [--quick]

Same prompts, same model (SmolLM2-135M on llama.cpp), same sampling and seeds. The bare engine
and the stage take turns (bare, stage, bare, stage, ...), and each stage run is compared with
the mean of the bare runs either side of it: on a shared VM the bare engine's own speed moves
by 20% between minutes, and only a baseline taken around each stage run cancels that. The
figure is the median of those per-round ratios, so one disturbed round does not decide it.

The target figure uses 1 llama.cpp thread: the replica has a core to itself, so the ratio is
synth's own overhead (runner, Ray Data, actor pool, Parquet, accounting, actor start and model
load). Each stage runs on a fresh local cluster that has executed one tiny dataset first, so
Ray Data's once-per-session actors are up, as they are for every stage of a run but its first
(`generation_stage.start_local_ray`). A second, diagnostic figure uses 2 threads on the 2 cores: llama.cpp's threads wait for
each other at every token, so any other process on the machine (Ray's, the driver's) stalls
both; it shows what an engine that takes every core loses, not what synth adds.
Target: >= 0.90 at 1 thread.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from bench.figures import Figure, benchmark_main
from bench.generation_stage import (
    bare_tokens_per_second,
    stage_tokens_per_second,
    start_local_ray,
    stop_local_ray,
)


def measure(threads: int, rounds: int, quick: bool) -> Figure:
    """`rounds` stage runs with `threads` llama.cpp threads, each between two bare runs."""
    overrides = ["generate.num_questions=" + ("8" if quick else "64"),
                 "generate.sampling.max_tokens=" + ("32" if quick else "128"),
                 f"models.generator.threads={threads}", "models.generator.replicas=[1,1]"]
    measured: list[tuple[float, float]] = []  # (stage tokens/s, its bare baseline)
    with tempfile.TemporaryDirectory() as scratch:
        bare = [bare_tokens_per_second(Path(scratch), overrides)["tokens_per_second"]]
        for round_index in range(rounds):
            start_local_ray()
            stage = stage_tokens_per_second(Path(scratch), f"overhead_{threads}_{round_index}",
                                            overrides)
            stop_local_ray()  # the next bare run gets the machine to itself, like the first
            bare.append(bare_tokens_per_second(Path(scratch), overrides)["tokens_per_second"])
            measured.append((stage["tokens_per_second"], (bare[-2] + bare[-1]) / 2))
    ratios = [stage / baseline for stage, baseline in measured]
    median_round = ratios.index(statistics.median_low(ratios))
    stage_rate, baseline = measured[median_round]
    note = (f"{rounds} rounds of {stage['tokens']} tokens; ratios "
            f"{', '.join(f'{r:.3f}' for r in ratios)}; bare runs "
            f"{', '.join(f'{b:.0f}' for b in bare)} tokens/s")
    single = threads == 1
    return Figure("pipeline_overhead", f"generation stage tokens/s, {threads} thread(s)",
                  stage_rate, "tokens/s", "bare llama.cpp engine (around it)", baseline,
                  "ratio" if single else None, ">=" if single else None,
                  0.90 if single else None, note)


def run(quick: bool) -> list[Figure]:
    return [measure(1, 1 if quick else 3, quick), measure(2, 1, quick)]


if __name__ == "__main__":
    benchmark_main(__doc__.splitlines()[0], run)
