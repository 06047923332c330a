"""Hash every n-word gram of a whole batch of texts at once, for the benchmark-overlap indexes.

Decontamination looks up ~40 grams per row against GSM8K and MATH test; per-row numpy calls
and one hash call per gram cost more than the lookups themselves at a million rows. Here a
batch of word lists becomes one array of gram hashes: each distinct word is hashed once
(64-bit BLAKE2b, stable across processes; Arrow's dictionary encoding finds the distinct
words), and a gram's hash is a polynomial over its words' ids (mod 2**64), computed for every
window of the batch in `n` vector operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

import numpy as np
import pyarrow as pa

from synth.quality.text_normalization import hash64

_BASE = np.uint64(0x100000001B3)  # odd multiplier of the gram polynomial


@dataclass(frozen=True)
class Grams:
    """The grams of a batch of word lists: `hashes[k]` is a gram of list `rows[k]`; rows are in
    ascending order, and a list's grams in text order (or sorted, when `distinct`)."""

    rows: np.ndarray  # int32
    hashes: np.ndarray  # uint64


def word_grams(word_lists: list[list[str]], n: int, distinct: bool = False) -> Grams:
    """The n-word gram hashes of every list (none for a list shorter than n); with `distinct`,
    each list's grams once, sorted."""
    lengths = np.fromiter(map(len, word_lists), np.int64, len(word_lists))
    encoded = pa.array(list(chain.from_iterable(word_lists)), pa.string()).dictionary_encode()
    vocabulary = encoded.dictionary.to_pylist()
    ids = np.fromiter((hash64(word, "word") for word in vocabulary), np.int64,
                      len(vocabulary)).view(np.uint64)[encoded.indices.to_numpy()]
    windows = max(ids.size - n + 1, 0)
    per_list = np.clip(lengths - n + 1, 0, None)
    if windows == 0 or not per_list.any():
        return Grams(np.empty(0, np.int32), np.empty(0, np.uint64))
    polynomial = np.zeros(windows, np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(n):
            polynomial = polynomial * _BASE + ids[offset:offset + windows]
    rows = np.repeat(np.arange(len(word_lists), dtype=np.int32), per_list)
    firsts = np.cumsum(per_list) - per_list
    starts = np.cumsum(lengths) - lengths
    positions = np.arange(rows.size) - firsts[rows] + starts[rows]
    hashes = polynomial[positions]
    if distinct:
        order = np.lexsort((hashes, rows))
        rows, hashes = rows[order], hashes[order]
        new = np.ones(rows.size, bool)
        new[1:] = (rows[1:] != rows[:-1]) | (hashes[1:] != hashes[:-1])
        rows, hashes = rows[new], hashes[new]
    return Grams(rows, hashes)


def expand_ranges(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every index in each half-open range [starts[k], ends[k]), with the k it came from: the
    entries a batch of sorted-array lookups found, without a Python loop over the lookups."""
    counts = ends - starts
    owners = np.repeat(np.arange(counts.size), counts)
    firsts = np.cumsum(counts) - counts
    return np.arange(owners.size) - firsts[owners] + starts[owners], owners
