"""Graph sampler: MathScale walks and GSDP combinations per second on one core.

    python -m bench.graph_sampler [--quick]

The graph is paper-sized (about 2,000 topics and 9,000 KPs, heavy-tailed degrees; see
synthetic_inputs.py). Each sampler runs in this process, i.e. on one core, for a fixed
number of successful draws. The same-run baseline is the obvious networkx walk: at every
step list the node's neighbours of the right kind and `random.choices` one by exp(weight).
Target: >= 100,000 combinations/s/core for each method.
"""

from __future__ import annotations

import math
import random
import tempfile
import time
from pathlib import Path

import networkx as nx
import numpy as np

from bench.figures import Figure, benchmark_main
from bench.synthetic_inputs import paper_sized_graph

TARGET_PER_CORE = 100_000


def naive_walk(graph: nx.Graph, start: str, rng: random.Random) -> list[str]:
    """A MathScale walk written straight on networkx: the baseline the samplers are held to."""
    def step(node: str, kind: str, visited: list[str]) -> str | None:
        options = [(n, math.exp(d["weight"])) for n, d in graph[node].items()
                   if graph.nodes[n]["kind"] == kind and n not in visited]
        if not options:
            return None
        return rng.choices([n for n, _ in options], [w for _, w in options])[0]

    topics = [start]
    for _ in range(rng.choice((1, 2))):
        nxt = step(topics[-1], "topic", topics)
        if nxt is None:
            break
        topics.append(nxt)
    kp = step(topics[-1], "kp", [])
    if kp is None:
        return []
    kps = [kp]
    for _ in range(rng.choice((0, 1, 2, 3, 4))):
        nxt = step(kps[-1], "kp", kps)
        if nxt is None:
            break
        kps.append(nxt)
    return topics + kps


def naive_rate(graph: nx.Graph, seconds: float) -> float:
    """Naive walks per second, over about `seconds` of walking."""
    rng = random.Random(0)
    topics = [n for n, kind in graph.nodes(data="kind") if kind == "topic"]
    walks, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for start in topics[:200]:
            if naive_walk(graph, start, rng):
                walks += 1
    return walks / (time.perf_counter() - started)


def mathscale_rate(graph: nx.Graph, draws: int) -> float:
    from synth.concepts.random_walk_sampler import RandomWalkSampler

    sampler = RandomWalkSampler(graph)
    rng = np.random.default_rng(0)
    made, started = 0, time.perf_counter()
    while made < draws:
        for _ in sampler.epoch(rng):
            made += 1
            if made == draws:
                break
    return made / (time.perf_counter() - started)


def gsdp_rate(graph: nx.Graph, draws: int) -> float:
    from synth.concepts.combination_sampler import CombinationSampler

    sampler = CombinationSampler(graph, seed=0)
    rng = np.random.default_rng(0)
    made, started = 0, time.perf_counter()
    while made < draws:
        if sampler.sample(rng) is not None:
            made += 1
    return made / (time.perf_counter() - started)


def run(quick: bool) -> list[Figure]:
    from synth.concepts.concept_graph import load_graph

    draws = 20_000 if quick else 300_000
    with tempfile.TemporaryDirectory() as scratch:
        sizes = paper_sized_graph(Path(scratch) / "graph", scale=0.1 if quick else 1.0)
        graph = load_graph(Path(scratch) / "graph")
    baseline = naive_rate(graph, 1.0 if quick else 5.0)
    note = f"{sizes['topics']} topics, {sizes['kps']} KPs, {sizes['edges']} edges"
    common = dict(benchmark="graph_sampler", unit="combinations/s/core",
                  baseline="naive networkx walk", baseline_value=baseline,
                  target_on="value", target_op=">=", target=TARGET_PER_CORE, note=note)
    return [Figure(name="MathScale random walks", value=mathscale_rate(graph, draws), **common),
            Figure(name="GSDP combinations", value=gsdp_rate(graph, draws), **common)]


if __name__ == "__main__":
    benchmark_main(__doc__.splitlines()[0], run)
