"""Stable row ids and per-row seeds, derived from content so a rerun reproduces every row."""

from __future__ import annotations

import hashlib


def stable_id(*parts: object) -> str:
    """A 16-hex-digit id from `parts`; the same parts give the same id on every machine."""
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()[:16]


def derived_seed(*parts: object) -> int:
    """A 31-bit sampling seed from `parts` (fits every engine's seed type)."""
    return int(stable_id(*parts), 16) % (2**31 - 1)
