"""Paper scale without a GPU: each pipeline kind's real plan at 1M questions, every stage real
but the model.

    python -m bench paper_scale            # 100K and 1M (ScaleQuest: 5M samples to solve)
    python -m bench.paper_scale --quick    # 10K and 100K: a smoke test, not figures to quote

ScaleQuest's filters keep about half of the generated questions, so its large run generates
2M questions for about 1M to reach the solver, which fans them out to 5M samples; its small
run generates 100K. `--quick` checks that every plan runs at volume, not how fast: ScaleQuest
generates its nominal 10K and 100K there.

Each plan is the shipped CPU config (`scalequest_cpu`, `mathscale_cpu`, `gsdp_cpu`) run by
synth's runner in a fresh process, with every model role `engine: replayed`: its replies come
from the recorded files in bench/replies/ (real SmolLM2 and GSM8K text, cycled per request
key; see synth/engines/replayed_replies.py), so request keys, the request store, parsing,
filters, votes, dedup, decontamination, final pairs, report and data card all do their real
work. ScaleQuest runs with every filter, and with `reward.keep: consensus` so both the reward
scorer and the consensus vote run.

Per stage it measures rows in and out, wall seconds, core-seconds of the whole machine (from
/proc/stat: the driver, Ray workers and replicas together), the driver's peak RSS while the
stage ran, and the bytes the object store spilled. Targets (issue 19): the ScaleQuest plan's
work at the large size <= 20 minutes; no stage over 5 minutes per 1M input rows; every
stage's driver peak RSS at the large size within 1.2x of the small size's; no failure.
The plan's non-model core-seconds per 1M final pairs is what `synth run`'s report projects
cluster time from (synth/report/scale_projection.py).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.figures import Figure, benchmark_main

REPO = Path(__file__).resolve().parents[1]
REPLIES = REPO / "bench" / "replies"
STAGE_SECONDS_PER_1M = 300.0  # no stage over 5 minutes per 1M input rows
SCALEQUEST_PLAN_SECONDS = 1200.0  # the whole ScaleQuest plan at 1M questions
RSS_GROWTH = 1.2
# On the recorded replies 1M generated questions left 520K for the solver (100K left 61K:
# dedup finds more repeats among more rows), so twice as many are generated as should be solved.
GENERATED_PER_SOLVED = 2
RESULT_MARK = "paper_scale result: "  # Ray's own log lines share the child's stdout
_SPILLED = re.compile(r"Spilled (\d+) MiB")


def replayed_role(replies: str, batch_size: int = 1024) -> list[str]:
    """Overrides making a role answer from bench/replies/<replies>.parquet."""
    return ["engine=replayed", f"model={REPLIES / replies}.parquet", "replicas=[1,1]",
            "num_cpus=1", f"batch_size={batch_size}"]


def role_overrides(role: str, replies: str) -> list[str]:
    return [f"models.{role}.{setting}" for setting in replayed_role(replies)]


def write_seeds(path: Path) -> None:
    """The concept methods' seeds: the GSM8K train problems the replies file holds (7,473), a
    JSONL file without topic labels, so extraction names topics and knowledge points."""
    import pyarrow.parquet as pq

    problems = [json.loads(text) for text in pq.read_table(REPLIES / "problems.parquet")
                .column("text").to_pylist()]
    path.write_text("".join(json.dumps({"question": p["question"], "solution": p["solution"]}) + "\n"
                            for p in problems if p.get("solution")))


def plan_overrides(plan: str, size: int, seeds: Path) -> list[str]:
    """The shipped CPU config of `plan`, at `size` questions or combinations, model replayed."""
    if plan == "scalequest":
        return [*role_overrides("generator", "questions"), *role_overrides("solver", "solutions"),
                *role_overrides("judge", "solvability"),
                *role_overrides("difficulty_scorer", "difficulty"),
                *role_overrides("reward", "rewards"),
                "solvability.model=judge", f"generate.num_questions={size}", "solve.num_samples=5",
                "reward.keep=consensus"]
    judges = ["judge.judges=[{model: judge_a}]"] if plan == "gsdp" else []
    return [*role_overrides("extractor", "concepts"), *role_overrides("generator", "problems"),
            *(role_overrides("judge_a", "verdicts") if plan == "gsdp" else []), *judges,
            "seeds.packaged=null", f"seeds.path={seeds}", "seeds.topic_field=null",
            "seeds.limit=null", f"sample.num_combinations={size}"]


class StageMonitor:
    """Splits a run at the runner's stage lines and measures each stage: wall seconds,
    machine core-seconds, the driver's peak RSS (sampled every 0.1 s), object-store spill."""

    def __init__(self) -> None:
        import psutil

        self.process = psutil.Process()
        self.stages: list[dict[str, Any]] = []
        self.current: dict[str, Any] | None = None
        self.peak = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while True:
            rss = self.process.memory_info().rss
            with self.lock:
                self.peak = max(self.peak, rss)
            time.sleep(0.1)

    @staticmethod
    def core_seconds() -> float:
        """CPU seconds spent by the whole machine so far (every core, user + system)."""
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        user, nice, system = (int(v) for v in fields[:3])
        return (user + nice + system) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def spilled_mib() -> int:
        """MiB the object store has spilled so far, asked of this run's own cluster (other local
        clusters, a test session's, would make Ray ask which one)."""
        import ray
        from ray._private.internal_api import memory_summary

        address = ray.get_runtime_context().gcs_address
        match = _SPILLED.search(memory_summary(address=address, stats_only=True))
        return int(match.group(1)) if match else 0

    def __call__(self, line: str) -> None:
        print(line, file=sys.stderr, flush=True)
        match = re.match(r"\[\d+/\d+\] (\S+): (running|(\d+) in, (\d+) out)", line)
        if not match:
            return
        if match.group(2) == "running":
            with self.lock:
                self.peak = self.process.memory_info().rss
            self.current = {"stage": match.group(1), "started": time.perf_counter(),
                            "cores": self.core_seconds(), "spilled": self.spilled_mib()}
            return
        started = self.current
        with self.lock:
            peak = self.peak
        self.stages.append({
            "stage": match.group(1), "rows_in": int(match.group(3)),
            "rows_out": int(match.group(4)),
            "wall_s": round(time.perf_counter() - started["started"], 2),
            "core_s": round(self.core_seconds() - started["cores"], 2),
            "driver_peak_rss_mb": round(peak / 2**20, 1),
            "spilled_mib": self.spilled_mib() - started["spilled"]})


def measure(plan: str, size: int, output_dir: str, generated: int | None = None) -> dict[str, Any]:
    """One run of `plan` at `size` through the runner; per-stage figures and the totals.
    ScaleQuest generates `generated` questions when given (`size` then names how many reach
    its solver), else `size`."""
    from synth.config.loading import load_config
    from synth.pipelines import build_stages
    from synth.runner import run_pipeline

    seeds = Path(output_dir) / "seeds.jsonl"
    seeds.parent.mkdir(parents=True, exist_ok=True)
    write_seeds(seeds)
    cfg = load_config(REPO / "pipelines" / f"{plan}_cpu.yaml",
                      [f"run.output_dir={output_dir}", f"run.name={plan}_{size}", "ray.num_cpus=2",
                       *plan_overrides(plan, generated or size, seeds)])
    monitor = StageMonitor()
    started, cores = time.perf_counter(), monitor.core_seconds()
    summary = run_pipeline(cfg, build_stages(cfg), report=monitor)
    return {"plan": plan, "size": size, "generated": generated or size, "stages": monitor.stages,
            "provenance_engines": provenance_engines(summary["final_dataset"]),
            "final_rows": summary["final_rows"], "wall_s": round(time.perf_counter() - started, 1),
            "core_s": round(monitor.core_seconds() - cores, 1),
            "tokens_by_role": summary["tokens_by_role"]}


def provenance_engines(final_dataset: str) -> list[str]:
    """The engines the first final row's provenance names (every role: `replayed`)."""
    import pyarrow.dataset as pads

    first = pads.dataset(final_dataset).head(1, columns=["provenance"]).to_pylist()
    if not first:
        return []
    found = []
    for value in first[0]["provenance"].values():
        for role in json.loads(value) if isinstance(value, str) and value.startswith("[") else [value]:
            if isinstance(role, dict) and "engine" in role:
                found.append(role["engine"])
    return sorted(set(found))


def measured(plan: str, size: int, scratch: Path, generated: int | None = None) -> dict[str, Any]:
    """`measure` in a fresh process: its own Ray cluster, its own driver peak memory."""
    child = subprocess.run([sys.executable, "-m", "bench.paper_scale", "--measure", plan,
                            str(size), str(scratch / f"{plan}_{size}"),
                            *([str(generated)] if generated else [])],
                           cwd=REPO, stdout=subprocess.PIPE, stderr=None, text=True, check=False)
    if child.returncode != 0:
        raise RuntimeError(f"paper_scale {plan} at {size:,} failed (exit {child.returncode})")
    result = [line for line in child.stdout.splitlines() if line.startswith(RESULT_MARK)]
    return json.loads(result[-1][len(RESULT_MARK):])


def generated_for_solver(questions: int) -> int:
    """How many questions ScaleQuest generates for about `questions` to reach its solver."""
    return questions * GENERATED_PER_SOLVED


def stage_table(large: dict[str, Any], small: dict[str, Any]) -> str:
    """The per-stage table of one plan at the large size, with its targets."""
    generated = (f"{large['generated']:,} generated, "
                 if large["generated"] != large["size"] else "")
    lines = [(f"## {large['plan']} at {large['size']:,}: {generated}"
              f"{large['final_rows']:,} final pairs, "
              f"{large['wall_s']:,.0f} s wall, {large['core_s']:,.0f} core-s"),
             ("| stage | rows in | rows out | rows/s | wall s | core s | s per 1M rows | "
              "driver RSS MB (small) | spilled MiB | met |"),
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for stage, before in zip(large["stages"], small["stages"]):
        per_1m = per_million(stage)
        met = ((per_1m <= STAGE_SECONDS_PER_1M or not scales_with_plan(stage, before)) and
               stage["driver_peak_rss_mb"] <= RSS_GROWTH * before["driver_peak_rss_mb"])
        lines.append(
            f"| {stage['stage']} | {stage['rows_in']:,} | {stage['rows_out']:,} | "
            f"{stage['rows_in'] / max(stage['wall_s'], 1e-9):,.0f} | {stage['wall_s']:,.1f} | "
            f"{stage['core_s']:,.1f} | {per_1m:,.0f} | {stage['driver_peak_rss_mb']:,.0f} "
            f"({before['driver_peak_rss_mb']:,.0f}) | {stage['spilled_mib']:,} | "
            f"{'yes' if met else 'NO'} |")
    return "\n".join(lines)


def per_million(stage: dict[str, Any]) -> float:
    """Wall seconds per 1M rows the stage handles (in or out, whichever is more: the
    combination sampler reads seeds and writes combinations)."""
    return stage["wall_s"] * 1e6 / max(stage["rows_in"], stage["rows_out"], 1)


def scales_with_plan(stage: dict[str, Any], before: dict[str, Any]) -> bool:
    """Whether the stage's rows grew with the plan's size: the concept methods' seed stages
    (load, extract, graph) handle the same 7.5K seeds at every size, so a rate per 1M rows
    would extrapolate their fixed start-up cost; they are diagnostics, not held to a target."""
    return max(stage["rows_in"], stage["rows_out"]) > max(before["rows_in"], before["rows_out"])


def figures(large: dict[str, Any], small: dict[str, Any]) -> list[Figure]:
    """Per stage: seconds per 1M input rows (baseline: the small size's) and driver RSS (the
    small size's); per plan: core-seconds per 1M final pairs, and the ScaleQuest plan's wall."""
    plan, size = large["plan"], large["size"]
    out = []
    for stage, before in zip(large["stages"], small["stages"]):
        name = f"{plan} {stage['stage']}"
        held = scales_with_plan(stage, before)
        out.append(Figure("paper_scale", f"{name}: s per 1M rows at {size:,}",
                          per_million(stage), "s", f"at {small['size']:,}", per_million(before),
                          "value" if held else None, "<=" if held else None,
                          STAGE_SECONDS_PER_1M if held else None,
                          f"{stage['rows_in']:,} in, {stage['rows_out']:,} out, "
                          f"{stage['wall_s']:.0f} s, {stage['core_s']:.0f} core-s, "
                          f"{stage['spilled_mib']} MiB spilled"))
        out.append(Figure("paper_scale", f"{name}: driver peak RSS at {size:,}",
                          stage["driver_peak_rss_mb"], "MB", f"at {small['size']:,}",
                          before["driver_peak_rss_mb"], "ratio", "<=", RSS_GROWTH))
    pairs = max(large["final_rows"], 1)
    out.append(Figure("paper_scale", f"{plan}: non-model core-s per 1M final pairs",
                      large["core_s"] * 1e6 / pairs, "core-s", f"at {small['size']:,}",
                      small["core_s"] * 1e6 / max(small["final_rows"], 1), None, None, None,
                      f"{large['final_rows']:,} final pairs from {size:,}"))
    if plan == "scalequest":
        solve = next(stage for stage in large["stages"] if stage["stage"] == "solve")
        out.append(Figure("paper_scale", f"scalequest: whole plan at {size:,} questions to solve",
                          large["wall_s"], "s", f"at {small['size']:,} generated",
                          small["wall_s"], "value", "<=",
                          SCALEQUEST_PLAN_SECONDS * size / 1_000_000,
                          f"{large['generated']:,} generated, {solve['rows_in']:,} solved, "
                          f"{solve['rows_out']:,} samples"))
    return out


def run(quick: bool) -> list[Figure]:
    small, large = (10_000, 100_000) if quick else (100_000, 1_000_000)
    out: list[Figure] = []
    with tempfile.TemporaryDirectory() as scratch:
        for plan in ("scalequest", "mathscale", "gsdp"):
            low = measured(plan, small, Path(scratch))
            scaled_up = plan == "scalequest" and not quick
            generated = generated_for_solver(large) if scaled_up else None
            high = measured(plan, large, Path(scratch), generated)
            print(stage_table(high, low), file=sys.stderr, flush=True)
            print(f"{plan} provenance engines: {high['provenance_engines']}", file=sys.stderr)
            out += figures(high, low)
    return out


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        plan, count, output, *generated = sys.argv[2:6]
        print(RESULT_MARK + json.dumps(measure(plan, int(count), output,
                                               int(generated[0]) if generated else None)),
              flush=True)
    else:
        benchmark_main(__doc__.splitlines()[0], run)
