"""Fast seeded weighted choices for the samplers' inner loops.

Samplers draw a few random numbers per combination and millions of combinations per run,
so per-draw overhead is what matters. GSDP's sampler draws one combination at a time: its
uniforms come from the generator in blocks (`uniform_stream`) and small cumulative-weight
lists are searched with `bisect`, since numpy's per-call overhead dwarfs these tiny arrays.
MathScale's walks advance a whole epoch of walkers together (`NeighbourArrays`): one
`searchsorted` per step for all of them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from itertools import accumulate

import numpy as np


def uniform_stream(rng: np.random.Generator, block: int = 4096) -> Callable[[], float]:
    """A function returning uniform floats in [0, 1), drawn from `rng` in blocks of `block`.

    Deterministic for a given generator state and block size, not equal to calling
    `rng.random()` one at a time. It is a generator's own `__next__`: the cheapest call
    Python has, and the samplers make millions of them.
    """
    def blocks() -> Iterator[float]:
        while True:
            yield from rng.random(block).tolist()

    return blocks().__next__


def pick_index(cumulative: Sequence[float], uniform: float) -> int:
    """An index drawn in proportion to its weight, given the cumulative weights."""
    index = bisect_right(cumulative, uniform * cumulative[-1])
    # uniform * total can round up to total itself; that draw belongs to the last item.
    return index if index < len(cumulative) else len(cumulative) - 1


class DiscreteChoice:
    """A fixed finite distribution over `values` (uniform without probabilities)."""

    def __init__(self, values: Sequence[int],
                 probabilities: Sequence[float] | None = None) -> None:
        if not values:
            raise ValueError("need at least one value to choose from")
        weights = [1.0] * len(values) if probabilities is None else list(probabilities)
        if len(weights) != len(values) or min(weights) < 0 or sum(weights) <= 0:
            raise ValueError(
                f"probabilities {probabilities} do not fit values {values}")
        self.values = list(values)
        self._cumulative = list(accumulate(weights))

    def draw(self, uniform: float) -> int:
        return self.values[pick_index(self._cumulative, uniform)]

    def draw_many(self, uniforms: np.ndarray) -> np.ndarray:
        """One value per uniform, as an int array."""
        total = self._cumulative[-1]
        indices = np.searchsorted(self._cumulative, uniforms * total, side="right")
        return np.asarray(self.values, dtype=np.int64)[np.minimum(indices, len(self.values) - 1)]


class NeighbourArrays:
    """Per-node neighbours and weights as flat arrays, for many proportional steps at once.

    Each node's cumulative weights are scaled to (0, 1] and offset by the node's index, so the
    keys of all nodes form one increasing array: a step from `node` with uniform `u` is the
    first key above `node + u`, found for every walker by one `searchsorted`. Per-walker
    Python would cost a microsecond a step; this costs nanoseconds.
    """

    def __init__(self, neighbours: list[list[int]], weights: list[list[float]]) -> None:
        self.degree = np.array([len(n) for n in neighbours], dtype=np.int64)
        self.start = np.concatenate([[0], np.cumsum(self.degree)])
        self.targets = np.array([t for n in neighbours for t in n], dtype=np.int64)
        keys = [node + np.cumsum(w) / sum(w) for node, w in enumerate(weights) if w]
        self.keys = np.concatenate(keys) if keys else np.zeros(0)
        # The last key of a node is node + 1 exactly, whatever the rounding of the sum.
        self.keys[self.start[1:][self.degree > 0] - 1] = np.nonzero(self.degree > 0)[0] + 1

    def draw(self, nodes: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
        """One neighbour per node in `nodes` (each with degree > 0), drawn by weight."""
        positions = np.searchsorted(self.keys, nodes + uniforms, side="right")
        return self.targets[np.clip(positions, self.start[nodes], self.start[nodes + 1] - 1)]

    def draw_avoiding(self, node: int, avoid: Sequence[int], uniform: float) -> int:
        """A neighbour of `node` not in `avoid`, by weight among the rest; -1 if none is left."""
        segment = slice(self.start[node], self.start[node + 1])
        neighbours = self.targets[segment]
        shares = np.diff(self.keys[segment], prepend=node)  # the node's normalised weights
        allowed = ~np.isin(neighbours, avoid)
        if not allowed.any():
            return -1
        return int(neighbours[allowed][pick_index(np.cumsum(shares[allowed]), uniform)])
