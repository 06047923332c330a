"""The suite's data stays inside the checkout, and its raw slices match what synth ships."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from synth.benchmarks.benchmark_sets import load_benchmark, packaged_benchmark
from synth.config.common import BenchmarkConfig
from tests import checkout_boundary
from tests.checkout_boundary import REPO, is_beside_checkout
from tests.conftest import TEST_DATA

RAW_SLICES = [
    ("gsm8k_test", {"path": str(TEST_DATA / "gsm8k_test_head.jsonl"), "answer_format": "gsm8k"}),
    ("math_test", {"path": str(TEST_DATA / "math_test_head.jsonl"), "question_field": "problem",
                   "answer_field": "solution", "answer_format": "boxed"}),
]


@pytest.mark.parametrize("packaged, source", RAW_SLICES, ids=[name for name, _ in RAW_SLICES])
def test_raw_slices_read_as_the_head_of_the_packaged_copy(packaged, source):
    """Reading a published-format file by path gives the items (and final answers) synth ships."""
    raw = load_benchmark(OmegaConf.structured(BenchmarkConfig(name=packaged, **source)))
    assert raw.num_rows == 40
    assert raw.to_pylist() == packaged_benchmark(packaged, limit=40).to_pylist()


def test_paths_beside_the_checkout_are_told_from_its_own_and_the_libraries():
    assert is_beside_checkout(REPO.parent / "shared" / "data" / "seeds" / "gsm8k_train.jsonl")
    assert is_beside_checkout(REPO / ".." / "shared" / "data")
    assert not is_beside_checkout(TEST_DATA / "gsm8k_train_head.jsonl")
    assert not is_beside_checkout(REPO / "synth" / "benchmarks" / "data" / "math_test.jsonl.gz")
    assert not is_beside_checkout(REPO.parent / ".cache" / "pip")
    assert not is_beside_checkout(REPO.parent)
    assert not is_beside_checkout(REPO.parent.parent / "elsewhere")  # not beside the checkout
    assert not is_beside_checkout(Path(tempfile.gettempdir()))


def test_a_read_beside_the_checkout_is_caught_by_the_audit_hook():
    sibling = REPO.parent / "not-in-the-checkout-sentinel" / "data.jsonl"
    with pytest.raises(FileNotFoundError):
        open(sibling)  # the audit event fires before the file system says no
    caught = list(checkout_boundary._reads_beside_checkout)
    checkout_boundary._reads_beside_checkout.clear()  # this one was on purpose
    assert caught == [f"open {sibling}"]
