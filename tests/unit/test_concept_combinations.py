"""GSDP combinations: each kind meets its definition, checked with networkx on a seeded
random KP graph and on the KP graph of CHAMP's human concept annotations."""

from __future__ import annotations

from collections import Counter

import networkx as nx
import numpy as np
import pytest

from synth.concepts.champ_seeds import champ_seed_records
from synth.concepts.combination_sampler import CombinationSampler
from synth.concepts.concept_graph import build_kp_graph, load_graph, save_graph
from synth.concepts.concept_text import canonical_concept

DRAWS = 4_000


def _ring_kp_sets(seed: int) -> list[list[str]]:
    """Seeds whose KPs lie near each other on a ring of 600 KPs: a graph with a long
    diameter, so core KPs three hops apart exist."""
    rng = np.random.default_rng(seed)
    sets = []
    for _ in range(1_500):
        centre = int(rng.integers(600))
        offsets = rng.choice(np.arange(-6, 7), int(rng.integers(2, 5)), replace=False)
        sets.append([f"kp {(centre + int(o)) % 600}" for o in offsets])
    return sets


@pytest.fixture(scope="module")
def ring_graph() -> nx.Graph:
    return build_kp_graph(_ring_kp_sets(0))


@pytest.fixture(scope="module")
def champ_graph() -> nx.Graph:
    return build_kp_graph([[canonical_concept(c) for c in record["concepts"]]
                           for record in champ_seed_records()])


def _core(graph: nx.Graph, quantile: float) -> set[str]:
    degrees = {node: degree for node, degree in graph.degree() if degree}
    cutoff = np.quantile(list(degrees.values()), quantile)
    return {graph.nodes[n]["name"] for n, d in degrees.items() if d >= cutoff}


def _check_definitions(graph: nx.Graph, sampler: CombinationSampler,
                       draws: list) -> Counter:
    node = {data["name"]: n for n, data in graph.nodes(data=True)}
    core = _core(graph, 0.9)
    communities = nx.community.louvain_communities(graph, weight="count", seed=0)
    community_of = {graph.nodes[n]["name"]: i
                    for i, members in enumerate(communities) for n in members}
    kinds = Counter()
    for combination in draws:
        if combination is None:
            continue
        kinds[combination.kind] += 1
        kps = combination.knowledge_points
        ids = [node[k] for k in kps]
        assert combination.topics == () and len(set(kps)) == len(kps) >= 2
        if combination.kind == "one_hop":
            assert graph.has_edge(ids[0], ids[1]) and len(kps) in (2, 3)
            assert nx.is_connected(graph.subgraph(ids))
        elif combination.kind == "two_hop":
            assert len(kps) == 2
            assert nx.shortest_path_length(graph, ids[0], ids[1]) == 2
            assert not graph.has_edge(*ids)
            assert set(graph[ids[0]]) & set(graph[ids[1]])
        elif combination.kind == "three_hop_core":
            assert len(kps) == 2 and set(kps) <= core
            assert nx.shortest_path_length(graph, ids[0], ids[1]) == 3
        else:
            assert combination.kind == "community" and len(kps) in (2, 3)
            assert len({community_of[k] for k in kps}) == 1
    return kinds


def test_every_kind_meets_its_definition_on_a_random_graph(ring_graph):
    sampler = CombinationSampler(ring_graph)
    rng = np.random.default_rng(0)
    draws = [sampler.sample(rng) for _ in range(DRAWS)]
    kinds = _check_definitions(ring_graph, sampler, draws)
    assert set(kinds) == {"one_hop", "two_hop", "three_hop_core", "community"}
    assert sum(kinds.values()) == DRAWS  # every kind finds something on this graph
    mix = {"one_hop": 0.4, "two_hop": 0.3, "three_hop_core": 0.1, "community": 0.2}
    for kind, share in mix.items():
        assert kinds[kind] / DRAWS == pytest.approx(share, abs=0.03)
    # Community pairs need not be adjacent: some are not.
    node = {data["name"]: n for n, data in ring_graph.nodes(data=True)}
    community_pairs = [d.knowledge_points for d in draws if d.kind == "community"]
    assert any(not ring_graph.has_edge(node[a], node[b])
               for a, b, *_ in community_pairs)


def test_champ_graph_kinds_and_its_missing_three_hop_core_pairs(champ_graph):
    sampler = CombinationSampler(champ_graph)
    rng = np.random.default_rng(1)
    draws = [sampler.sample(rng) for _ in range(DRAWS)]
    kinds = _check_definitions(champ_graph, sampler, draws)
    assert set(kinds) == {"one_hop", "two_hop", "community"}
    # CHAMP's few core concepts all lie within two hops of each other, so none qualify.
    core_names = _core(champ_graph, 0.9)
    core = [n for n in champ_graph if champ_graph.nodes[n]["name"] in core_names]
    lengths = dict(nx.all_pairs_shortest_path_length(champ_graph.subgraph(
        nx.node_connected_component(champ_graph, core[0]))))
    assert all(lengths.get(u, {}).get(v) != 3 for u in core for v in core)
    assert sampler.failures["three_hop_core"] == sum(d is None for d in draws) > 0


def test_options_change_sizes_and_mix(ring_graph):
    sampler = CombinationSampler(ring_graph, mix={"community": 1.0},
                                 community_size=(4,), seed=3)
    rng = np.random.default_rng(2)
    draws = [sampler.sample(rng) for _ in range(500)]
    assert {(d.kind, len(d.knowledge_points)) for d in draws} == {("community", 4)}
    pairs_only = CombinationSampler(ring_graph, mix={"one_hop": 1}, one_hop_size=(2,))
    assert {len(pairs_only.sample(rng).knowledge_points) for _ in range(500)} == {2}
    with pytest.raises(ValueError):
        CombinationSampler(ring_graph, mix={"four_hop": 1.0})
    with pytest.raises(ValueError):
        CombinationSampler(ring_graph, community_size=(1, 2))


def test_same_seed_same_draws_on_a_reloaded_graph(ring_graph, tmp_path):
    save_graph(ring_graph, tmp_path)
    first = CombinationSampler(ring_graph, seed=5)
    second = CombinationSampler(load_graph(tmp_path), seed=5)
    rng_a, rng_b = np.random.default_rng(9), np.random.default_rng(9)
    assert ([first.sample(rng_a) for _ in range(1_000)]
            == [second.sample(rng_b) for _ in range(1_000)])


def test_three_hop_core_partners_are_exactly_the_core_kps_at_distance_three(ring_graph,
                                                                           monkeypatch):
    """The sparse-matrix partner table against networkx shortest paths, for every core KP,
    with blocks small enough that the core spans several of them."""
    monkeypatch.setattr("synth.concepts.combination_sampler._CORE_BLOCK", 7)
    sampler = CombinationSampler(ring_graph, core_quantile=0.5, seed=0)
    partners = sampler._core_pairs_at_distance_three()
    by_name = {ring_graph.nodes[n]["name"]: n for n in ring_graph}
    core = [sampler.names[i] for i in sampler.core]
    assert len(core) > 3 * 7 and any(partners.values())
    for kp in core:
        distances = nx.single_source_shortest_path_length(ring_graph, by_name[kp], cutoff=3)
        expected = sorted(n for n in core if distances.get(by_name[n]) == 3)
        index = sampler.names.index(kp)
        assert sorted(sampler.names[i] for i in partners[index]) == expected, kp
