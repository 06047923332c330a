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
from synth.concepts.weighted_choice import DiscreteChoice, NeighbourArrays

# What a walk does when the topic it stands on has no KP neighbour:
# "drop" gives up the walk (counted in `walks_dropped`); "previous_topic" steps to a KP
# from the latest earlier topic of the walk that has one (dropped only if none has).
NO_KP_NEIGHBOUR_RULES = ("drop", "previous_topic")
# Rejected redraws before the exact (filtered) draw when avoiding visited nodes: a walk
# has visited at most a handful of nodes, so a redraw almost always succeeds first.
_REDRAWS = 8


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
        return self._walks(np.array([self._topic_index[start_topic]]), rng)[0]

    def epoch(self, rng: np.random.Generator) -> Iterator[Combination]:
        """A walk from every topic, in an order shuffled by `rng`; drops are skipped."""
        for combination in self._walks(rng.permutation(len(self.topic_names)), rng):
            if combination is not None:
                yield combination

    def _walks(self, starts: np.ndarray, rng: np.random.Generator) -> list[Combination | None]:
        """Walks from every topic index in `starts`, all advanced together a step at a time."""
        count = len(starts)
        self.walks_started += count
        topics, topic_lengths = self._phase(self._topic_topic, starts,
                                            self._topic_steps.draw_many(rng.random(count)), rng)
        first_kps = self._first_kps(topics, topic_lengths, rng)
        reached = first_kps >= 0
        self.walks_dropped += count - int(reached.sum())
        kps, kp_lengths = self._phase(self._kp_kp, first_kps[reached],
                                      self._kp_steps.draw_many(rng.random(int(reached.sum()))),
                                      rng)
        return self._combinations(reached, topics.tolist(), topic_lengths.tolist(),
                                  kps.tolist(), kp_lengths.tolist())

    def _phase(self, table: NeighbourArrays, starts: np.ndarray, steps: np.ndarray,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Paths of `steps[i]` steps from `starts[i]` (fewer where one runs out), padded with
        -1, and their lengths. A walker still going at step s has taken every step before it,
        so its current node sits in column s - 1."""
        count = len(starts)
        width = int(steps.max(initial=0)) + 1
        paths = np.full((count, width), -1, dtype=np.int64)
        paths[:, 0] = starts
        lengths = np.ones(count, dtype=np.int64)
        going = steps > 0
        for step in range(1, width):
            going &= steps >= step
            walkers = np.nonzero(going)[0]
            current = paths[walkers, step - 1]
            stuck = table.degree[current] == 0
            chosen = np.full(walkers.size, -1, dtype=np.int64)
            movable = np.nonzero(~stuck)[0]
            chosen[movable] = table.draw(current[movable], rng.random(movable.size))
            if not self.allow_revisits:
                chosen[movable] = self._unvisited(table, current[movable], chosen[movable],
                                                  paths[walkers[movable], :step], rng)
            moved = chosen >= 0
            paths[walkers[moved], step] = chosen[moved]
            lengths[walkers[moved]] += 1
            going[walkers[~moved]] = False
        return paths, lengths

    def _unvisited(self, table: NeighbourArrays, current: np.ndarray, chosen: np.ndarray,
                   visited: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """`chosen`, redrawn where it was visited already; -1 where every neighbour was.

        Redrawing until the neighbour is new, and after a few failures drawing from the new
        neighbours exactly, both give the weight distribution restricted to new neighbours."""
        clash = (visited == chosen[:, None]).any(axis=1)
        for _ in range(_REDRAWS):
            redo = np.nonzero(clash)[0]
            if redo.size == 0:
                return chosen
            chosen[redo] = table.draw(current[redo], rng.random(redo.size))
            clash[redo] = (visited[redo] == chosen[redo, None]).any(axis=1)
        for walker in np.nonzero(clash)[0].tolist():
            chosen[walker] = table.draw_avoiding(int(current[walker]), visited[walker].tolist(),
                                                 float(rng.random()))
        return chosen

    def _first_kps(self, topics: np.ndarray, lengths: np.ndarray,
                   rng: np.random.Generator) -> np.ndarray:
        """The KP each walk steps to from its last topic (or, with "previous_topic", from the
        latest earlier topic that has one); -1 where none is reached."""
        first = np.full(len(lengths), -1, dtype=np.int64)
        tries = 1 if self.no_kp_neighbour == "drop" else topics.shape[1]
        for back in range(tries):
            positions = lengths - 1 - back
            pending = np.nonzero((first < 0) & (positions >= 0))[0]
            nodes = topics[pending, positions[pending]]
            has_kp = self._topic_kp.degree[nodes] > 0
            pending, nodes = pending[has_kp], nodes[has_kp]
            first[pending] = self._topic_kp.draw(nodes, rng.random(pending.size))
        return first

    def _combinations(self, reached: np.ndarray, topics: list[list[int]],
                      topic_lengths: list[int], kps: list[list[int]],
                      kp_lengths: list[int]) -> list[Combination | None]:
        """Named combinations, None for dropped walks; `kps` rows cover reached walks only."""
        topic_names, kp_names = self.topic_names, self.kp_names
        kp_rows = iter(zip(kps, kp_lengths))
        combinations: list[Combination | None] = []
        for walker, was_reached in enumerate(reached.tolist()):
            if not was_reached:
                combinations.append(None)
                continue
            kp_row, kp_length = next(kp_rows)
            walk_topics = tuple([topic_names[t] for t in topics[walker][:topic_lengths[walker]]])
            walk_kps = tuple([kp_names[k] for k in kp_row[:kp_length]])
            if self.allow_revisits:  # a node can recur; a combination names it once
                walk_topics, walk_kps = tuple(dict.fromkeys(walk_topics)), tuple(dict.fromkeys(walk_kps))
            combinations.append(Combination("walk", walk_topics, walk_kps))
        return combinations


def _neighbour_table(graph: nx.Graph, sources: list[str], targets: list[str]
                     ) -> NeighbourArrays:
    """For each source node, its neighbours among `targets` weighted by exp(weight)."""
    target_index = {node: i for i, node in enumerate(targets)}
    neighbours, weights = [], []
    for source in sources:
        found = sorted((target_index[n], math.exp(data["weight"]))
                       for n, data in graph[source].items() if n in target_index)
        neighbours.append([n for n, _ in found])
        weights.append([w for _, w in found])
    return NeighbourArrays(neighbours, weights)
