"""Find the benchmark item a text copies: verbatim (13-gram) or lightly edited (masked n-grams).

One `BenchmarkOverlap` holds both indexes of every benchmark. Texts are checked a batch at a
time: each is normalised and masked once, whatever the number of benchmarks, and its grams are
hashed and looked up together with the batch's (see `word_grams`). The methods run in the
configured order; the first hit names the benchmark, the matched item's index and the method.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from synth.quality.benchmark_ngrams import VerbatimOverlapIndex
from synth.quality.masked_overlap import MaskedOverlapIndex, masked_words
from synth.quality.text_normalization import normalized_words
from synth.quality.word_grams import word_grams

NGRAM = "ngram"  # shares a verbatim n-gram (13 words by default) with an item, or equals it
MASKED_NGRAM = "masked_ngram"  # an item with numbers, names or a clause changed, or reordered
METHODS = (NGRAM, MASKED_NGRAM)
# Text looked up together: ~4K questions. The (text, gram, item) arrays grow with the chunk's
# words and the items each gram is in (up to 30), so a chunk is bounded by characters, not rows.
CHUNK_CHARACTERS = 1_000_000


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
        return self.find_all([text])[0]

    def find_all(self, texts: Sequence[str | None]) -> list[Contamination | None]:
        """`find` for every text, looked up a chunk at a time."""
        found: list[Contamination | None] = []
        start, characters = 0, 0
        for end, text in enumerate(texts, 1):
            characters += len(text or "")
            if characters >= CHUNK_CHARACTERS or end == len(texts):
                found.extend(self._find_chunk(texts[start:end]))
                start, characters = end, 0
        return found

    def _find_chunk(self, texts: Sequence[str | None]) -> list[Contamination | None]:
        """`find` for a chunk: each method looks up the texts no earlier method caught, and of
        a method's hits the first benchmark's wins."""
        found: list[Contamination | None] = [None] * len(texts)
        for method in self.methods:
            pending = [row for row, text in enumerate(texts) if text and found[row] is None]
            if not pending:
                break
            if method == NGRAM:
                word_lists = [normalized_words(texts[row]) for row in pending]
                grams = word_grams(word_lists, self.ngram_size)
                caught_by, hits = NGRAM, {name: index.matches(word_lists, grams)
                                          for name, index in self.verbatim.items()}
            else:
                word_lists = [masked_words(texts[row]) for row in pending]
                grams = word_grams(word_lists, self.masked_ngram_size, distinct=True)
                caught_by, hits = MASKED_NGRAM, {
                    name: [None if match is None else match[0]
                           for match in index.best_matches(word_lists, grams)]
                    for name, index in self.masked.items()}
            for name, items in hits.items():  # benchmarks in the order they were added
                for row, item in zip(pending, items):
                    if item is not None and found[row] is None:
                        found[row] = Contamination(name, item, caught_by)
        return found
