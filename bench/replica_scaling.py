"""Replica scaling: the CPU engine with 2 replicas against 1, next to what the machine allows.

    python -m bench.replica_scaling [--quick]

synth's generation stage runs on one local Ray cluster of 2 CPUs, each replica a 1-thread
llama.cpp model: once with `replicas: [1, 1]`, once with `[2, 2]`; synth's scaling is the
second's tokens/s over the first's. Two cores do not give two engines twice the speed (they
share memory bandwidth and caches: on this VM two bare llama.cpp processes side by side made
1.41x one alone), so the baseline is measured in the same run: the same requests through one
bare engine, then through two bare engine processes side by side, each with half of them.
Each bare engine is timed from before it loads its model, as synth's stage is timed from
before its replicas start, and the model file is read once before anything is timed, so that
no run pays for the disk.
Target: synth's scaling >= 0.95 of the bare engines' scaling. Diagnostic: synth's 2 replicas
against the two bare engines' combined tokens/s.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.figures import Figure, benchmark_main
from bench.generation_stage import (
    REPO,
    bare_tokens_per_second,
    stage_tokens_per_second,
    start_local_ray,
    stop_local_ray,
    warm_model_file,
)

RESULT_MARK = "replica_scaling bare: "


def overrides(quick: bool) -> list[str]:
    return ["generate.num_questions=" + ("8" if quick else "64"),
            "generate.sampling.max_tokens=" + ("32" if quick else "128"),
            "models.generator.threads=1",
            # one request per batch: replicas take work as they free up, so neither idles
            # through the other's last batch (the bare engines get exact halves)
            "models.generator.batch_size=1",
            # a logical share: two replicas then leave a CPU for Ray Data's reads and writes
            "models.generator.num_cpus=0.5"]


def bare_side_by_side(quick: bool, engines: int) -> dict:
    """`engines` bare engine processes started together, each with its share of the requests:
    their combined tokens over the slowest one's seconds (each timed after its model load)."""
    children = [subprocess.Popen([sys.executable, "-m", "bench.replica_scaling", "--bare",
                                  str(share), str(engines), *(["--quick"] if quick else [])],
                                 cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                 text=True)
                for share in range(engines)]
    results = []
    for child in children:
        output, _ = child.communicate()
        if child.returncode != 0:
            raise RuntimeError(f"a bare engine process failed (exit {child.returncode})")
        line = next(line for line in output.splitlines() if line.startswith(RESULT_MARK))
        results.append(json.loads(line[len(RESULT_MARK):]))
    tokens, seconds = sum(r["tokens"] for r in results), max(r["seconds"] for r in results)
    return {"tokens": tokens, "seconds": seconds, "tokens_per_second": tokens / seconds}


def run(quick: bool) -> list[Figure]:
    warm_model_file(overrides(quick))
    bare_one, bare_two = bare_side_by_side(quick, 1), bare_side_by_side(quick, 2)
    start_local_ray()
    with tempfile.TemporaryDirectory() as scratch:
        one = stage_tokens_per_second(Path(scratch), "one_replica",
                                      [*overrides(quick), "models.generator.replicas=[1,1]"])
        two = stage_tokens_per_second(Path(scratch), "two_replicas",
                                      [*overrides(quick), "models.generator.replicas=[2,2]"])
    stop_local_ray()
    synth_scaling = two["tokens_per_second"] / one["tokens_per_second"]
    bare_scaling = bare_two["tokens_per_second"] / bare_one["tokens_per_second"]
    note = (f"synth: 1 replica {one['tokens_per_second']:.1f}, 2 replicas "
            f"{two['tokens_per_second']:.1f} tokens/s; bare: 1 engine "
            f"{bare_one['tokens_per_second']:.1f}, 2 side by side "
            f"{bare_two['tokens_per_second']:.1f} tokens/s")
    return [Figure("replica_scaling", "synth's 2-replica scaling (2 replicas / 1)", synth_scaling,
                   "x", "2 bare engines side by side / 1", bare_scaling, "ratio", ">=", 0.95, note),
            Figure("replica_scaling", "2 replicas tokens/s", two["tokens_per_second"], "tokens/s",
                   "2 bare engines side by side", bare_two["tokens_per_second"], None, None, None,
                   note)]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--bare"]:
        share, shares = int(sys.argv[2]), int(sys.argv[3])
        with tempfile.TemporaryDirectory() as scratch:
            result = bare_tokens_per_second(Path(scratch), overrides("--quick" in sys.argv),
                                            share, shares, count_model_load=True)
        print(RESULT_MARK + json.dumps(result), flush=True)
    else:
        benchmark_main(__doc__.splitlines()[0], run)
