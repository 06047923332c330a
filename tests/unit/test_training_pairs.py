"""QPO pair construction: seeded goals, rewrite requests, pair sides and failure reasons — as
pure functions, and through `build_preference_pairs` with scripted engines on a real local Ray
cluster (only the models are fake)."""

from __future__ import annotations

import json
from collections import Counter

import pyarrow.parquet as pq
import pytest
from omegaconf import OmegaConf

from synth.config.training import QPOConfig, RewriteConfig
from synth.engines.base import Completion
from synth.training.preference_pairs import (
    PAIR_COLUMNS,
    clean_rewrite,
    draft_failure,
    preference_pair,
    rewrite_failure,
)
from synth.training.qpo_pairs import build_preference_pairs
from synth.training.rewrite_goals import GOALS, rewrite_goal, rewrite_request
from tests.scripted_engine import ScriptedEngine

PREFIX = "<|im_start|>user\n"
END = "<|im_end|>"


def test_goal_is_seeded_per_question():
    ids = [f"q{index}" for index in range(400)]
    goals = [rewrite_goal(0, question_id) for question_id in ids]
    assert goals == [rewrite_goal(0, question_id) for question_id in ids]  # reproducible
    assert set(goals) == set(GOALS)
    assert 150 < Counter(goals)["solvability"] < 250  # one fair draw per question
    assert goals != [rewrite_goal(1, question_id) for question_id in ids]  # the run seed matters


def test_rewrite_request_uses_the_goal_prompt():
    rewrite = OmegaConf.structured(RewriteConfig(solvability_prompt="SOLVABLE: {question}",
                                                 difficulty_prompt="HARDER: {question}"))
    assert rewrite_request("solvability", "What is 2+2?", rewrite) == [
        {"role": "user", "content": "SOLVABLE: What is 2+2?"}]
    [message] = rewrite_request("difficulty", "What is 2+2?", rewrite)
    assert message["content"] == "HARDER: What is 2+2?"


def test_default_prompts_are_paper_style():
    rewrite = OmegaConf.structured(RewriteConfig)
    assert "more solvable" in rewrite.solvability_prompt
    assert "more difficult" in rewrite.difficulty_prompt


def test_pair_sides():
    rewrite = "Tom has 3 apples and eats 1. How many are left?"
    pair = preference_pair(" Tom has 3 apples \n", rewrite, PREFIX, END)
    assert pair == {"prompt": PREFIX,
                    "chosen": rewrite + END,
                    "rejected": "Tom has 3 apples" + END}


@pytest.mark.parametrize("text, cleaned", [
    ("  What is 5 + 7?  ", "What is 5 + 7?"),
    ("Rewritten question: What is 5 + 7?", "What is 5 + 7?"),
    ("**Optimized Question:** What is 5 + 7?", "What is 5 + 7?"),
    ('"What is 5 + 7?"', "What is 5 + 7?"),
    ("Question: How many?", "How many?"),
    (None, ""),
])
def test_clean_rewrite(text, cleaned):
    assert clean_rewrite(text) == cleaned


@pytest.mark.parametrize("question, finish, reason", [
    ("What is 1+1?", "stop", None),
    ("What is 1+1 and then we keep", "length", None),  # a truncated draft is a fine rejected side
    ("", "stop", "question_empty"),
    ("", "error", "question_engine_error"),
])
def test_draft_failures(question, finish, reason):
    assert draft_failure(question, finish) == reason


@pytest.mark.parametrize("rewrite, finish, reason", [
    ("What is 1+1? Show your steps.", "stop", None),
    ("", "error", "rewrite_engine_error"),
    ("What is 1+1 and", "length", "rewrite_truncated"),
    ("", "stop", "rewrite_empty"),
    ("what is 1 + 1", "stop", "rewrite_unchanged"),  # same words: nothing to prefer
])
def test_rewrite_failures(rewrite, finish, reason):
    assert rewrite_failure("What is 1+1?", rewrite, finish) == reason


# Draft i (by seed) has one of these shapes; the optimizer's reply depends on the draft.
DRAFTS = ["Ann has 4 pens and buys 3 more. How many pens?", "", "explode",
          "A train goes 60 km in 1 hour. How far in 3 hours?", "Echo this question back please"]


def generator_script(prompt, params):
    assert prompt == PREFIX  # generation from scratch: the bare prefix only
    draft = DRAFTS[params["seed"] % len(DRAFTS)]
    if draft == "explode":
        raise RuntimeError("CUDA error: an illegal memory access")
    return Completion(draft, 3, 12, "stop")


def optimizer_script(prompt, params):
    question = prompt.rsplit("Question: ", 1)[-1]
    if question.startswith("Echo"):
        return Completion(question, 30, 8, "stop")  # unchanged
    if question.startswith("A train"):
        return Completion(question + " And then it keeps going and going", 30, 64, "length")
    return Completion(f"Rewritten question: {question} Give the answer in dozens.", 30, 16, "stop")


@pytest.fixture(scope="module")
def scripted_pairs(ray_cluster, tmp_path_factory):
    cfg = OmegaConf.structured(QPOConfig)
    cfg.run.name = "qpo_scripted"
    cfg.template.prefix = PREFIX
    cfg.generate.num_questions = 40
    run_dir = tmp_path_factory.mktemp("qpo") / "qpo_scripted"
    report = build_preference_pairs(cfg, ScriptedEngine("generator", generator_script),
                                    ScriptedEngine("optimizer", optimizer_script),
                                    run_dir / "qpo_pairs")
    return cfg, report, run_dir


def test_every_question_is_a_pair_or_a_counted_failure(scripted_pairs):
    cfg, report, run_dir = scripted_pairs
    assert report.num_pairs + sum(report.failures.values()) == cfg.generate.num_questions
    assert set(report.failures) == {"question_empty", "question_engine_error",
                                    "rewrite_truncated", "rewrite_unchanged"}
    assert report.num_pairs > 0
    summary = json.loads((run_dir / "pairs_summary.json").read_text())
    assert summary["failures"] == report.failures
    assert sum(summary["goals"].values()) == report.num_pairs


def test_pairs_parquet_holds_the_usable_pairs(scripted_pairs):
    cfg, report, _ = scripted_pairs
    table = pq.read_table(report.pairs_dir)
    assert set(PAIR_COLUMNS) <= set(table.column_names)
    rows = table.to_pylist()
    assert len(rows) == report.num_pairs
    for row in rows:
        assert row["prompt"] == PREFIX
        assert row["rejected"] == "Ann has 4 pens and buys 3 more. How many pens?" + END
        assert row["chosen"] == ("Ann has 4 pens and buys 3 more. How many pens? "
                                 "Give the answer in dozens." + END)
        assert row["goal"] in GOALS
        assert row["goal"] == rewrite_goal(cfg.run.seed, row["id"])


def test_rerun_writes_the_same_pairs(scripted_pairs, tmp_path):
    cfg, report, _ = scripted_pairs
    again = build_preference_pairs(cfg, ScriptedEngine("generator", generator_script),
                                   ScriptedEngine("optimizer", optimizer_script),
                                   tmp_path / "qpo_pairs")
    key = ["id", "goal", "chosen"]
    first = sorted(pq.read_table(report.pairs_dir, columns=key).to_pylist(), key=str)
    second = sorted(pq.read_table(again.pairs_dir, columns=key).to_pylist(), key=str)
    assert first == second


def test_no_usable_draft_gives_an_empty_report(ray_cluster, tmp_path):
    cfg = OmegaConf.structured(QPOConfig)
    cfg.run.name = "qpo_all_failed"
    cfg.template.prefix = PREFIX
    cfg.generate.num_questions = 6
    silent = ScriptedEngine("generator", lambda prompt, params: Completion("", 3, 0, "stop"))
    report = build_preference_pairs(cfg, silent, ScriptedEngine("optimizer", optimizer_script),
                                    tmp_path / "qpo_pairs")
    assert report.num_pairs == 0
    assert report.failures == {"question_empty": 6}
    assert json.loads((tmp_path / "pairs_summary.json").read_text())["num_pairs"] == 0
