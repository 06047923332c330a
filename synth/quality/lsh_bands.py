"""Bucket keys for near-duplicate search: MinHash bands (text) and SimHash bands (embeddings).

Two rows that share any bucket key are duplicate candidates. The band layout (b bands of r
hashes) comes from datasketch's `MinHashLSH`, which picks b and r to minimise false positives
plus false negatives around the threshold. SimHash reuses it: one random-hyperplane bit
collides with probability 1 - angle/pi, which plays the role MinHash's Jaccard similarity plays
per hash, so the same optimiser places the S-curve at a cosine threshold. SimHash bands
are only candidates: the S-curve is placed below the requested similarity (generous recall)
and candidates are then checked by their exact cosine.
"""

from __future__ import annotations

import math

import numpy as np
from datasketch import MinHash, MinHashLSH

from synth.quality.text_normalization import hash64, normalized_words, word_ngrams

MINHASH_SEED = 1  # fixed: every worker must draw the same permutations
SIMHASH_SEED = 7


def band_layout(threshold: float, num_hashes: int) -> tuple[int, int]:
    """(bands, rows per band) that datasketch chooses for `threshold` with `num_hashes`."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_hashes)
    return lsh.b, lsh.r


def _band_keys(values: np.ndarray, bands: int, rows: int, salt: str) -> list[int]:
    return [hash64(values[i * rows : (i + 1) * rows].tobytes().hex(), f"{salt}{i}")
            for i in range(bands)]


class MinHashBander:
    """Turns texts into MinHash band keys (one list of `bands` int64 keys per text)."""

    def __init__(self, ngram_size: int, num_perm: int, threshold: float) -> None:
        self.ngram_size = ngram_size
        self.num_perm = num_perm
        self.bands, self.rows = band_layout(threshold, num_perm)

    def keys(self, texts: list[str | None]) -> list[list[int]]:
        shingles = [[s.encode() for s in word_ngrams(normalized_words(t), self.ngram_size)]
                    for t in texts]
        signatures = MinHash.bulk(shingles, num_perm=self.num_perm, seed=MINHASH_SEED)
        return [_band_keys(sig.hashvalues, self.bands, self.rows, "minhash") if words else []
                for sig, words in zip(signatures, shingles)]


CANDIDATE_MARGIN = 0.1  # SimHash candidates from this much below the cosine threshold


class SimHashBander:
    """Turns embeddings into SimHash band keys: candidates for cosine similarity >= `threshold`."""

    def __init__(self, dimension: int, threshold: float, num_bits: int = 256) -> None:
        candidate_cosine = max(0.05, threshold - CANDIDATE_MARGIN)
        bit_agreement = 1 - math.acos(candidate_cosine) / math.pi
        self.bands, self.rows = band_layout(bit_agreement, num_bits)
        rng = np.random.default_rng(SIMHASH_SEED)
        self.hyperplanes = rng.standard_normal((dimension, self.bands * self.rows))

    def keys(self, embeddings: np.ndarray) -> list[list[int]]:
        bits = (np.asarray(embeddings, dtype=np.float64) @ self.hyperplanes) > 0
        return [_band_keys(row.astype(np.uint8), self.bands, self.rows, "simhash") for row in bits]
