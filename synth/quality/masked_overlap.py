"""Which benchmark item does this text copy, even with its numbers, names or a clause changed?

A generator that memorised a test item rarely returns it verbatim: it changes the numbers, swaps
a name, rewords a clause or moves the question sentence first. A 13-gram check misses most of
those, so this index compares *masked* word n-grams by *containment*:

- **Masked words.** Every number becomes `#` and every capitalised word (names, and sentence
  starts, the same on both sides) becomes `@`, so changed numbers and swapped names do not
  change a single gram.
- **Short grams, counted per item.** Texts are cut into `n`-word grams (5 by default): a
  reworded clause or a moved sentence breaks only the few grams that cross it. A row matches
  the benchmark item that has the largest share of its grams in the row, when that share is at
  least `min_containment`.
- **Only telling grams.** Grams that many items share ("how many # does @ have") say nothing
  about which item was copied; grams in more than `max_items_per_gram` items are left out, and
  an item with fewer than `min_grams` telling grams is left to the verbatim check.

Grams are hashed with a vectorised polynomial over per-word CRC32s (64-bit, stable across
processes), so a lookup is a few numpy searches: fast enough for a million rows on two cores.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from difflib import SequenceMatcher

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

_THOUSANDS_COMMA = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+")
CANDIDATE_SHARED = 2  # telling grams an item must share with a row to be aligned with it
TOP_CANDIDATES = 3
MAX_ALIGNED_GRAMS = 24  # longer items keep enough grams for containment; only short ones align  # at most this many candidates are aligned per row (most shared first)
MIN_WHOLE_WORDS = 6  # a masked text this long or longer matches an item it equals outright
# (shorter ones, "@ is # #", are shapes that many unrelated questions share)
_SPREAD = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constant: spreads 32-bit word ids


def masked_words(text: str | None) -> list[str]:
    """The words of `text`, numbers as `#` and capitalised words as `@`, the rest lower-case."""
    if not text:
        return []
    folded = _THOUSANDS_COMMA.sub("", unicodedata.normalize("NFKC", text))
    return ["#" if token[0].isdigit() else "@" if token[0].isupper() else token
            for token in _TOKEN.findall(folded)]


def masked_grams(words: list[str], n: int) -> np.ndarray:
    """The distinct 64-bit hashes of the n-word grams of `masked_words` (sorted)."""
    if len(words) < n:
        return np.empty(0, np.uint64)
    ids = np.fromiter((zlib.crc32(w.encode()) for w in words), np.uint64, len(words)) * _SPREAD
    powers = np.array([pow(1_000_003, k, 2**64) for k in range(n)], dtype=np.uint64)
    with np.errstate(over="ignore"):
        hashes = (sliding_window_view(ids, n) * powers).sum(axis=1, dtype=np.uint64)
    return np.unique(hashes)


class MaskedOverlapIndex:
    """Masked n-grams of one benchmark's items, each pointing at the items that contain it."""

    def __init__(self, questions: list[str], n: int = 4, min_containment: float = 0.5,
                 max_items_per_gram: int = 30, min_grams: int = 3, min_shared: int = 3,
                 min_aligned: float = 0.7) -> None:
        self.n = n
        self.min_containment = min_containment
        self.min_shared = min_shared
        self.min_aligned = min_aligned
        self.item_words = [masked_words(q) for q in questions]
        self.whole = {}  # masked whole text -> first item: short items, and any copied outright
        for index, words in enumerate(self.item_words):
            if len(words) >= MIN_WHOLE_WORDS:
                self.whole.setdefault(" ".join(words), index)
        per_item = [masked_grams(words, n) for words in self.item_words]
        grams = np.concatenate(per_item) if per_item else np.empty(0, np.uint64)
        items = np.repeat(np.arange(len(per_item), dtype=np.int32), [g.size for g in per_item])
        _, inverse, counts = np.unique(grams, return_inverse=True, return_counts=True)
        telling = counts[inverse] <= max_items_per_gram
        grams, items = grams[telling], items[telling]
        self.item_grams = np.bincount(items, minlength=len(per_item))
        usable = self.item_grams[items] >= min_grams
        order = np.argsort(grams[usable], kind="stable")
        self.grams = grams[usable][order]
        self.items = items[usable][order]

    @property
    def size(self) -> int:
        """How many (gram, item) entries the index holds."""
        return int(self.grams.size)

    def best_match(self, words: list[str], grams: np.ndarray) -> tuple[int, float] | None:
        """(item index, score) of the item a text copies most, from the text's `masked_words`
        and their `masked_grams`: its masked twin (score 1), else the item with the largest share
        of its telling grams in the text when that reaches `min_containment`, else a short item
        the text repeats in order; None when no item qualifies."""
        whole = self.whole.get(" ".join(words)) if len(words) >= MIN_WHOLE_WORDS else None
        if whole is not None:
            return whole, 1.0
        if self.grams.size == 0 or grams.size == 0:
            return None
        starts = np.searchsorted(self.grams, grams, side="left")
        ends = np.searchsorted(self.grams, grams, side="right")
        found = ends > starts
        if not found.any():
            return None
        starts, ends = starts[found], ends[found]
        positions = np.concatenate([np.arange(s, e) for s, e in zip(starts, ends)])
        items, shared = np.unique(self.items[positions], return_counts=True)
        containment = np.where(shared >= self.min_shared, shared / self.item_grams[items], 0.0)
        best = int(np.argmax(containment))
        if containment[best] >= self.min_containment:
            return int(items[best]), float(containment[best])
        return self._aligned_match(words, items, shared)

    def _aligned_match(self, words: list[str], items: np.ndarray,
                       shared: np.ndarray) -> tuple[int, float] | None:
        """The candidate item (sharing telling grams with the row) whose masked words the row
        repeats in order, `min_aligned` of them or more: a short item with one clause reworded
        keeps too few grams for containment, but its words before and after the edit remain."""
        eligible = (shared >= CANDIDATE_SHARED) & (self.item_grams[items] <= MAX_ALIGNED_GRAMS)
        if not eligible.any():
            return None
        order = np.argsort(-shared[eligible], kind="stable")
        top = items[eligible][order][:TOP_CANDIDATES]
        best: tuple[int, float] | None = None
        for item in top:
            item_words = self.item_words[int(item)]
            matcher = SequenceMatcher(None, item_words, words, autojunk=False)
            aligned = sum(block.size for block in matcher.get_matching_blocks()) / len(item_words)
            if aligned >= self.min_aligned and (best is None or aligned > best[1]):
                best = (int(item), aligned)
        return best
