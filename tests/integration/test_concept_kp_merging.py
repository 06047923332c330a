"""KP merging on real embeddings from the packaged all-MiniLM-L6-v2 model."""

from __future__ import annotations

import pytest

from synth.concepts.kp_merging import merge_knowledge_points
from synth.embeddings import resolve_embedding_model

THRESHOLD = 0.85


@pytest.fixture(scope="module")
def minilm():
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(resolve_embedding_model("all-minilm-l6-v2")),
                               device="cpu")


def test_spelling_variants_merge_and_distinct_concepts_do_not(minilm):
    names = ["pythagorean theorem", "the pythagorean theorem", "pythagoras theorem",
             "prime factorization", "prime factorisation", "law of cosines",
             "area of a circle"]
    vectors = minilm.encode(names, normalize_embeddings=True)
    mapping = merge_knowledge_points(names, vectors, THRESHOLD)
    assert mapping["the pythagorean theorem"] == mapping["pythagorean theorem"]
    # All seen once: the shortest spelling represents the cluster.
    assert mapping["pythagorean theorem"] == "pythagoras theorem"
    assert mapping["pythagoras theorem"] == "pythagoras theorem"
    # Same frequency and length: the alphabetically first spelling represents both.
    assert mapping["prime factorization"] == "prime factorisation"
    assert mapping["prime factorization"] != mapping["pythagorean theorem"]
    distinct = ("law of cosines", "area of a circle", "pythagorean theorem",
                "prime factorization")
    assert len({mapping[n] for n in distinct}) == 4
