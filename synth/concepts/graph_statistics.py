"""Summary numbers of a concept graph, for stats.json and the run report.

They answer the questions one asks before sampling from a graph: is it one piece or many
islands, how skewed are degrees (GSDP's "core" KPs are the high-degree tail), how many
communities would community combinations draw from, and which concepts dominate.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx
import numpy as np

TOP_NODES = 10


def graph_stats(graph: nx.Graph, seed: int = 0) -> dict:
    """Node/edge counts, degree summary, components, Louvain communities, top concepts.

    `seed` makes Louvain deterministic; communities use edge `count` as weight, the
    same partition `CombinationSampler` draws community combinations from.
    """
    degrees = np.array([degree for _, degree in graph.degree()], dtype=np.int64)
    components = [len(c) for c in nx.connected_components(graph)]
    communities = ([len(c) for c in nx.community.louvain_communities(
        graph, weight="count", seed=seed)] if graph.number_of_edges() else [])
    top = sorted(graph.nodes(data=True), key=lambda item: (-item[1]["count"], item[0]))
    return {
        "nodes": graph.number_of_nodes(),
        "nodes_by_kind": dict(sorted(Counter(
            kind for _, kind in graph.nodes(data="kind")).items())),
        "edges": graph.number_of_edges(),
        "edges_by_kind": dict(sorted(Counter(
            kind for _, _, kind in graph.edges(data="kind")).items())),
        "degree": _degree_summary(degrees),
        "components": {"count": len(components),
                       "largest": max(components, default=0)},
        "communities": {"count": len(communities),
                        "largest": max(communities, default=0)},
        "top_nodes": [{"id": node, "name": data["name"], "kind": data["kind"],
                       "count": data["count"]} for node, data in top[:TOP_NODES]],
    }


def _degree_summary(degrees: np.ndarray) -> dict:
    if not len(degrees):
        return {"min": 0, "median": 0.0, "mean": 0.0, "max": 0, "histogram": {}}
    return {"min": int(degrees.min()), "median": float(np.median(degrees)),
            "mean": float(degrees.mean()), "max": int(degrees.max()),
            "histogram": _power_of_two_histogram(degrees)}


def _power_of_two_histogram(degrees: np.ndarray) -> dict[str, int]:
    """Counts in buckets "0", "1", "2-3", "4-7", ...: degrees of concept graphs span
    orders of magnitude, so equal-width buckets would put nearly everything in one."""
    buckets: Counter[str] = Counter()
    for degree in degrees.tolist():
        if degree < 2:
            buckets[str(degree)] += 1
            continue
        low = 1 << (degree.bit_length() - 1)
        buckets[f"{low}-{2 * low - 1}"] += 1
    return dict(sorted(buckets.items(), key=lambda item: int(item[0].split("-")[0])))
