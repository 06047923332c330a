"""Choose few-shot examples for a concept combination: the seeds whose KP sets are closest.

MathScale picks examples by Jaccard similarity between the combination's KPs and each seed's.
An inverted index (KP -> seeds) limits the comparison to seeds sharing at least one KP, so a
lookup costs the size of the overlap, not the size of the seed set.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Sequence


class FewShotIndex:
    """Seeds with their KP sets, searchable by Jaccard similarity."""

    def __init__(self, seeds: Sequence[dict]) -> None:
        self.seeds = [s for s in seeds if s.get("solution")]
        self.kp_sets = [frozenset(s["knowledge_points"]) for s in self.seeds]
        self.by_kp: dict[str, list[int]] = defaultdict(list)
        for index, kps in enumerate(self.kp_sets):
            for kp in kps:
                self.by_kp[kp].append(index)

    def closest(self, knowledge_points: Sequence[str], count: int) -> list[dict]:
        """The `count` seeds most similar to `knowledge_points` (ties: smaller seed id first)."""
        wanted = frozenset(knowledge_points)
        candidates = {i for kp in wanted for i in self.by_kp.get(kp, ())}
        scored = sorted(candidates, key=lambda i: (-_jaccard(wanted, self.kp_sets[i]),
                                                   self.seeds[i]["id"]))
        return [self.seeds[i] for i in scored[:count]]


def _jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0
