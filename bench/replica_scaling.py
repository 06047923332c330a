"""Replica scaling: the CPU engine with 2 replicas against 1, on 2 cores.

    python -m bench.replica_scaling [--quick]

The generation stage runs twice on one local Ray cluster of 2 CPUs, each replica a
1-thread llama.cpp model: once with `replicas: [1, 1]` (the baseline), once with
`[2, 2]`. Same questions, same seeds. Target: >= 1.6x the tokens/s.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.figures import Figure, benchmark_main
from bench.generation_stage import stage_tokens_per_second, start_local_ray


def run(quick: bool) -> list[Figure]:
    overrides = ["generate.num_questions=" + ("8" if quick else "64"),
                 "generate.sampling.max_tokens=" + ("32" if quick else "128"),
                 "models.generator.threads=1",
                 # a logical share: two replicas then leave a CPU for Ray Data's reads and writes
                 "models.generator.num_cpus=0.5"]
    start_local_ray()
    with tempfile.TemporaryDirectory() as scratch:
        one = stage_tokens_per_second(Path(scratch), "one_replica",
                                      [*overrides, "models.generator.replicas=[1,1]"])
        two = stage_tokens_per_second(Path(scratch), "two_replicas",
                                      [*overrides, "models.generator.replicas=[2,2]"])
    note = (f"1 replica: {one['tokens']} tokens in {one['seconds']:.1f} s; "
            f"2 replicas: {two['tokens']} tokens in {two['seconds']:.1f} s")
    return [Figure("replica_scaling", "2 replicas tokens/s", two["tokens_per_second"], "tokens/s",
                   "1 replica", one["tokens_per_second"], "ratio", ">=", 1.6, note)]


if __name__ == "__main__":
    benchmark_main(__doc__.splitlines()[0], run)
