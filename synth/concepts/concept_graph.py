"""Concept co-occurrence graphs: MathScale's topic/KP graph and GSDP's KP graph.

Nodes are concepts extracted from seed questions, edges join concepts extracted from the
same seed. Node ids carry the concept's kind ("topic:<text>", "kp:<text>") because the
same text can be a topic for one seed and a KP for another, and the papers keep those
apart. Attributes (the Parquet columns of `save_graph` too):

- node: `name` (canonical text), `kind` ("topic" | "kp"), `count` (seeds naming it);
- edge: `kind` ("topic-topic" | "topic-kp" | "kp-kp"), `count` (seeds naming both),
  `weight` = log(count + 1e-5), MathScale's weight, so exp(weight) is the count.

Nodes and edges are inserted in sorted order, so a built graph and its reloaded copy
iterate identically and seeded samplers and Louvain give the same results on both.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import combinations
from pathlib import Path

import networkx as nx
import pyarrow as pa
import pyarrow.parquet as pq

from synth.concepts.graph_statistics import graph_stats
from synth.run.storage import run_path

TOPIC = "topic"
KP = "kp"
WEIGHT_EPSILON = 1e-5  # MathScale: weight = log(co-occurrence count + 1e-5)

NODE_SCHEMA = pa.schema([("id", pa.string()), ("name", pa.string()),
                         ("kind", pa.string()), ("count", pa.int64())])
EDGE_SCHEMA = pa.schema([("source", pa.string()), ("target", pa.string()),
                         ("kind", pa.string()), ("count", pa.int64()),
                         ("weight", pa.float64())])


def node_id(kind: str, name: str) -> str:
    """The node id of concept `name` of `kind` ("topic" or "kp")."""
    return f"{kind}:{name}"


def edge_kind(graph: nx.Graph, source: str, target: str) -> str:
    """The edge's kind, topic first ("topic-kp"), whichever way round it is stored."""
    kinds = sorted((graph.nodes[source]["kind"], graph.nodes[target]["kind"]),
                   key=(TOPIC, KP).index)
    return "-".join(kinds)


def build_mathscale_graph(records: Iterable[tuple[Sequence[str], Sequence[str]]],
                          min_count: int = 2) -> nx.Graph:
    """MathScale's concept graph from (topics, knowledge points) of each seed question.

    Concepts must already be canonical (`canonical_concept`); empty strings are ignored
    and a concept named twice by one seed counts once. Concepts seen in fewer than
    `min_count` seeds are dropped before edges are counted (the paper drops those seen
    once, hence 2), so no edge leads to a dropped concept.
    """
    seeds = [sorted({node_id(TOPIC, t) for t in topics if t}
                    | {node_id(KP, k) for k in kps if k})
             for topics, kps in records]
    counts = Counter(node for seed in seeds for node in seed)
    kept = {node for node, count in counts.items() if count >= min_count}
    pair_counts = Counter(pair for seed in seeds
                          for pair in combinations([n for n in seed if n in kept], 2))
    graph = nx.Graph()
    for node in sorted(kept):
        kind, name = node.split(":", 1)
        graph.add_node(node, name=name, kind=kind, count=counts[node])
    for (source, target), count in sorted(pair_counts.items()):
        graph.add_edge(source, target, kind=edge_kind(graph, source, target),
                       count=count, weight=math.log(count + WEIGHT_EPSILON))
    return graph


def build_kp_graph(kp_sets: Iterable[Sequence[str]], min_count: int = 1) -> nx.Graph:
    """GSDP's KP relationship graph: one node per KP, an edge per co-occurring pair.

    GSDP merges near-duplicate KPs before this (`kp_merging`) instead of dropping rare
    ones, so by default every KP stays.
    """
    return build_mathscale_graph((((), kps) for kps in kp_sets), min_count=min_count)


def save_graph(graph: nx.Graph, directory: Path | str) -> None:
    """Write nodes.parquet, edges.parquet, graph.graphml and stats.json to `directory`.

    The Parquet pair is what `load_graph` reads (and what Ray read tasks load); the
    GraphML copy is for graph tools such as Gephi.
    """
    directory = run_path(str(directory))
    directory.mkdir(parents=True, exist_ok=True)
    nodes = [{"id": node, **{key: data[key] for key in ("name", "kind", "count")}}
             for node, data in graph.nodes(data=True)]
    edges = [{"source": source, "target": target,
              **{key: data[key] for key in ("kind", "count", "weight")}}
             for source, target, data in graph.edges(data=True)]
    with (directory / "nodes.parquet").open("wb") as sink:
        pq.write_table(pa.Table.from_pylist(nodes, schema=NODE_SCHEMA), sink)
    with (directory / "edges.parquet").open("wb") as sink:
        pq.write_table(pa.Table.from_pylist(edges, schema=EDGE_SCHEMA), sink)
    with (directory / "graph.graphml").open("wb") as sink:
        nx.write_graphml(graph, sink)
    stats = json.dumps(graph_stats(graph), indent=2)
    (directory / "stats.json").write_text(stats + "\n")


def load_graph(directory: Path | str) -> nx.Graph:
    """The graph `save_graph` wrote to `directory`, rebuilt from its Parquet files."""
    directory = run_path(str(directory))
    graph = nx.Graph()
    with (directory / "nodes.parquet").open("rb") as source:
        for row in pq.read_table(source).to_pylist():
            graph.add_node(row.pop("id"), **row)
    with (directory / "edges.parquet").open("rb") as source:
        for row in pq.read_table(source).to_pylist():
            graph.add_edge(row.pop("source"), row.pop("target"), **row)
    return graph
