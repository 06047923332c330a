"""`synth graph inspect RUN_DIR`: what a concept graph looks like before GPUs are spent on it.

Prints node/edge counts by kind, the degree distribution, components and communities, the
most frequent knowledge points, and a few seeded samples from the run's own sampler settings
(MathScale walks or GSDP combinations).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from omegaconf import OmegaConf

from synth.concepts.combination import Combination
from synth.concepts.combination_sampler import CombinationSampler
from synth.concepts.concept_graph import load_graph
from synth.concepts.graph_statistics import graph_stats
from synth.concepts.random_walk_sampler import RandomWalkSampler
from synth.run.directory import RunDirectory


class GraphNotFoundError(FileNotFoundError):
    """The run directory holds no concept graph (not built yet, or not a concept method)."""


def _samples(graph, method: str, sample_cfg, count: int, seed: int) -> list[Combination]:
    rng = np.random.default_rng(seed)
    if method == "mathscale":
        sampler = RandomWalkSampler(graph, topic_steps=list(sample_cfg.topic_steps),
                                    kp_steps=list(sample_cfg.kp_steps),
                                    allow_revisits=sample_cfg.allow_revisits)
        walks = (sampler.walk(str(rng.choice(sampler.topic_names)), rng)
                 for _ in range(count * 4)) if sampler.topic_names else iter(())
    else:
        sampler = CombinationSampler(graph, mix=dict(sample_cfg.mix),
                                     core_quantile=sample_cfg.core_quantile,
                                     community_size=list(sample_cfg.community_size), seed=seed)
        walks = (sampler.sample(rng) for _ in range(count * 4)) if sampler.names else iter(())
    return [c for c in walks if c is not None][:count]


def inspect_graph(run_dir: Path, samples: int = 5, seed: int = 0) -> str:
    """A human-readable report of the graph in `run_dir/graph`."""
    run = RunDirectory(run_dir)
    graph_dir = run.graph_dir
    if not (graph_dir / "nodes.parquet").is_file():
        raise GraphNotFoundError(f"{run_dir}: no concept graph (run `synth graph build CONFIG` first)")
    cfg = OmegaConf.create(run.config_path.read_text())
    graph = load_graph(graph_dir)
    stats = graph_stats(graph, seed=seed)
    degree = stats["degree"]
    lines = [f"graph of run {run_dir.name} ({cfg.pipeline}): {graph_dir}",
             f"nodes {stats['nodes']} {stats['nodes_by_kind']}",
             f"edges {stats['edges']} {stats['edges_by_kind']}",
             f"degree {degree}",
             f"components {stats['components']}, communities {stats['communities']}", "",
             "most frequent concepts:"]
    lines += [f"  {n['count']:>5}  {n['kind']:<5}  {n['name']}" for n in stats["top_nodes"]]
    lines += ["", f"sample {'walks' if cfg.pipeline == 'mathscale' else 'combinations'}:"]
    for combination in _samples(graph, cfg.pipeline, cfg.sample, samples, seed):
        topics = " | ".join(combination.topics)
        lines.append(f"  [{combination.kind}] {topics + ' :: ' if topics else ''}"
                     f"{' ; '.join(combination.knowledge_points)}")
    return "\n".join(lines)
