"""KP merging: cosine >= threshold links, linked groups merge, one stable name each."""

from __future__ import annotations

import time

import numpy as np
import pytest

from synth.concepts.kp_merging import merge_knowledge_points


def _unit(angle_degrees: float) -> list[float]:
    angle = np.radians(angle_degrees)
    return [float(np.cos(angle)), float(np.sin(angle)), 0.0]


def test_close_vectors_merge_and_far_ones_do_not():
    names = ["pythagorean theorem", "the pythagorean theorem", "prime factorization"]
    vectors = np.array([_unit(0), _unit(10), _unit(90)]) * [[3.0], [0.5], [1.0]]
    mapping = merge_knowledge_points(names, vectors, threshold=np.cos(np.radians(15)))
    assert mapping == {"pythagorean theorem": "pythagorean theorem",
                       "the pythagorean theorem": "pythagorean theorem",
                       "prime factorization": "prime factorization"}


def test_threshold_is_inclusive_and_links_chain():
    names = ["a", "b", "c", "d"]
    vectors = np.array([_unit(0), _unit(20), _unit(40), _unit(61)])
    # a-b and b-c are 20 degrees apart, a-c 40: single linkage still joins all three.
    threshold = float(np.cos(np.radians(20)))
    mapping = merge_knowledge_points(names, vectors, threshold)
    assert mapping == {"a": "a", "b": "a", "c": "a", "d": "d"}


def test_representative_is_most_frequent_then_shortest_then_alphabetical():
    names = ["sum of angles", "angle sum", "angle sum", "the angle sum", "zz", "yy"]
    vectors = np.array([_unit(0), _unit(1), _unit(1), _unit(2), _unit(90), _unit(91)])
    mapping = merge_knowledge_points(names, vectors, threshold=0.99)
    assert mapping == {"sum of angles": "angle sum", "angle sum": "angle sum",
                       "the angle sum": "angle sum", "zz": "yy", "yy": "yy"}
    order = [5, 3, 0, 4, 2, 1]
    shuffled = merge_knowledge_points([names[i] for i in order], vectors[order], 0.99)
    assert shuffled == mapping


def test_zero_vectors_stay_alone_and_lengths_must_match():
    mapping = merge_knowledge_points(["x", "y"], np.zeros((2, 3)), threshold=0.5)
    assert mapping == {"x": "x", "y": "y"}
    assert merge_knowledge_points([], np.zeros((0, 3)), threshold=0.5) == {}
    with pytest.raises(ValueError):
        merge_knowledge_points(["x"], np.zeros((2, 3)), threshold=0.5)


def test_thousands_of_kps_with_planted_near_duplicates():
    rng = np.random.default_rng(0)
    base = rng.standard_normal((3_000, 384)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    noise = rng.standard_normal((3_000, 384)).astype(np.float32) * 0.01
    names = [f"kp {i}" for i in range(3_000)] + [f"the kp {i}" for i in range(3_000)]
    start = time.perf_counter()
    mapping = merge_knowledge_points(names, np.vstack([base, base + noise]), 0.9)
    assert time.perf_counter() - start < 10
    assert all(mapping[f"the kp {i}"] == mapping[f"kp {i}"] == f"kp {i}"
               for i in range(3_000))
