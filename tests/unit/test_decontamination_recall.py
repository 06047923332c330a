"""Decontamination's recall on edited benchmark items and its keep rate on clean questions.

Every item of the packaged GSM8K and MATH test sets is edited the four ways a generator that
memorised it would (tests/benchmark_edits.py); the default methods must catch at least 95% of
each edit kind in each benchmark, every verbatim item, and keep at least 99% of the GSM8K train
questions (which are not test items, though some are close to one).
"""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest
from omegaconf import OmegaConf

from synth.benchmarks.benchmark_sets import packaged_benchmark
from synth.config.quality import DecontaminationConfig
from synth.quality.benchmark_overlap import MASKED_NGRAM, NGRAM, BenchmarkOverlap
from tests.benchmark_edits import EDITS, edited_items
from tests.conftest import TEST_DATA

BENCHMARKS = ("gsm8k_test", "math_test")


@pytest.fixture(scope="module")
def default_overlap() -> tuple[BenchmarkOverlap, dict[str, list[str]]]:
    config = OmegaConf.structured(DecontaminationConfig)
    overlap = BenchmarkOverlap(list(config.methods), config.ngram_size, config.masked_ngram_size,
                               config.min_containment, config.min_aligned)
    questions = {name: packaged_benchmark(name).column("question").to_pylist()
                 for name in BENCHMARKS}
    for name, items in questions.items():
        overlap.add(name, items)
    return overlap, questions


@pytest.mark.parametrize("benchmark", BENCHMARKS)
@pytest.mark.parametrize("kind", list(EDITS))
def test_edited_items_are_caught(default_overlap, benchmark, kind):
    overlap, questions = default_overlap
    edited = edited_items(questions[benchmark], kind)
    assert len(edited) >= 500 or len(edited) >= 0.5 * len(questions[benchmark])
    caught = [overlap.find(text) for _, text in edited]
    recall = sum(hit is not None for hit in caught) / len(edited)
    assert recall >= 0.95, f"{benchmark} {kind}: {recall:.3f}"
    # What catches an edit names the benchmark it came from, mostly the very item.
    named = [hit for hit in caught if hit is not None]
    assert sum(hit.benchmark == benchmark for hit in named) >= 0.97 * len(named)
    assert sum(hit.item == index for (index, _), hit in zip(edited, caught) if hit) >= 0.85 * len(named)


@pytest.mark.parametrize("benchmark", BENCHMARKS)
def test_verbatim_items_are_all_caught_by_the_ngram_check(default_overlap, benchmark):
    overlap, questions = default_overlap
    hits = [overlap.find(q) for q in questions[benchmark]]
    assert all(hit is not None for hit in hits)
    assert sum(hit.method == NGRAM for hit in hits) == len(hits)


def test_clean_questions_are_kept(default_overlap):
    overlap, _ = default_overlap
    with gzip.open(TEST_DATA / "gsm8k_train_questions.jsonl.gz", "rt") as handle:
        train = [json.loads(line)["question"] for line in handle]
    flagged = [hit for hit in map(overlap.find, train) if hit is not None]
    assert 1 - len(flagged) / len(train) >= 0.99
    assert any(hit.method == MASKED_NGRAM for hit in flagged)  # the method is on by default


def test_numbers_and_names_do_not_change_a_masked_gram():
    from synth.quality.masked_overlap import masked_words
    from synth.quality.word_grams import word_grams

    first = masked_words("Janet's ducks lay 16 eggs per day. She eats 3 for breakfast.")
    second = masked_words("Priya's ducks lay 1,250 eggs per day. She eats 7.5 for breakfast.")
    assert first == second
    grams = word_grams([first, second], 4, distinct=True)
    assert np.array_equal(grams.hashes[grams.rows == 0], grams.hashes[grams.rows == 1])


def test_a_texts_match_does_not_depend_on_the_batch_it_is_looked_up_in(default_overlap):
    """Texts are looked up a batch at a time: grams never span two texts, and each text gets
    what it gets alone, whatever its neighbours (edited items, clean text, empty and short)."""
    from synth.quality.masked_overlap import masked_words
    from synth.quality.word_grams import word_grams

    overlap, questions = default_overlap
    texts = [text for kind in EDITS for _, text in edited_items(questions["gsm8k_test"][:40], kind)]
    texts += [None, "", "Add 2 and 3.", "A farmer plants 12 rows of corn. How many plants?"]
    texts += questions["math_test"][:20]
    assert overlap.find_all(texts) == [overlap.find(text) for text in texts]
    assert sum(hit is not None for hit in overlap.find_all(texts)) >= 150

    word_lists = [masked_words(text) for text in texts[:50]]
    batch = word_grams(word_lists, 4)
    for row, words in enumerate(word_lists):
        assert np.array_equal(batch.hashes[batch.rows == row], word_grams([words], 4).hashes)
