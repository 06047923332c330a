"""Pipeline overhead: tokens/s through synth's generation stage over the bare engine's.

    python -m bench.pipeline_overhead [--quick]

Same prompts, same model (SmolLM2-135M on llama.cpp), same sampling and seeds, with 1 and
with 2 llama.cpp threads. The bare engine runs once before and once after the pipeline and the
baseline is their mean, so drift of a noisy machine cancels. Target: >= 0.90.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.figures import Figure, benchmark_main
from bench.generation_stage import (
    bare_tokens_per_second,
    stage_tokens_per_second,
    start_local_ray,
    stop_local_ray,
)


def measure(threads: int, quick: bool) -> Figure:
    """The stage against the bare engine, both with `threads` llama.cpp threads."""
    overrides = ["generate.num_questions=" + ("8" if quick else "64"),
                 "generate.sampling.max_tokens=" + ("32" if quick else "128"),
                 f"models.generator.threads={threads}", "models.generator.replicas=[1,1]"]
    with tempfile.TemporaryDirectory() as scratch:
        before = bare_tokens_per_second(Path(scratch), overrides)
        start_local_ray()
        stage = stage_tokens_per_second(Path(scratch), f"overhead_{threads}", overrides)
        stop_local_ray()  # the second bare run gets the machine to itself, like the first
        after = bare_tokens_per_second(Path(scratch), overrides)
    baseline = (before["tokens_per_second"] + after["tokens_per_second"]) / 2
    note = (f"stage {stage['tokens']} tokens in {stage['seconds']:.1f} s; bare "
            f"{before['tokens_per_second']:.0f} then {after['tokens_per_second']:.0f} tokens/s")
    return Figure("pipeline_overhead", f"generation stage tokens/s, {threads} thread(s)",
                  stage["tokens_per_second"], "tokens/s", "bare llama.cpp engine", baseline,
                  "ratio", ">=", 0.90, note)


def run(quick: bool) -> list[Figure]:
    # 1 thread: the replica has a core to itself, so the figure is synth's own overhead. 2
    # threads on 2 cores: llama.cpp's threads wait on each other at every token, so any other
    # process (Ray's, the driver's) slows the replica; the bare engine had the machine alone.
    return [measure(threads, quick) for threads in (1, 2)]


if __name__ == "__main__":
    benchmark_main(__doc__.splitlines()[0], run)
