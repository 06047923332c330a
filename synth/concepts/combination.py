"""A concept combination: the topics and knowledge points one new question tests."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum


class CombinationKind(StrEnum):
    """How a combination was drawn: MathScale's random walk, or one of GSDP's link types."""

    walk = "walk"  # MathScale: a random walk over topics, then knowledge points
    one_hop = "one_hop"  # GSDP: two KPs that co-occur in a seed
    two_hop = "two_hop"  # GSDP: two KPs linked through a third
    three_hop_core = "three_hop_core"  # GSDP: a core KP and one three links away
    community = "community"  # GSDP: KPs of one graph community


# What GSDP's `sample.mix` weighs: every kind but MathScale's walk.
GSDP_COMBINATION_KINDS = tuple(kind for kind in CombinationKind if kind != CombinationKind.walk)


@dataclass(frozen=True)
class Combination:
    """Concept names in the order the sampler drew them (kept: prompts list them so)."""

    kind: str
    topics: tuple[str, ...]
    knowledge_points: tuple[str, ...]

    @property
    def key(self) -> str:
        """16 hex digits from the sorted names: equal concept sets share a key.

        The kind is left out on purpose, so a pair drawn both as a one-hop and as a
        community pair is still one combination; topics and KPs are hashed apart
        because the same text may be both.
        """
        text = "\x1f".join(sorted(self.topics)) + "\x1e" + "\x1f".join(
            sorted(self.knowledge_points))
        return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
