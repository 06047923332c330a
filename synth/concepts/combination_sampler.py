"""GSDP's KP combinations: explicit (one hop) and implicit (two hops, core three hops,
same community) links on the KP relationship graph.

Definitions (docs/methods.md section 3; sizes and community algorithm are unspecified
there, so they are options here):

- one_hop: two adjacent KPs, extended to `one_hop_size` KPs by adding neighbours of the
  KPs already chosen (so the set stays connected);
- two_hop: two KPs at shortest distance exactly 2 (not adjacent, sharing a neighbour);
- three_hop_core: two "core" KPs at distance exactly 3, core = degree at or above the
  `core_quantile` quantile of KP degrees (GSDP restricts three hops to high-degree KPs
  because three hops from an arbitrary KP mostly lands on unrelated concepts);
- community: `community_size` KPs of one Louvain community (seeded), adjacent or not.

Pairs are found by walking from a random KP rather than by listing all pairs, which
would be quadratic on large graphs. A draw that finds nothing after a few tries
returns None and is counted in `failures`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from itertools import accumulate

import networkx as nx
import numpy as np

from synth.concepts.combination import GSDP_COMBINATION_KINDS, Combination
from synth.concepts.concept_graph import KP
from synth.concepts.weighted_choice import DiscreteChoice, pick_index, uniform_stream

# Implicit links are where GSDP's expansion comes from, explicit ones are the most
# coherent; this split keeps explicit pairs the largest single share.
DEFAULT_MIX = {"one_hop": 0.4, "two_hop": 0.3, "three_hop_core": 0.1, "community": 0.2}
_TRIES = 20  # random starts per draw before a kind gives up
_CORE_BLOCK = 512  # core KPs whose three-hop partners are found together


class CombinationSampler:
    """Seeded GSDP combinations over the KP nodes and KP-KP edges of `graph`."""

    def __init__(self, graph: nx.Graph, mix: Mapping[str, float] | None = None,
                 core_quantile: float = 0.9, community_size: Sequence[int] = (2, 3),
                 seed: int = 0, one_hop_size: Sequence[int] = (2, 3)) -> None:
        mix = dict(DEFAULT_MIX if mix is None else mix)
        unknown = set(mix) - set(GSDP_COMBINATION_KINDS)
        if unknown or min(mix.values(), default=0) < 0 or sum(mix.values()) <= 0:
            raise ValueError("mix needs non-negative weights over "
                             f"{sorted(GSDP_COMBINATION_KINDS)}, got {mix}")
        if min(community_size) < 2 or min(one_hop_size) < 2:
            raise ValueError("combinations need at least 2 KPs")
        kp_graph = _kp_subgraph(graph)
        self.names = [kp_graph.nodes[node]["name"] for node in kp_graph]
        index = {node: i for i, node in enumerate(kp_graph)}
        self.neighbours = [sorted(index[n] for n in kp_graph[node])
                           for node in kp_graph]
        self._neighbour_sets = [set(n) for n in self.neighbours]
        self._connected = [i for i, n in enumerate(self.neighbours) if n]
        self.core = self._core_nodes(core_quantile)
        # Core KPs that have a core partner at distance 3, found at the first such draw.
        self._core_candidates: list[int] = []
        self._core_partners: dict[int, list[int]] | None = None
        self.communities = [sorted(index[n] for n in community) for community in sorted(
            nx.community.louvain_communities(kp_graph, weight="count", seed=seed),
            key=lambda members: sorted(members))]
        self._community_of = {n: c for c, members in enumerate(self.communities)
                              for n in members}
        self._in_communities = [n for members in self.communities if len(members) > 1
                                for n in members]
        self._kinds = list(mix)
        self._kind_cumulative = list(accumulate(mix.values()))
        self._draw = {"one_hop": self._one_hop, "two_hop": self._two_hop,
                      "three_hop_core": self._three_hop_core,
                      "community": self._community}
        self._one_hop_size = DiscreteChoice(one_hop_size)
        self._community_size = DiscreteChoice(community_size)
        self.failures: Counter[str] = Counter()

    def sample(self, rng: np.random.Generator) -> Combination | None:
        """A combination of a kind drawn from the mix; None if that kind found none."""
        uniform = uniform_stream(rng, block=16)
        kind = self._kinds[pick_index(self._kind_cumulative, uniform())]
        kps = self._draw[kind](uniform)
        if kps is None:
            self.failures[kind] += 1
            return None
        return Combination(kind, (), tuple(self.names[k] for k in kps))

    def _random(self, nodes: list[int], uniform: Callable[[], float]) -> int:
        return nodes[int(uniform() * len(nodes))]

    def _one_hop(self, uniform: Callable[[], float]) -> list[int] | None:
        if not self._connected:
            return None
        first = self._random(self._connected, uniform)
        chosen = [first, self._random(self.neighbours[first], uniform)]
        size = self._one_hop_size.draw(uniform())
        for _ in range(_TRIES):
            if len(chosen) >= size:
                break
            member = self._random(chosen, uniform)
            candidate = self._random(self.neighbours[member], uniform)
            if candidate not in chosen:
                chosen.append(candidate)
        return chosen

    def _two_hop(self, uniform: Callable[[], float]) -> list[int] | None:
        for _ in range(_TRIES if self._connected else 0):
            start = self._random(self._connected, uniform)
            middle = self._random(self.neighbours[start], uniform)
            end = self._random(self.neighbours[middle], uniform)
            if end != start and end not in self._neighbour_sets[start]:
                return [start, end]
        return None

    def _three_hop_core(self, uniform: Callable[[], float]) -> list[int] | None:
        if self._core_partners is None:
            self._core_partners = self._core_pairs_at_distance_three()
            self._core_candidates = [c for c in self.core if self._core_partners[c]]
        if not self._core_candidates:
            return None
        start = self._random(self._core_candidates, uniform)
        return [start, self._random(self._core_partners[start], uniform)]

    def _community(self, uniform: Callable[[], float]) -> list[int] | None:
        if not self._in_communities:
            return None
        start = self._random(self._in_communities, uniform)
        members = self.communities[self._community_of[start]]
        size = min(self._community_size.draw(uniform()), len(members))
        chosen = [start]
        while len(chosen) < size:
            candidate = self._random(members, uniform)
            if candidate not in chosen:
                chosen.append(candidate)
        return chosen

    def _core_pairs_at_distance_three(self) -> dict[int, list[int]]:
        """For each core KP, the core KPs at shortest distance exactly 3.

        Computed once, for blocks of core KPs together, with sparse boolean matrix products:
        reachable within 3 hops but not within 2 is distance 3. A breadth-first search per
        core KP costs seconds on a paper-sized graph (every shard pays it); this, a fraction.
        """
        from scipy import sparse

        nodes = len(self.neighbours)
        rows = [i for i, n in enumerate(self.neighbours) for _ in n]
        columns = [j for n in self.neighbours for j in n]
        adjacency = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, columns)),
                                      shape=(nodes, nodes))
        core = np.asarray(self.core, dtype=np.int64)
        to_core = adjacency[:, core]
        partners: dict[int, list[int]] = {}
        # Row blocks of core KPs keep the 2-hop reach matrix small on graphs of 100K KPs.
        for first in range(0, core.size, _CORE_BLOCK):
            block = core[first : first + _CORE_BLOCK]
            within_one = adjacency[block] + sparse.csr_matrix(
                (np.ones(block.size, dtype=np.int32), (np.arange(block.size), block)),
                shape=(block.size, nodes))
            within_one.data[:] = 1
            within_two = within_one @ adjacency + within_one
            within_two.data[:] = 1
            at_three = (within_two @ to_core).toarray() > 0
            at_three &= ~(within_two[:, core].toarray() > 0)
            for row, kp in enumerate(block.tolist()):
                partners[kp] = core[np.nonzero(at_three[row])[0]].tolist()
        return partners

    def _core_nodes(self, quantile: float) -> list[int]:
        degrees = [len(n) for n in self.neighbours]
        connected = [degrees[i] for i in self._connected]
        if not connected:
            return []
        cutoff = float(np.quantile(connected, quantile))
        return [i for i in self._connected if degrees[i] >= cutoff]


def _kp_subgraph(graph: nx.Graph) -> nx.Graph:
    """KP nodes and KP-KP edges only, inserted in sorted order, so that Louvain (which
    follows node order) and the index lists match for a built or a reloaded graph."""
    kps = sorted(node for node, kind in graph.nodes(data="kind") if kind == KP)
    subgraph = nx.Graph()
    subgraph.add_nodes_from((node, graph.nodes[node]) for node in kps)
    kp_set = set(kps)
    edges = [(min(u, v), max(u, v), data) for u, v, data in graph.edges(kps, data=True)
             if u in kp_set and v in kp_set]
    subgraph.add_edges_from(sorted(edges, key=lambda edge: edge[:2]))
    return subgraph
