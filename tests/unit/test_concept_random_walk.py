"""MathScale random walks: transition frequencies follow co-occurrence counts, step
counts follow their distributions, no node repeats unless revisits are allowed."""

from __future__ import annotations

import math
from collections import Counter

import networkx as nx
import numpy as np
import pytest
from scipy.stats import chisquare

from synth.concepts.concept_graph import build_mathscale_graph, edge_kind
from synth.concepts.random_walk_sampler import RandomWalkSampler

P_MIN = 1e-3
TOPIC_EDGES = {("a", "b"): 1, ("a", "c"): 3, ("a", "d"): 6, ("b", "c"): 2}
TOPIC_KP_EDGES = {("a", "k1"): 1, ("b", "k1"): 2, ("b", "k2"): 5, ("c", "k3"): 4,
                  ("d", "k2"): 1, ("d", "k3"): 1, ("d", "k4"): 8}
KP_EDGES = {("k1", "k2"): 1, ("k1", "k3"): 2, ("k1", "k4"): 7, ("k2", "k3"): 3,
            ("k3", "k4"): 1, ("k4", "k5"): 2, ("k5", "k6"): 1}


def _hand_built_graph(lonely_topic: bool = False) -> nx.Graph:
    """Topics a-d, KPs k1-k6, with the co-occurrence counts above."""
    graph = nx.Graph()
    edges = [(f"topic:{u}", f"topic:{v}", c) for (u, v), c in TOPIC_EDGES.items()]
    edges += [(f"topic:{u}", f"kp:{v}", c) for (u, v), c in TOPIC_KP_EDGES.items()]
    edges += [(f"kp:{u}", f"kp:{v}", c) for (u, v), c in KP_EDGES.items()]
    if lonely_topic:  # a topic that co-occurs with topics only
        edges.append(("topic:a", "topic:e", 2))
    for source, target, count in edges:
        for node in (source, target):
            kind, name = node.split(":")
            graph.add_node(node, name=name, kind=kind, count=10)
        graph.add_edge(source, target, count=count, weight=math.log(count + 1e-5),
                       kind=edge_kind(graph, source, target))
    return graph


def _assert_matches(observed: Counter, expected: dict[str, float]) -> None:
    assert set(observed) <= set(expected)
    names = sorted(expected)
    total = sum(observed.values())
    weight = sum(expected.values())
    result = chisquare([observed[n] for n in names],
                       [total * expected[n] / weight for n in names])
    assert result.pvalue > P_MIN, (observed, expected)


def test_topic_step_follows_co_occurrence_counts():
    sampler = RandomWalkSampler(_hand_built_graph(), topic_steps=(1,), kp_steps=(0,))
    rng = np.random.default_rng(1)
    seconds = Counter(sampler.walk("a", rng).topics[1] for _ in range(20_000))
    _assert_matches(seconds, {"b": 1, "c": 3, "d": 6})


def test_topic_to_kp_step_follows_co_occurrence_counts():
    sampler = RandomWalkSampler(_hand_built_graph(), topic_steps=(0,), kp_steps=(0,))
    rng = np.random.default_rng(2)
    walks = [sampler.walk("d", rng) for _ in range(20_000)]
    assert all(w.topics == ("d",) and len(w.knowledge_points) == 1 for w in walks)
    _assert_matches(Counter(w.knowledge_points[0] for w in walks),
                    {"k2": 1, "k3": 1, "k4": 8})


def test_kp_steps_follow_counts_and_avoid_visited_kps():
    # Topic "a" has one KP neighbour (k1), so every walk starts its KP phase there.
    sampler = RandomWalkSampler(_hand_built_graph(), topic_steps=(0,), kp_steps=(2,))
    rng = np.random.default_rng(3)
    walks = [sampler.walk("a", rng).knowledge_points for _ in range(30_000)]
    assert all(kps[0] == "k1" and len(kps) == 3 == len(set(kps)) for kps in walks)
    _assert_matches(Counter(kps[1] for kps in walks), {"k2": 1, "k3": 2, "k4": 7})
    # From k4 the way back to k1 (count 7) is closed: k3 and k5 share what is left.
    _assert_matches(Counter(kps[2] for kps in walks if kps[1] == "k4"),
                    {"k3": 1, "k5": 2})


def test_revisits_when_allowed_step_back_by_count():
    sampler = RandomWalkSampler(_hand_built_graph(), topic_steps=(0,), kp_steps=(2,),
                                allow_revisits=True)
    rng = np.random.default_rng(4)
    walks = [sampler.walk("a", rng).knowledge_points for _ in range(30_000)]
    # k1 -> k4 -> k1 has probability 0.7 * 0.7; the combination names k1 once.
    back = sum(kps == ("k1", "k4") for kps in walks)
    _assert_matches(Counter({"back": back, "on": len(walks) - back}),
                    {"back": 0.49, "on": 0.51})


def test_phase_ends_early_when_every_neighbour_was_visited():
    # k5 -> k6 is a dead end: k6's only neighbour is k5.
    graph = _hand_built_graph()
    graph.add_edge("topic:e", "kp:k6", count=1, weight=0.0, kind="topic-kp")
    graph.nodes["topic:e"].update(name="e", kind="topic", count=1)
    sampler = RandomWalkSampler(graph, topic_steps=(0,), kp_steps=(4,))
    rng = np.random.default_rng(5)
    kps = {sampler.walk("e", rng).knowledge_points for _ in range(2_000)}
    assert all(k[:2] == ("k6", "k5") for k in kps)
    assert ("k6", "k5", "k4", "k1", "k2") in kps  # full length where the graph allows
    assert min(len(k) for k in kps) >= 3  # k5 always has k4 to go on to


def test_walk_without_kp_neighbour_is_dropped_or_steps_from_an_earlier_topic():
    graph = _hand_built_graph(lonely_topic=True)
    dropping = RandomWalkSampler(graph, topic_steps=(0,), kp_steps=(0,))
    rng = np.random.default_rng(6)
    assert dropping.walk("e", rng) is None
    assert (dropping.walks_started, dropping.walks_dropped) == (1, 1)
    assert len(list(dropping.epoch(rng))) == 4
    assert dropping.walks_dropped == 2
    stepping_back = RandomWalkSampler(graph, topic_steps=(1,), kp_steps=(0,),
                                      no_kp_neighbour="previous_topic")
    walks = [stepping_back.walk("a", rng) for _ in range(3_000)]
    assert stepping_back.walks_dropped == 0
    via_e = [w for w in walks if w.topics == ("a", "e")]
    assert via_e and all(w.knowledge_points == ("k1",) for w in via_e)


def _random_records(seed: int) -> list[tuple[list[str], list[str]]]:
    rng = np.random.default_rng(seed)
    return [([f"t{i}" for i in rng.choice(30, rng.integers(1, 3), replace=False)],
              [f"k{i}" for i in rng.choice(200, rng.integers(1, 6), replace=False)])
            for _ in range(3_000)]


@pytest.fixture(scope="module")
def random_graph() -> nx.Graph:
    return build_mathscale_graph(_random_records(0))


def test_epochs_walk_the_graph_with_steps_in_range(random_graph):
    sampler = RandomWalkSampler(random_graph)
    rng = np.random.default_rng(7)
    by_name = {(data["kind"], data["name"]): node
               for node, data in random_graph.nodes(data=True)}
    walks = []
    for _ in range(300):
        epoch = list(sampler.epoch(rng))
        assert sorted(w.topics[0] for w in epoch) == sorted(sampler.topic_names)
        walks += epoch
    topic_counts = Counter(len(w.topics) for w in walks)
    kp_counts = Counter(len(w.knowledge_points) for w in walks)
    # Dense graph: no phase runs out, so counts are exactly 1 + the drawn steps.
    _assert_matches(topic_counts, {2: 1, 3: 1})
    _assert_matches(kp_counts, {1: 1, 2: 1, 3: 1, 4: 1, 5: 1})
    for walk in walks[:2_000]:
        path = [by_name["topic", t] for t in walk.topics]
        path += [by_name["kp", k] for k in walk.knowledge_points]
        assert all(random_graph.has_edge(u, v) for u, v in zip(path, path[1:]))


def test_step_probabilities_and_determinism(random_graph):
    sampler = RandomWalkSampler(random_graph, topic_steps=(0, 2), kp_steps=(0, 4),
                                topic_step_probabilities=(0.75, 0.25),
                                kp_step_probabilities=(0.1, 0.9))

    def epochs(seed: int) -> list:
        rng = np.random.default_rng(seed)
        return [w for _ in range(100) for w in sampler.epoch(rng)]

    walks = epochs(8)
    _assert_matches(Counter(len(w.topics) for w in walks), {1: 0.75, 3: 0.25})
    _assert_matches(Counter(len(w.knowledge_points) for w in walks), {1: 0.1, 5: 0.9})
    assert epochs(8) == walks
    assert epochs(9)[:30] != walks[:30]


def test_bad_options_are_rejected(random_graph):
    with pytest.raises(ValueError):
        RandomWalkSampler(random_graph, kp_steps=(0, 1), kp_step_probabilities=(1.0,))
    with pytest.raises(ValueError):
        RandomWalkSampler(random_graph, no_kp_neighbour="retry")
    with pytest.raises(KeyError):
        RandomWalkSampler(random_graph).walk("no such topic", np.random.default_rng(0))
