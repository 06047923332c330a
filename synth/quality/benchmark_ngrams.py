"""An index of benchmark n-grams that answers "which benchmark does this text overlap?".

Texts are normalised to lower-case words (see `text_normalization`), cut into n-word grams and
hashed to int64; each benchmark keeps a sorted array of its gram hashes, so a lookup is a
binary search and the whole GSM8K + MATH test index is a few MB that ships to every worker.
A benchmark item shorter than n words cannot share an n-gram; it is matched when a text equals
it word for word.
"""

from __future__ import annotations

import numpy as np

from synth.quality.text_normalization import hash64, normalized_words, word_ngrams


def gram_hashes(text: str | None, n: int) -> np.ndarray:
    """Hashes of the n-word grams of `text` (empty when it has fewer than n words)."""
    words = normalized_words(text)
    grams = word_ngrams(words, n) if len(words) >= n else []
    return np.array([hash64(g, "gram") for g in grams], dtype=np.int64)


def whole_text_hash(text: str | None) -> int:
    return hash64(" ".join(normalized_words(text)), "text")


class BenchmarkNgramIndex:
    """Gram hashes per benchmark, in the order benchmarks were given."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.grams: dict[str, np.ndarray] = {}
        self.texts: dict[str, np.ndarray] = {}

    def add(self, name: str, questions: list[str]) -> None:
        grams = [gram_hashes(q, self.n) for q in questions]
        self.grams[name] = np.unique(np.concatenate(grams)) if grams else np.array([], np.int64)
        self.texts[name] = np.unique(np.array([whole_text_hash(q) for q in questions], np.int64))

    def size(self, name: str) -> int:
        return int(self.grams[name].size)

    def overlapping_benchmark(self, text: str | None) -> str | None:
        """The first benchmark sharing an n-gram (or its whole text) with `text`, else None."""
        grams = gram_hashes(text, self.n)
        whole = np.array([whole_text_hash(text)], dtype=np.int64)
        for name in self.grams:
            if _any_in(grams, self.grams[name]) or _any_in(whole, self.texts[name]):
                return name
        return None


def _any_in(values: np.ndarray, sorted_reference: np.ndarray) -> bool:
    if values.size == 0 or sorted_reference.size == 0:
        return False
    positions = np.searchsorted(sorted_reference, values).clip(max=sorted_reference.size - 1)
    return bool(np.any(sorted_reference[positions] == values))
