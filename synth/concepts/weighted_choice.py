"""Fast seeded weighted choices for the samplers' inner loops.

A sampler draws a few random numbers per combination and millions of combinations per
run, so per-draw overhead matters more than vectorisation: one `Generator.random()`
call costs as much as a whole Python-level step. Uniforms are therefore fetched from
the generator in blocks, and each node's neighbours and cumulative weights are kept as
plain lists searched with `bisect` (numpy's per-call overhead dwarfs these tiny arrays).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from itertools import accumulate

import numpy as np

# Rejected redraws before the exact (filtered) draw when avoiding visited nodes: a walk
# has visited at most a handful of nodes, so a redraw almost always succeeds first.
_REDRAWS = 8


class UniformStream:
    """Uniform floats in [0, 1) drawn from `rng` in blocks of `block`.

    Deterministic for a given generator state and block size, not equal to calling
    `rng.random()` one at a time.
    """

    def __init__(self, rng: np.random.Generator, block: int = 4096) -> None:
        self._rng = rng
        self._block = block
        self._values: list[float] = []
        self._position = 0

    def __call__(self) -> float:
        if self._position == len(self._values):
            self._values = self._rng.random(self._block).tolist()
            self._position = 0
        self._position += 1
        return self._values[self._position - 1]


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


class WeightedNeighbours:
    """Per-node neighbour lists with cumulative weights, for proportional steps."""

    def __init__(self, neighbours: list[list[int]], weights: list[list[float]]) -> None:
        self.neighbours = neighbours
        self.cumulative = [list(accumulate(w)) for w in weights]

    def step(self, node: int, uniform: Callable[[], float],
             avoid: list[int] | None = None) -> int:
        """A neighbour of `node` drawn by weight, never one in `avoid`; -1 if none left.

        Redrawing until the neighbour is not in `avoid`, and after a few failures
        drawing from the remaining neighbours exactly, both give the weight
        distribution restricted to the allowed neighbours.
        """
        neighbours = self.neighbours[node]
        if not neighbours:
            return -1
        cumulative = self.cumulative[node]
        if not avoid:
            return neighbours[pick_index(cumulative, uniform())]
        for _ in range(_REDRAWS):
            chosen = neighbours[pick_index(cumulative, uniform())]
            if chosen not in avoid:
                return chosen
        allowed = [i for i, n in enumerate(neighbours) if n not in avoid]
        if not allowed:
            return -1
        allowed_cumulative = list(accumulate(
            cumulative[i] - (cumulative[i - 1] if i else 0.0) for i in allowed))
        return neighbours[allowed[pick_index(allowed_cumulative, uniform())]]
