"""The `replayed` model roles: which recorded reply a request gets, the files they read, and the
one-line config errors for a bad file. (Whole plans answered by replayed roles run in
tests/integration/test_paper_scale.py.)"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from synth.config.errors import ConfigError
from synth.config.loading import load_config
from synth.engines.replayed_replies import (
    SOURCE,
    VARIATION,
    VARIATIONS,
    RecordedReplies,
    load_replies,
    replayed_score,
    replayed_text,
    request_base_and_variant,
    with_numbers_rewritten,
)
from synth.shuffle_sizing import MAX_PARTITIONS, PARTITION_BYTES, partitions_for

REPO = Path(__file__).resolve().parents[2]
REPLIES = REPO / "bench" / "replies"


def solve_request(question: str, seed: int, sample_index: int, temperature: float = 0.7) -> dict:
    return {"messages": [{"role": "user", "content": question}],
            "sampling_params": {"seed": seed + sample_index, "temperature": temperature}}


def test_samples_of_one_request_share_a_base_and_mostly_agree():
    bases, variants = set(), []
    for index in range(200):
        base, variant = request_base_and_variant(solve_request("2+2?", 41, index), index)
        bases.add(base)
        variants.append(variant)
    assert len(bases) == 1
    assert 0.45 <= variants.count(0) / len(variants) <= 0.75  # three in five take variant 0
    assert set(variants) == {0, 1, 2}


def test_greedy_samples_all_take_the_first_variant_and_other_requests_other_bases():
    greedy = {request_base_and_variant(solve_request("2+2?", 7, i, 0.0), i) for i in range(5)}
    assert len(greedy) == 1 and next(iter(greedy))[1] == 0
    seeds = {request_base_and_variant({"prompt": "<|im_start|>user\n",
                                       "sampling_params": {"seed": s, "temperature": 1.0}}, None)[0]
             for s in range(100)}
    assert len(seeds) == 100  # generation from scratch: each seed its own question


def test_replies_vary_per_request_and_replay_identically():
    replies = RecordedReplies(["Tom has 12 apples and buys 30 more. \\boxed{42}"], None, None,
                              "numbers")
    texts = {replayed_text(replies, base, 0)[0] for base in range(50)}
    assert len(texts) == 9  # one recorded reply, its digits rotated one of nine ways
    assert "Tom has 23 apples and buys 41 more. \\boxed{53}" in texts
    assert replayed_text(replies, 7, 1) == replayed_text(replies, 7, 1)
    assert with_numbers_rewritten("no digits here", 3) == "no digits here"
    fixed = RecordedReplies(['{"score": 7, "correct": true}'], [9], None, "none")
    assert replayed_text(fixed, 123, 2) == ('{"score": 7, "correct": true}', 9)


def test_sentence_variation_crosses_two_replies_and_keeps_json_shapes():
    texts = ["Ann has 3 cats. She buys 2 more. How many cats?",
             "Bo reads 5 pages. He reads 4 more. How many pages?"]
    replies = RecordedReplies(texts, None, None, "sentences")
    crossed = replayed_text(replies, 0, 0)[0]
    assert crossed.startswith("Ann has") and crossed.endswith("How many pages?")
    problems = RecordedReplies(['{"question": "Ann has 3 cats. How many?", "final_answer": "3"}',
                                '{"question": "Bo has 5 dogs. How many?", "final_answer": "5"}'],
                               None, None, "sentences")
    reply = json.loads(replayed_text(problems, 1, 0)[0])
    assert set(reply) == {"question", "final_answer"} and reply["question"].startswith("Bo has")


def test_scores_are_a_function_of_the_request_text():
    replies = RecordedReplies(None, None, [0.1, 0.5, 0.9])
    assert replayed_score(replies, "a question") == replayed_score(replies, "a question")
    assert {replayed_score(replies, f"q{i}") for i in range(30)} == {0.1, 0.5, 0.9}


def test_the_shipped_replies_files_say_where_they_come_from():
    for name in ("questions", "solutions", "problems", "concepts", "verdicts", "solvability",
                 "rewards", "difficulty"):
        metadata = pq.read_schema(REPLIES / f"{name}.parquet").metadata
        assert metadata[SOURCE] and metadata[VARIATION].decode() in VARIATIONS
        assert load_replies(str(REPLIES / f"{name}.parquet")).size > 0


def _scalequest(overrides: list[str]) -> None:
    load_config(REPO / "pipelines" / "scalequest_cpu.yaml", [
        "models.generator.engine=replayed", f"models.generator.model={REPLIES}/questions.parquet",
        "models.difficulty_scorer.engine=replayed",
        f"models.difficulty_scorer.model={REPLIES}/difficulty.parquet",
        "models.reward.engine=replayed", f"models.reward.model={REPLIES}/rewards.parquet",
        *overrides])


def test_a_plan_of_replayed_roles_loads():
    _scalequest([])


@pytest.mark.parametrize("overrides, message", [
    (["models.generator.model=/nowhere/replies.parquet"],
     "models.generator.model: /nowhere/replies.parquet: not a readable Parquet replies file"),
    ([f"models.reward.model={REPLIES}/solutions.parquet"],
     "models.reward.model: a replayed scorer role needs a replies file with a `score` column"),
    ([f"models.generator.model={REPLIES}/rewards.parquet"],
     "models.generator.model: a replayed completion role needs a replies file with a `text`"),
])
def test_a_bad_replies_file_is_one_config_error(overrides, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        _scalequest(overrides)


def test_a_replies_file_without_a_reply_column_is_named_on_the_command_line(tmp_path):
    bad = tmp_path / "bad.parquet"
    pq.write_table(pa.table({"reply": ["x"]}), bad)
    result = subprocess.run(
        [sys.executable, "-m", "synth.cli", "run", str(REPO / "pipelines" / "scalequest_cpu.yaml"),
         "models.generator.engine=replayed", f"models.generator.model={bad}", "--dry-run"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"synth: config error: models.generator.model: {bad}: has neither a `text` nor a `score` "
        "column (columns: reply)"]


def test_shuffle_partitions_follow_the_input_size():
    assert partitions_for(0) == 1
    assert partitions_for(PARTITION_BYTES * 3) == 3
    assert partitions_for(PARTITION_BYTES * 3 + 1) == 4
    assert partitions_for(10**15) == MAX_PARTITIONS
