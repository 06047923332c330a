"""A verbatim-overlap index of one benchmark: "which item of it does this text share an n-gram with?"

Texts are normalised to lower-case words (see `text_normalization`), cut into n-word grams and
hashed (see `word_grams`); the index keeps the sorted gram hashes with the item each came from,
so a batch of texts is looked up with one binary search over all its grams, and the whole
GSM8K + MATH test index is a few MB that ships to every worker. A benchmark item shorter than n
words cannot share an n-gram; it is matched when a text equals it word for word.
"""

from __future__ import annotations

import numpy as np

from synth.quality.text_normalization import hash64, normalized_words
from synth.quality.word_grams import Grams, word_grams


def whole_text_hash(words: list[str]) -> int:
    return hash64(" ".join(words), "text")


class VerbatimOverlapIndex:
    """The n-gram hashes of one benchmark's items, each with the item it came from."""

    def __init__(self, questions: list[str], n: int) -> None:
        self.n = n
        word_lists = [normalized_words(question) for question in questions]
        grams = word_grams(word_lists, n)
        order = np.argsort(grams.hashes, kind="stable")  # equal grams keep the first item first
        self.grams, self.items = grams.hashes[order], grams.rows[order]
        self.whole: dict[int, int] = {}
        for index, words in enumerate(word_lists):
            self.whole.setdefault(whole_text_hash(words), index)

    @property
    def size(self) -> int:
        return int(self.grams.size)

    def matches(self, word_lists: list[list[str]], grams: Grams) -> list[int | None]:
        """Per text (its normalised words, and `word_grams` of them all at this index's n): the
        item it equals outright, else the item of its first gram found here, else None."""
        found: list[int | None] = [None] * len(word_lists)
        if grams.hashes.size and self.grams.size:
            positions = np.searchsorted(self.grams, grams.hashes).clip(max=self.grams.size - 1)
            hit = self.grams[positions] == grams.hashes
            rows, first = np.unique(grams.rows[hit], return_index=True)
            for row, item in zip(rows.tolist(), self.items[positions[hit][first]].tolist()):
                found[row] = item
        for row, words in enumerate(word_lists):
            whole = self.whole.get(whole_text_hash(words)) if words else None
            if whole is not None:
                found[row] = whole
        return found
