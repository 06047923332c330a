"""MathScale's random walk: a few topics, then 1-5 knowledge points, per combination.

From a start topic the walk takes `topic_steps` steps on the topic-topic sub-graph,
one step from the current topic to a KP, then `kp_steps` steps on the KP-KP
sub-graph. Each step picks a neighbour with probability proportional to exp(weight),
i.e. to the co-occurrence count (MathScale, section 2 of docs/methods.md). One epoch
starts one walk at every topic, in a seeded shuffled order.

The paper leaves step-count distributions and revisits open; the defaults (uniform
over {1, 2} and {0..4}, no revisits) read its "1-2 steps" and "0-4 steps" literally.
A phase whose neighbours are all visited ends early, so a walk can come out shorter.

    sampler = RandomWalkSampler(load_graph(Path("runs/x/concept_graph")))
    for combination in sampler.epoch(np.random.default_rng(0)): ...
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import networkx as nx
import numpy as np

from synth.concepts.combination import Combination
from synth.concepts.concept_graph import KP, TOPIC
from synth.concepts.weighted_choice import (
    DiscreteChoice,
    UniformStream,
    WeightedNeighbours,
)

# What a walk does when the topic it stands on has no KP neighbour:
# "drop" gives up the walk (counted in `walks_dropped`); "previous_topic" steps to a KP
# from the latest earlier topic of the walk that has one (dropped only if none has).
NO_KP_NEIGHBOUR_RULES = ("drop", "previous_topic")


class RandomWalkSampler:
    """Seeded MathScale walks over a graph built by `build_mathscale_graph`."""

    def __init__(self, graph: nx.Graph, topic_steps: Sequence[int] = (1, 2),
                 kp_steps: Sequence[int] = (0, 1, 2, 3, 4),
                 topic_step_probabilities: Sequence[float] | None = None,
                 kp_step_probabilities: Sequence[float] | None = None,
                 allow_revisits: bool = False, no_kp_neighbour: str = "drop") -> None:
        if no_kp_neighbour not in NO_KP_NEIGHBOUR_RULES:
            raise ValueError(f"no_kp_neighbour must be one of {NO_KP_NEIGHBOUR_RULES}, "
                             f"got {no_kp_neighbour!r}")
        kinds = graph.nodes(data="kind")
        topics = sorted(node for node, kind in kinds if kind == TOPIC)
        kps = sorted(node for node, kind in kinds if kind == KP)
        self.topic_names = [graph.nodes[node]["name"] for node in topics]
        self.kp_names = [graph.nodes[node]["name"] for node in kps]
        self._topic_index = {name: i for i, name in enumerate(self.topic_names)}
        self._topic_topic = _neighbour_table(graph, topics, topics)
        self._topic_kp = _neighbour_table(graph, topics, kps)
        self._kp_kp = _neighbour_table(graph, kps, kps)
        self._topic_steps = DiscreteChoice(topic_steps, topic_step_probabilities)
        self._kp_steps = DiscreteChoice(kp_steps, kp_step_probabilities)
        self.allow_revisits = allow_revisits
        self.no_kp_neighbour = no_kp_neighbour
        self.walks_started = 0
        self.walks_dropped = 0  # walks that reached no KP

    def walk(self, start_topic: str, rng: np.random.Generator) -> Combination | None:
        """One walk from the topic named `start_topic`; None when it reaches no KP."""
        return self._walk(self._topic_index[start_topic], UniformStream(rng, block=32))

    def epoch(self, rng: np.random.Generator) -> Iterator[Combination]:
        """A walk from every topic, in an order shuffled by `rng`; drops are skipped."""
        uniform = UniformStream(rng)
        for start in rng.permutation(len(self.topic_names)).tolist():
            combination = self._walk(start, uniform)
            if combination is not None:
                yield combination

    def _walk(self, start: int, uniform: UniformStream) -> Combination | None:
        self.walks_started += 1
        topic_steps = self._topic_steps.draw(uniform())
        topics = self._phase(self._topic_topic, start, topic_steps, uniform)
        first_kp = -1
        for topic in reversed(topics):
            first_kp = self._topic_kp.step(topic, uniform)
            if first_kp >= 0 or self.no_kp_neighbour == "drop":
                break
        if first_kp < 0:
            self.walks_dropped += 1
            return None
        kp_steps = self._kp_steps.draw(uniform())
        kps = self._phase(self._kp_kp, first_kp, kp_steps, uniform)
        # With revisits allowed a node can recur; a combination names it once.
        return Combination("walk",
                           tuple(dict.fromkeys(self.topic_names[t] for t in topics)),
                           tuple(dict.fromkeys(self.kp_names[k] for k in kps)))

    def _phase(self, table: WeightedNeighbours, start: int, steps: int,
               uniform: UniformStream) -> list[int]:
        """Nodes visited in `steps` steps from `start` (fewer if it runs out)."""
        visited = [start]
        avoid = None if self.allow_revisits else visited
        current = start
        for _ in range(steps):
            current = table.step(current, uniform, avoid)
            if current < 0:
                break
            visited.append(current)
        return visited


def _neighbour_table(graph: nx.Graph, sources: list[str], targets: list[str]
                     ) -> WeightedNeighbours:
    """For each source node, its neighbours among `targets` weighted by exp(weight)."""
    target_index = {node: i for i, node in enumerate(targets)}
    neighbours, weights = [], []
    for source in sources:
        found = sorted((target_index[n], math.exp(data["weight"]))
                       for n, data in graph[source].items() if n in target_index)
        neighbours.append([n for n, _ in found])
        weights.append([w for _, w in found])
    return WeightedNeighbours(neighbours, weights)
