"""GSDP's merging of near-duplicate knowledge points by embedding clustering.

Extraction names one idea many ways ("pythagorean theorem", "the pythagorean theorem",
"pythagoras' theorem"); left apart, each spelling becomes its own weakly linked node.
KPs whose embeddings have cosine >= `threshold` are linked and every connected group
of links becomes one KP (single-linkage clustering). Single linkage can chain distinct
ideas through intermediate spellings when the threshold is low; GSDP leaves the
threshold unspecified, and a high one (around 0.85-0.9 for MiniLM) keeps chains short.

Embeddings are computed elsewhere (`synth.embeddings.SentenceEmbedder`), so this module
stays a pure function of names and vectors.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

# Rows per similarity block: a (block x n) float32 slab stays small for n in the 10Ks.
_BLOCK_ROWS = 1024


def merge_knowledge_points(names: Sequence[str], embeddings: np.ndarray,
                           threshold: float) -> dict[str, str]:
    """Map every distinct name in `names` to the representative of its cluster.

    `embeddings[i]` embeds `names[i]` (any scale: rows are unit-normalised here). A
    name may repeat; its first row is used and repeats count towards its frequency.
    The representative is the cluster's most frequent name, then the shortest, then
    the alphabetically first, so the result does not depend on input order.
    """
    if len(names) != len(embeddings):
        raise ValueError(f"{len(names)} names but {len(embeddings)} embeddings")
    frequency = Counter(names)
    first_row = {name: row for row, name in reversed(list(enumerate(names)))}
    unique = sorted(first_row)
    if not unique:
        return {}
    vectors = np.asarray(embeddings, dtype=np.float32)[[first_row[n] for n in unique]]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors / np.where(norms > 0, norms, 1.0)
    _, labels = connected_components(_similar_pairs(vectors, threshold), directed=False)
    clusters: dict[int, list[str]] = {}
    for name, label in zip(unique, labels.tolist()):
        clusters.setdefault(label, []).append(name)
    mapping = {}
    for members in clusters.values():
        representative = min(members, key=lambda n: (-frequency[n], len(n), n))
        mapping.update((member, representative) for member in members)
    return mapping


def _similar_pairs(vectors: np.ndarray, threshold: float) -> coo_matrix:
    """Sparse adjacency of rows with cosine >= `threshold`, one row block at a time."""
    count = len(vectors)
    rows, cols = [], []
    for start in range(0, count, _BLOCK_ROWS):
        similarity = vectors[start:start + _BLOCK_ROWS] @ vectors.T
        block_rows, block_cols = np.nonzero(similarity >= threshold)
        rows.append(block_rows + start)
        cols.append(block_cols)
    row_index, col_index = np.concatenate(rows), np.concatenate(cols)
    return coo_matrix((np.ones(len(row_index), dtype=np.int8), (row_index, col_index)),
                      shape=(count, count))
