"""QFT's training texts: questions from files or CHAMP, each in the generator's user turn."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from omegaconf import OmegaConf

from synth.config.training import ChatTurnConfig, QuestionSourceConfig
from synth.training.question_texts import (
    QuestionSourceError,
    load_questions,
    qft_text,
    qft_texts,
)

TEMPLATE = OmegaConf.structured(ChatTurnConfig(prefix="<|im_start|>user\n",
                                               end_of_turn="<|im_end|>"))


def source(**fields):
    return OmegaConf.structured(QuestionSourceConfig(**fields))


def test_text_is_prefix_question_end_of_turn():
    assert qft_text("  What is 2 + 3?\n", TEMPLATE) == "<|im_start|>user\nWhat is 2 + 3?<|im_end|>"


def test_texts_keep_order_and_count():
    texts = qft_texts(["First?", "Second?"], TEMPLATE)
    assert texts == ["<|im_start|>user\nFirst?<|im_end|>", "<|im_start|>user\nSecond?<|im_end|>"]


def test_a_system_turn_in_the_prefix_is_kept_verbatim():
    template = OmegaConf.structured(ChatTurnConfig(
        prefix="<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"))
    assert qft_text("Q?", template).startswith("<|im_start|>system\nYou are a helpful assistant.")


def test_questions_from_jsonl_and_parquet_in_order_with_limit(tmp_path):
    jsonl = tmp_path / "gsm8k.jsonl"
    jsonl.write_text("\n".join(json.dumps({"question": q}) for q in ["A?", "", "B?"]) + "\n")
    parquet = tmp_path / "math.parquet"
    pq.write_table(pa.table({"question": ["C?", "  ", "D?"]}), parquet)
    questions = load_questions(source(paths=[str(jsonl), str(parquet)]))
    assert questions == ["A?", "B?", "C?", "D?"]  # empty questions are skipped
    assert load_questions(source(paths=[str(jsonl), str(parquet)], limit=3)) == ["A?", "B?", "C?"]


def test_question_field_is_configurable(tmp_path):
    path = tmp_path / "math.jsonl"
    path.write_text(json.dumps({"problem": "Find x."}) + "\n")
    assert load_questions(source(paths=[str(path)], question_field="problem")) == ["Find x."]
    with pytest.raises(QuestionSourceError, match="no field 'question'"):
        load_questions(source(paths=[str(path)]))


def test_a_source_without_questions_is_an_error(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text(json.dumps({"question": ""}) + "\n")
    with pytest.raises(QuestionSourceError, match="no non-empty question"):
        load_questions(source(paths=[str(path)]))


def test_packaged_champ_questions():
    questions = load_questions(source(packaged="champ", limit=16))
    assert len(questions) == 16
    assert all(isinstance(q, str) and q for q in questions)
