"""A verbatim-overlap index of one benchmark: "which item of it does this text share an n-gram with?"

Texts are normalised to lower-case words (see `text_normalization`), cut into n-word grams and
hashed to int64; the index keeps the sorted gram hashes with the item each came from, so a
lookup is a binary search and the whole GSM8K + MATH test index is a few MB that ships to every
worker. A benchmark item shorter than n words cannot share an n-gram; it is matched when a
text equals it word for word.
"""

from __future__ import annotations

import numpy as np

from synth.quality.text_normalization import hash64, normalized_words, word_ngrams


def gram_hashes(words: list[str], n: int) -> np.ndarray:
    """Hashes of the n-word grams of `words` (empty when there are fewer than n)."""
    grams = word_ngrams(words, n) if len(words) >= n else []
    return np.array([hash64(g, "gram") for g in grams], dtype=np.int64)


def whole_text_hash(words: list[str]) -> int:
    return hash64(" ".join(words), "text")


class VerbatimOverlapIndex:
    """The n-gram hashes of one benchmark's items, each with the item it came from."""

    def __init__(self, questions: list[str], n: int) -> None:
        self.n = n
        per_item = [gram_hashes(normalized_words(q), n) for q in questions]
        grams = np.concatenate(per_item) if per_item else np.empty(0, np.int64)
        items = np.repeat(np.arange(len(per_item), dtype=np.int32), [g.size for g in per_item])
        order = np.argsort(grams, kind="stable")
        self.grams, self.items = grams[order], items[order]
        self.whole = {}
        for index, question in enumerate(questions):
            self.whole.setdefault(whole_text_hash(normalized_words(question)), index)

    @property
    def size(self) -> int:
        return int(self.grams.size)

    def match(self, words: list[str], grams: np.ndarray) -> int | None:
        """The item a text (its normalised `words` and their `gram_hashes`) shares an n-gram
        with, or equals outright; None when there is none."""
        whole = self.whole.get(whole_text_hash(words)) if words else None
        if whole is not None:
            return whole
        if grams.size == 0 or self.grams.size == 0:
            return None
        positions = np.searchsorted(self.grams, grams).clip(max=self.grams.size - 1)
        hits = np.flatnonzero(self.grams[positions] == grams)
        return int(self.items[positions[hits[0]]]) if hits.size else None
