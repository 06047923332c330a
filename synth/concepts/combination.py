"""A concept combination: the topics and knowledge points one new question tests."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

# How a combination was drawn: MathScale's random walk, or one of GSDP's link types.
COMBINATION_KINDS = ("walk", "one_hop", "two_hop", "three_hop_core", "community")


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
