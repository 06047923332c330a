"""Find the benchmark item a text copies: verbatim (13-gram) or lightly edited (masked n-grams).

One `BenchmarkOverlap` holds both indexes of every benchmark. A text is normalised and masked
once, whatever the number of benchmarks, and checked by the methods in the configured order;
the first hit names the benchmark, the matched item's index and the method that caught it.
"""

from __future__ import annotations

from dataclasses import dataclass

from synth.quality.benchmark_ngrams import VerbatimOverlapIndex, gram_hashes
from synth.quality.masked_overlap import MaskedOverlapIndex, masked_grams, masked_words
from synth.quality.text_normalization import normalized_words

NGRAM = "ngram"  # shares a verbatim n-gram (13 words by default) with an item, or equals it
MASKED_NGRAM = "masked_ngram"  # an item with numbers, names or a clause changed, or reordered
METHODS = (NGRAM, MASKED_NGRAM)


@dataclass(frozen=True)
class Contamination:
    """What caught a text: the benchmark, the item's index in it, and the method."""

    benchmark: str
    item: int
    method: str


class BenchmarkOverlap:
    """Every benchmark's verbatim and masked indexes, checked in `methods` order."""

    def __init__(self, methods: list[str], ngram_size: int, masked_ngram_size: int,
                 min_containment: float, min_aligned: float) -> None:
        self.methods = list(methods)
        self.ngram_size = ngram_size
        self.masked_ngram_size = masked_ngram_size
        self.min_containment = min_containment
        self.min_aligned = min_aligned
        self.verbatim: dict[str, VerbatimOverlapIndex] = {}
        self.masked: dict[str, MaskedOverlapIndex] = {}

    def add(self, name: str, questions: list[str]) -> None:
        if NGRAM in self.methods:
            self.verbatim[name] = VerbatimOverlapIndex(questions, self.ngram_size)
        if MASKED_NGRAM in self.methods:
            self.masked[name] = MaskedOverlapIndex(questions, self.masked_ngram_size,
                                                   self.min_containment,
                                                   min_aligned=self.min_aligned)

    def describe(self) -> str:
        parts = []
        if NGRAM in self.methods:
            parts.append(f"{self.ngram_size}-gram overlap")
        if MASKED_NGRAM in self.methods:
            parts.append(f"masked {self.masked_ngram_size}-grams (containment "
                         f">= {self.min_containment}, aligned >= {self.min_aligned})")
        return " + ".join(parts)

    def find(self, text: str | None) -> Contamination | None:
        """The first benchmark item `text` copies, by the first method that catches it."""
        if not text:
            return None
        for method in self.methods:
            if method == NGRAM:
                words = normalized_words(text)
                grams = gram_hashes(words, self.ngram_size)
                for name, index in self.verbatim.items():
                    item = index.match(words, grams)
                    if item is not None:
                        return Contamination(name, item, NGRAM)
            else:
                words = masked_words(text)
                grams = masked_grams(words, self.masked_ngram_size)
                for name, index in self.masked.items():
                    match = index.best_match(words, grams)
                    if match is not None:
                        return Contamination(name, match[0], MASKED_NGRAM)
        return None
