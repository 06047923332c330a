"""Which benchmark item does this text copy, even with its numbers, names or a clause changed?

A generator that memorised a test item rarely returns it verbatim: it changes the numbers, swaps
a name, rewords a clause or moves the question sentence first. A 13-gram check misses most of
those, so this index compares *masked* word n-grams by *containment*:

- **Masked words.** Every number becomes `#` and every capitalised word (names, and sentence
  starts, the same on both sides) becomes `@`, so changed numbers and swapped names do not
  change a single gram.
- **Short grams, counted per item.** Texts are cut into `n`-word grams (4 by default): a
  reworded clause or a moved sentence breaks only the few grams that cross it. A row matches
  the benchmark item that has the largest share of its grams in the row, when that share is at
  least `min_containment`.
- **Only telling grams.** Grams that many items share ("how many # does @ have") say nothing
  about which item was copied; grams in more than `max_items_per_gram` items are left out, and
  an item with fewer than `min_grams` telling grams is left to the verbatim check.

Grams are hashed for a whole batch of texts at once (`word_grams`), and a batch is looked up
with a few numpy searches over all its grams: fast enough for a million rows on two cores.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from difflib import SequenceMatcher

import numpy as np

from synth.quality.word_grams import Grams, expand_ranges, word_grams

_THOUSANDS_COMMA = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+")
CANDIDATE_SHARED = 2  # telling grams an item must share with a row to be aligned with it
TOP_CANDIDATES = 3  # at most this many candidates are aligned per row (most shared first)
MAX_ALIGNED_GRAMS = 24  # longer items keep enough grams for containment; only short ones align
MIN_WHOLE_WORDS = 6  # a masked text this long or longer matches an item it equals outright
# (shorter ones, "@ is # #", are shapes that many unrelated questions share)


def masked_words(text: str | None) -> list[str]:
    """The words of `text`, numbers as `#` and capitalised words as `@`, the rest lower-case."""
    if not text:
        return []
    folded = _THOUSANDS_COMMA.sub("", unicodedata.normalize("NFKC", text))
    return ["#" if token[0].isdigit() else "@" if token[0].isupper() else token
            for token in _TOKEN.findall(folded)]


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
        per_item = word_grams(self.item_words, n, distinct=True)
        grams, items = per_item.hashes, per_item.rows
        _, inverse, counts = np.unique(grams, return_inverse=True, return_counts=True)
        telling = counts[inverse] <= max_items_per_gram
        grams, items = grams[telling], items[telling]
        self.item_grams = np.bincount(items, minlength=len(self.item_words))
        aligned = (self.item_grams >= min_grams) & (self.item_grams <= MAX_ALIGNED_GRAMS)
        self.short_item_counts = {item: Counter(self.item_words[item])
                                  for item in np.flatnonzero(aligned).tolist()}
        usable = self.item_grams[items] >= min_grams
        order = np.argsort(grams[usable], kind="stable")
        self.grams = grams[usable][order]
        self.items = items[usable][order]

    @property
    def size(self) -> int:
        """How many (gram, item) entries the index holds."""
        return int(self.grams.size)

    def best_matches(self, word_lists: list[list[str]],
                     grams: Grams) -> list[tuple[int, float] | None]:
        """Per text (its `masked_words`, and their distinct `word_grams` at this index's n, all
        texts at once), the (item index, score) of the item it copies most: its masked twin
        (score 1), else the item with the largest share of its telling grams in the text when
        that reaches `min_containment`, else a short item the text repeats in order; None when
        no item qualifies."""
        found: list[tuple[int, float] | None] = [None] * len(word_lists)
        if self.grams.size and grams.hashes.size:
            starts = np.searchsorted(self.grams, grams.hashes, side="left")
            ends = np.searchsorted(self.grams, grams.hashes, side="right")
            positions, owners = expand_ranges(starts, ends)
            # One key per (text, item) pair a found gram links; its count is the grams shared.
            keys = (grams.rows[owners].astype(np.int64) * len(self.item_words)
                    + self.items[positions])
            pairs, shared = np.unique(keys, return_counts=True)
            rows, items = np.divmod(pairs, len(self.item_words))
            containment = np.where(shared >= self.min_shared, shared / self.item_grams[items], 0.0)
            # Per text, the highest containment; on a tie the lowest item index.
            best = np.lexsort((items, -containment, rows))
            texts, first = np.unique(rows[best], return_index=True)
            bounds = np.searchsorted(rows, np.append(texts, len(word_lists)))
            # Rows short of containment are aligned with their candidates, if they have any.
            candidate = (shared >= CANDIDATE_SHARED) & (self.item_grams[items] <= MAX_ALIGNED_GRAMS)
            with_candidates = np.add.reduceat(candidate, bounds[:-1]) > 0
            for k, (row, pick) in enumerate(zip(texts.tolist(), best[first].tolist())):
                if containment[pick] >= self.min_containment:
                    found[row] = int(items[pick]), float(containment[pick])
                elif with_candidates[k]:
                    span = slice(bounds[k], bounds[k + 1])
                    found[row] = self._aligned_match(word_lists[row], items[span][candidate[span]],
                                                     shared[span][candidate[span]])
        for row, words in enumerate(word_lists):
            whole = self.whole.get(" ".join(words)) if len(words) >= MIN_WHOLE_WORDS else None
            if whole is not None:
                found[row] = whole, 1.0
        return found

    def _aligned_match(self, words: list[str], items: np.ndarray,
                       shared: np.ndarray) -> tuple[int, float] | None:
        """The candidate item (a short item sharing telling grams with the row; `shared` of
        them) whose masked words the row repeats in order, `min_aligned` of them or more: a
        short item with one clause reworded keeps too few grams for containment, but its words
        before and after the edit remain."""
        top = items[np.argsort(-shared, kind="stable")][:TOP_CANDIDATES]
        best: tuple[int, float] | None = None
        row_counts = Counter(words)
        for item in top.tolist():
            item_words = self.item_words[item]
            # The row repeats in order at most the words it shares with the item (counted
            # with repeats): a candidate short on those cannot align, and most are.
            common = sum(min(count, row_counts[word])
                         for word, count in self.short_item_counts[item].items())
            if common / len(item_words) < self.min_aligned:
                continue
            matcher = SequenceMatcher(None, item_words, words, autojunk=False)
            aligned = sum(block.size for block in matcher.get_matching_blocks()) / len(item_words)
            if aligned >= self.min_aligned and (best is None or aligned > best[1]):
                best = (item, aligned)
        return best
