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

import functools
import math

import numpy as np
from datasketch import MinHash, MinHashLSH
from xxhash import xxh32_intdigest

from synth.quality.text_normalization import word_ngrams

MINHASH_SEED = 1  # fixed: every worker must draw the same permutations
SIMHASH_SEED = 7


def band_layout(threshold: float, num_hashes: int) -> tuple[int, int]:
    """(bands, rows per band) that datasketch chooses for `threshold` with `num_hashes`."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_hashes)
    return lsh.b, lsh.r


@functools.lru_cache(maxsize=64)
def _band_multipliers(bands: int, rows: int, salt: str) -> np.ndarray:
    """Odd 64-bit multipliers (bands x rows), fixed by `salt`, that fold a band into one key."""
    rng = np.random.default_rng(list(salt.encode()))
    return rng.integers(1, 2**63, size=(bands, rows), dtype=np.uint64) * np.uint64(2) + np.uint64(1)


def band_keys(values: np.ndarray, bands: int, rows: int, salt: str) -> np.ndarray:
    """Keys of `bands` bands of `rows` values for each row of `values` (n x >= bands*rows).

    A band's key is a multiply-add hash of its values modulo 2^64, with multipliers drawn
    per band, so equal bands give equal keys and different bands (or positions) almost
    never do. One array operation per batch: this runs once per row and band, i.e. tens of
    millions of times for a million rows.
    """
    grouped = np.asarray(values, dtype=np.uint64)[:, : bands * rows].reshape(-1, bands, rows)
    keys = (grouped * _band_multipliers(bands, rows, salt)).sum(axis=2, dtype=np.uint64)
    return keys.view(np.int64)


class MinHashBander:
    """Turns texts into MinHash band keys (one list of `bands` int64 keys per text)."""

    def __init__(self, ngram_size: int, num_perm: int, threshold: float) -> None:
        self.ngram_size = ngram_size
        self.num_perm = num_perm
        self.bands, self.rows = band_layout(threshold, num_perm)

    def keys(self, texts_words: list[list[str]]) -> list[list[int]]:
        """Band keys per text, given each text's `normalized_words`; [] for a text without words."""
        shingles = [[s.encode() for s in word_ngrams(words, self.ngram_size)]
                    for words in texts_words]
        signatures = MinHash.bulk(shingles, num_perm=self.num_perm, seed=MINHASH_SEED,
                                  hashfunc=xxh32_intdigest)
        if not signatures:
            return []
        keys = band_keys(np.stack([sig.hashvalues for sig in signatures]), self.bands,
                         self.rows, "minhash").tolist()
        return [row if words else [] for row, words in zip(keys, shingles)]


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
        return band_keys(bits.astype(np.uint64), self.bands, self.rows, "simhash").tolist()
