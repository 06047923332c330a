"""Driver memory: peak RSS of the driver for 10K vs 100K rows through a CPU-only pipeline.

    python -m bench.driver_memory [--quick]

The pipeline is synth's runner with three real stages: MathScale combinations sampled from
a paper-sized graph -> generation prompts built for them (the prompter of
`generate_from_concepts`, few-shot examples included, stopping short of the model) ->
MinHash dedup of the combination texts -> Parquet, with the run directory, summary and report
as `synth run` writes them. Each size runs in a fresh process, since peak RSS only grows.
Baseline: the small size; the figure is large/small. Target: <= 1.2 (rows stream, the driver
never collects them).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from omegaconf import DictConfig
from ray.data import Dataset

from bench.figures import Figure, benchmark_main
from bench.synthetic_inputs import (
    PAPER_KP_UNIVERSE,
    PAPER_TOPICS,
    paper_sized_graph,
    synthetic_seed_concepts,
)
from synth.stages.base import Stage

REPO = Path(__file__).resolve().parents[1]


class PromptBuildStage(Stage):
    """Builds each combination's generation request, stopping short of the engine."""

    name = "build_prompts"
    requires = ("id", "kind", "topics", "knowledge_points")

    def __init__(self, config: DictConfig, seeds_path: Path, run_seed: int) -> None:
        self.config, self.seeds_path, self.run_seed = config, seeds_path, run_seed

    def apply(self, rows: Dataset | None) -> Dataset:
        from synth.stages.generate_from_concepts import ConceptPrompter

        def combination_text(batch: pa.Table) -> pa.Table:
            texts = [f"Topics: {', '.join(t)}. Knowledge points: {'; '.join(k)}."
                     for t, k in zip(batch.column("topics").to_pylist(),
                                     batch.column("knowledge_points").to_pylist())]
            return batch.append_column("question", pa.array(texts, pa.string()))

        prompter = ConceptPrompter(self.config, self.seeds_path, self.run_seed)
        return (rows.map_batches(prompter, batch_format="pyarrow")
                .map_batches(combination_text, batch_format="pyarrow"))


def write_seed_pool(path: Path) -> None:
    """Few-shot seeds over the synthetic graph's KPs, as graph/seeds.parquet holds them."""
    records = synthetic_seed_concepts(PAPER_TOPICS, PAPER_KP_UNIVERSE, seed=1)[:5000]
    pq.write_table(pa.Table.from_pylist([
        {"id": f"seed{i}", "question": f"Seed question {i} about {kps[0]}?",
         "solution": f"Work with {', '.join(kps)}. The answer is \\boxed{{{i}}}.",
         "knowledge_points": kps} for i, (_, kps) in enumerate(records)]), path)


def measure(graph_dir: str, seeds_path: str, rows: int, output_dir: str) -> dict:
    """One run of the pipeline over `rows` combinations; the driver's peak RSS."""
    from synth.config.loading import load_config
    from synth.runner import run_pipeline
    from synth.stages.dedup import DedupStage
    from synth.stages.sample_combinations import SampleCombinationsStage

    cfg = load_config(REPO / "pipelines" / "mathscale_cpu.yaml", [
        f"run.output_dir={output_dir}", "run.name=driver_memory", "ray.num_cpus=2",
        f"sample.num_combinations={rows}", "sample.num_shards=8", "generate.num_few_shot=2"])
    stages = [SampleCombinationsStage(cfg.sample, "mathscale", Path(graph_dir), cfg.run.seed,
                                       cfg.dedup.num_partitions),
              PromptBuildStage(cfg.generate, Path(seeds_path), cfg.run.seed),
              DedupStage(cfg.dedup)]
    summary = run_pipeline(cfg, stages, report=lambda line: print(line, file=sys.stderr))
    return {"rows": rows, "final_rows": summary["final_rows"],
            "seconds": summary["totals"]["wall_seconds"],
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run(quick: bool) -> list[Figure]:
    small, large = (2_000, 20_000) if quick else (10_000, 100_000)
    with tempfile.TemporaryDirectory() as scratch:
        graph_dir, seeds_path = Path(scratch) / "graph", Path(scratch) / "seeds.parquet"
        paper_sized_graph(graph_dir, scale=0.1 if quick else 1.0)
        write_seed_pool(seeds_path)
        results = []
        for rows in (small, large):
            child = subprocess.run(
                [sys.executable, "-m", "bench.driver_memory", "--measure", str(graph_dir),
                 str(seeds_path), str(rows), str(Path(scratch) / f"runs_{rows}")],
                cwd=REPO, capture_output=True, text=True)
            if child.returncode != 0:
                raise RuntimeError(f"driver_memory at {rows} rows failed:\n{child.stderr[-3000:]}")
            results.append(json.loads(child.stdout.strip().splitlines()[-1]))
    low, high = results
    note = (f"{low['peak_rss_mb']:.0f} MB at {small:,} rows, {high['peak_rss_mb']:.0f} MB at "
            f"{large:,} ({high['final_rows']:,} final rows, {high['seconds']:.0f} s)")
    return [Figure("driver_memory", f"driver peak RSS at {large:,} rows", high["peak_rss_mb"], "MB",
                   f"driver peak RSS at {small:,} rows", low["peak_rss_mb"], "ratio", "<=", 1.2,
                   note)]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        graph, seeds, count, output = sys.argv[2:6]
        print(json.dumps(measure(graph, seeds, int(count), output)))
    else:
        benchmark_main(__doc__.splitlines()[0], run)
