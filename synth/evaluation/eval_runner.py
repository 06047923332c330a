"""Run one model zero-shot over benchmark sets and write per-item results and metrics.

    synth eval pipelines/eval_cpu.yaml          # calls run_eval(load_config(...))

writes `<run.output_dir>/<run.name>/`:

    config.yaml          the fully resolved config
    eval/items/          Parquet, one row per benchmark item (ITEMS_SCHEMA): text, predictions, verdicts
    eval/metrics.json    per benchmark, micro and macro accuracy under both rules; tokens; seconds
    eval/metrics.md      the same accuracies as a Markdown table

An eval is not resumable: running it again redoes every item and replaces `eval/`.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pyarrow as pa
import ray
from omegaconf import DictConfig

from synth.benchmarks.benchmark_sets import load_benchmark
from synth.config.errors import ConfigError
from synth.data_files import DataFileError
from synth.engines import build_engine
from synth.evaluation.eval_items import eval_requests, score_items
from synth.evaluation.metrics import compute_metrics, metrics_markdown, read_items
from synth.ray_session import start_ray
from synth.run.directory import RunDirectory
from synth.run.storage import remove_tree


def load_benchmarks(cfg: DictConfig) -> list[pa.Table]:
    """Every configured benchmark, read before any model starts, so a bad one costs nothing."""
    tables = []
    for index, benchmark in enumerate(cfg.benchmarks):
        key = f"benchmarks[{index}]"
        try:
            table = load_benchmark(benchmark)
        except DataFileError as error:  # BenchmarkSourceError, or the file's own line
            raise ConfigError(f"{key}: {error}") from None
        if table.num_rows == 0:
            raise ConfigError(f"{key}: benchmark {benchmark.name} has no items")
        if table.column("answer").null_count == table.num_rows:
            raise ConfigError(f"{key}.answer_field: benchmark {benchmark.name} yields no gold "
                              f"answers (answer_field {benchmark.answer_field!r}, "
                              f"answer_format {benchmark.answer_format!r})")
        tables.append(table)
    return tables


def eval_plan(cfg: DictConfig, benchmarks: list[pa.Table]) -> str:
    """What `run_eval` would do, for the dry run."""
    engine = build_engine(cfg.model, cfg.models[cfg.model])
    lines = [f"pipeline eval, run {cfg.run.name} -> {cfg.run.output_dir}/{cfg.run.name}/eval",
             f"  evaluates {engine.resource_plan()}",
             f"  sampling  temperature {cfg.sampling.temperature:g}, max_tokens {cfg.sampling.max_tokens}"]
    lines += [f"  benchmark {b.name}: {table.num_rows} items"
              for b, table in zip(cfg.benchmarks, benchmarks)]
    return "\n".join(lines)


def run_eval(cfg: DictConfig) -> dict[str, Any]:
    """Generate, score (on Ray workers), write items, then recount metrics from the files."""
    started = time.perf_counter()
    benchmarks = load_benchmarks(cfg)
    run_dir = RunDirectory.for_config(cfg)
    run_dir.prepare(cfg)
    eval_dir = run_dir.eval_dir
    remove_tree(eval_dir)
    start_ray(cfg.ray)
    model = cfg.models[cfg.model]
    requests = eval_requests(benchmarks, cfg)
    # One block per engine batch: a single block would go to one replica however many there are.
    blocks = [requests.slice(start, model.batch_size)
              for start in range(0, requests.num_rows, model.batch_size)]
    responses = build_engine(cfg.model, model).generate(ray.data.from_arrow(blocks), chat=True)
    scored = responses.map_batches(score_items, fn_kwargs={"timeout_s": cfg.comparison_timeout_s},
                                   batch_format="pyarrow")
    scored.write_parquet(str(eval_dir / "items"))
    metrics = {
        "model": {"role": cfg.model, "engine": model.engine, "model": model.model},
        **compute_metrics(read_items(eval_dir / "items"), [b.name for b in cfg.benchmarks]),
        "wall_seconds": round(time.perf_counter() - started, 3),
    }
    (eval_dir / "metrics.json").write_text(json.dumps(metrics, indent=2))
    (eval_dir / "metrics.md").write_text(metrics_markdown(metrics) + "\n")
    return metrics
