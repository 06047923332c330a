"""Run every benchmark, print one table, write bench/results/latest.json.

    python -m bench                 # every benchmark at full size (about 70 minutes on 2 cores)
    python -m bench --quick         # small sizes: checks that each runs, not figures to quote
    python -m bench graph_sampler answer_equivalence   # some of them

Each benchmark runs in its own process (a fresh Ray cluster, its own peak memory) and
prints its figures as JSON; a figure is a value next to a baseline measured in the same
run, with the target it is held to (see figures.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BENCHMARKS = ("pipeline_overhead", "replica_scaling", "graph_sampler", "answer_equivalence",
              "dedup_decontamination", "driver_memory", "request_replay", "structured_decoding",
              "viewer_queries", "paper_scale", "gpu_throughput")


def machine() -> dict:
    """What the figures were measured on."""
    import ray

    cpuinfo = Path("/proc/cpuinfo")
    models = [line.split(":", 1)[1].strip() for line in
              (cpuinfo.read_text().splitlines() if cpuinfo.exists() else [])
              if line.startswith("model name")]
    return {"cpu": models[0] if models else platform.processor(), "cores": os.cpu_count(),
            "python": platform.python_version(), "platform": platform.platform(),
            "ray": ray.__version__,
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}


def run_benchmark(name: str, quick: bool) -> list[dict]:
    command = [sys.executable, "-m", f"bench.{name}", *(["--quick"] if quick else [])]
    print(f"== {name}", file=sys.stderr, flush=True)
    child = subprocess.run(command, cwd=BENCH_DIR.parent, capture_output=True, text=True,
                           check=False)
    if child.returncode != 0:
        print(child.stderr[-4000:], file=sys.stderr)
        return [{"benchmark": name, "name": "(failed)", "error": child.stderr[-2000:]}]
    for line in child.stderr.splitlines():  # a benchmark's own tables (paper_scale's stages)
        if line.startswith(("## ", "| ")):
            print(line, file=sys.stderr)
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    if not figures:  # a benchmark this machine cannot run (gpu_throughput without a GPU)
        reason = (child.stderr.strip().splitlines() or ["nothing measured"])[-1]
        return [{"benchmark": name, "name": "(all)", "skipped": reason}]
    return figures


def table(figures: list[dict]) -> str:
    """The figures as a Markdown table, the form the README quotes."""
    lines = ["| benchmark | figure | value | baseline | ratio | target | met |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for f in figures:
        if "error" in f or "skipped" in f:
            reason = "failed" if "error" in f else f["skipped"]
            lines.append(f"| {f['benchmark']} | {f['name']} | {reason} | | | | |")
            continue
        if f["target"] is None:
            target, met = "none (diagnostic)", "-"
        else:
            measured = "ratio" if f["target_on"] == "ratio" else "value"
            target = f"{measured} {f['target_op']} {f['target']:g}"
            met = "yes" if f["met"] else "NO"
        lines.append(f"| {f['benchmark']} | {f['name']} | {f['value']:,.4g} {f['unit']} | "
                     f"{f['baseline']}: {f['baseline_value']:,.4g} | {f['ratio']:.3f} | "
                     f"{target} | {met} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"benchmarks to run (default: all): {', '.join(BENCHMARKS)}")
    parser.add_argument("--quick", action="store_true", help="small sizes: checks, not figures")
    parser.add_argument("--output", type=Path, default=BENCH_DIR / "results" / "latest.json")
    args = parser.parse_args()
    unknown = sorted(set(args.names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmarks {unknown}; have {', '.join(BENCHMARKS)}")
    figures = [f for name in (args.names or BENCHMARKS) for f in run_benchmark(name, args.quick)]
    print(table(figures))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"machine": machine(), "quick": args.quick,
                                       "figures": figures}, indent=2) + "\n")
    print(f"\nwritten: {args.output}", file=sys.stderr)
    if any("error" in f for f in figures):
        sys.exit(1)


if __name__ == "__main__":
    main()
