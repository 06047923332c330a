"""Concept graphs built from CHAMP's human concept annotations, checked against counts
recomputed here: topic = problem category, KPs = the problem's annotated concepts."""

from __future__ import annotations

import json
import math
from collections import Counter
from itertools import combinations

import networkx as nx
import pytest

from synth.concepts.champ_seeds import champ_seed_records
from synth.concepts.concept_graph import (
    build_kp_graph,
    build_mathscale_graph,
    load_graph,
    save_graph,
)
from synth.concepts.concept_text import canonical_concept
from synth.concepts.graph_statistics import graph_stats


@pytest.fixture(scope="module")
def champ_records() -> list[dict]:
    return champ_seed_records()


@pytest.fixture(scope="module")
def seeds(champ_records) -> list[tuple[list[str], list[str]]]:
    """(topics, KPs) per CHAMP problem, canonical."""
    return [([canonical_concept(r["category"])],
             [canonical_concept(text) for text in r["concepts"]])
            for r in champ_records]


def _seed_nodes(seeds) -> list[set[str]]:
    return [{f"topic:{t}" for t in topics} | {f"kp:{k}" for k in kps}
            for topics, kps in seeds]


def test_champ_records_carry_problem_and_human_concepts(champ_records):
    assert len(champ_records) == 270
    assert {r["category"] for r in champ_records} == {
        "Number-Theory", "Inequality", "Polynomial", "Sequence", "Combinatorics"}
    first = next(r for r in champ_records if r["id"] == "P_Combinatorics_1")
    assert first["answer"] == "239" and "strings of length 6" in first["question"]
    assert first["solution"].count("\n") == 5  # six solution steps
    assert first["concept_ids"] == ["C_comb_sum"]
    used = {cid for r in champ_records for cid in r["concept_ids"]}
    assert len(used) == 89 and all(cid.startswith("C_") for cid in used)
    assert all(len(r["concepts"]) == len(r["concept_ids"]) for r in champ_records)


def test_nodes_are_exactly_the_annotated_concepts_and_categories(seeds):
    graph = build_mathscale_graph(seeds, min_count=1)
    distinct_kps = {k for _, kps in seeds for k in kps}
    kinds = Counter(kind for _, kind in graph.nodes(data="kind"))
    assert kinds == {"kp": len(distinct_kps), "topic": 5}
    # Two CHAMP ids share one text, so there are fewer KP nodes than concept ids.
    assert len(distinct_kps) == 88
    counts = Counter(node for seed in _seed_nodes(seeds) for node in seed)
    for node, data in graph.nodes(data=True):
        assert node == f"{data['kind']}:{data['name']}"
        assert data["count"] == counts[node]


def test_edges_are_the_co_annotations_with_their_counts_and_weights(seeds):
    graph = build_mathscale_graph(seeds, min_count=1)
    pairs = Counter(frozenset(pair) for seed in _seed_nodes(seeds)
                    for pair in combinations(sorted(seed), 2))
    edges = {frozenset((u, v)): data for u, v, data in graph.edges(data=True)}
    assert set(edges) == set(pairs)
    for pair, data in edges.items():
        assert data["count"] == pairs[pair]
        assert data["weight"] == pytest.approx(math.log(pairs[pair] + 1e-5))
        kinds = sorted(node.split(":")[0] for node in pair)
        assert data["kind"] == {("kp", "kp"): "kp-kp", ("kp", "topic"): "topic-kp",
                                ("topic", "topic"): "topic-topic"}[tuple(kinds)]
    # CHAMP gives each problem one category, so no topic-topic edge exists.
    assert {d["kind"] for d in edges.values()} == {"topic-kp", "kp-kp"}


def test_min_count_two_drops_exactly_the_concepts_seen_once(seeds):
    full = build_mathscale_graph(seeds, min_count=1)
    pruned = build_mathscale_graph(seeds, min_count=2)
    once = {node for node, count in full.nodes(data="count") if count == 1}
    assert once  # CHAMP has many concepts used by a single problem
    assert set(full) - set(pruned) == once
    kept_edges = {frozenset((u, v)): d for u, v, d in full.edges(data=True)
                  if u not in once and v not in once}
    assert {frozenset((u, v)): d for u, v, d in pruned.edges(data=True)} == kept_edges


def test_kp_graph_is_the_kp_part_of_the_mathscale_graph(seeds):
    kp_graph = build_kp_graph([kps for _, kps in seeds])
    full = build_mathscale_graph(seeds, min_count=1)
    kp_part = full.subgraph(n for n, kind in full.nodes(data="kind") if kind == "kp")
    assert dict(kp_graph.nodes(data=True)) == dict(kp_part.nodes(data=True))
    assert ({frozenset((u, v)): d for u, v, d in kp_graph.edges(data=True)}
            == {frozenset((u, v)): d for u, v, d in kp_part.edges(data=True)})
    assert {kind for _, _, kind in kp_graph.edges(data="kind")} == {"kp-kp"}


def test_one_text_as_topic_and_kp_gives_two_nodes():
    graph = build_mathscale_graph([(["algebra"], ["algebra", "x"]),
                                   (["algebra"], ["algebra", "x", "x"])])
    assert set(graph) == {"topic:algebra", "kp:algebra", "kp:x"}
    assert graph.edges["topic:algebra", "kp:algebra"]["count"] == 2
    assert graph.nodes["kp:x"]["count"] == 2  # named twice by one seed counts once


def test_graph_stats_on_champ(seeds):
    graph = build_mathscale_graph(seeds, min_count=1)
    stats = graph_stats(graph)
    assert stats["nodes"] == graph.number_of_nodes() == 93
    assert stats["nodes_by_kind"] == {"kp": 88, "topic": 5}
    assert stats["edges"] == sum(stats["edges_by_kind"].values())
    assert stats["edges"] == graph.number_of_edges()
    degrees = [d for _, d in graph.degree()]
    assert stats["degree"]["min"] == min(degrees)
    assert stats["degree"]["max"] == max(degrees)
    assert sum(stats["degree"]["histogram"].values()) == len(degrees)
    assert stats["components"]["count"] == nx.number_connected_components(graph)
    # Every concept hangs off its problem's category, and categories share concepts.
    assert stats["components"] == {"count": 1, "largest": 93}
    assert 1 <= stats["communities"]["count"] <= 93
    top = stats["top_nodes"]
    assert len(top) == 10
    assert top[0] == {"id": "topic:number-theory", "name": "number-theory",
                      "kind": "topic", "count": 80}
    assert [t["count"] for t in top] == sorted((t["count"] for t in top), reverse=True)


def test_save_and_load_round_trip(seeds, tmp_path):
    graph = build_mathscale_graph(seeds, min_count=1)
    save_graph(graph, tmp_path / "graph")
    assert {p.name for p in (tmp_path / "graph").iterdir()} == {
        "nodes.parquet", "edges.parquet", "graph.graphml", "stats.json"}
    loaded = load_graph(tmp_path / "graph")
    assert list(loaded.nodes(data=True)) == list(graph.nodes(data=True))
    assert ({frozenset((u, v)): d for u, v, d in loaded.edges(data=True)}
            == {frozenset((u, v)): d for u, v, d in graph.edges(data=True)})
    stats = json.loads((tmp_path / "graph" / "stats.json").read_text())
    assert stats == json.loads(json.dumps(graph_stats(graph)))
    graphml = nx.read_graphml(tmp_path / "graph" / "graph.graphml")
    assert graphml.number_of_nodes() == 93
    assert graphml.number_of_edges() == graph.number_of_edges()


def test_empty_graph_saves_and_reports(tmp_path):
    graph = build_mathscale_graph([(["only once"], ["seen once"])])
    assert graph.number_of_nodes() == 0
    save_graph(graph, tmp_path)
    assert load_graph(tmp_path).number_of_nodes() == 0
    assert graph_stats(graph)["components"] == {"count": 0, "largest": 0}
