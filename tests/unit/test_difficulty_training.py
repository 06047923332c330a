"""Difficulty-scorer training pieces that need no real model: seed answers, the held-out split,
rank correlation, which parameters train, and the `train:` section's validation."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from omegaconf import OmegaConf

from synth.config.common import ModelConfig
from synth.config.difficulty_training import DifficultyTrainingPipelineConfig
from synth.config.errors import ConfigError
from synth.config.loading import load_config
from synth.difficulty.labels import FailRateLabeller, seed_items
from synth.difficulty.regression_head import freeze_all_but_last
from synth.difficulty.training import holdout_split, rank_correlation
from tests.config_overrides import overrides


def training_config(seeds_path) -> OmegaConf:
    cfg = OmegaConf.structured(DifficultyTrainingPipelineConfig)
    cfg.run.name = "scorer"
    cfg.models["solver"] = ModelConfig(engine="llama_cpp", model="smollm2-135m-instruct")
    cfg.train.seeds.path = str(seeds_path)
    cfg.train.sampling.max_tokens = 256  # leaves the solver's 2048-token context room for a prompt
    return cfg


@pytest.fixture
def seeds_file(tmp_path):
    path = tmp_path / "seeds.jsonl"
    records = [{"question": "What is 2 + 2?", "answer": "2 + 2 = 4\n#### 4"},
               {"question": "  ", "answer": "#### 1"},  # no question: skipped
               {"question": "How many is 1,000 + 1?", "answer": "#### 1,001"},
               {"question": "Is this answered?", "answer": "no final line"}]  # no known answer
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_seed_items_keep_questions_with_known_answers(seeds_file):
    items = seed_items(training_config(seeds_file).train.seeds).to_pylist()
    assert [(i["question"], i["known_answer"]) for i in items] == [
        ("What is 2 + 2?", "4"), ("How many is 1,000 + 1?", "1001")]
    assert len({i["id"] for i in items}) == 2


def test_fail_rate_counts_graded_samples_only(seeds_file):
    labeller = FailRateLabeller(training_config(seeds_file).train, run_seed=0)
    samples = pa.table({
        "id": ["a"] * 5 + ["b"] * 2, "question": ["Q a"] * 5 + ["Q b"] * 2,
        "known_answer": ["4"] * 5 + ["7"] * 2,
        "generated_text": ["so \\boxed{4}", "the answer is 4.", "\\boxed{5}", "I give up",
                           None, None, None],
        "finish_reason": ["stop", "stop", "stop", "length", "error", "error", "error"]})
    graded = labeller.grade(samples)
    assert graded.column("passed").to_pylist() == [True, True, False, False, None, None, None]
    label = FailRateLabeller.fail_rate(graded.slice(0, 5)).to_pylist()
    assert label == [{"id": "a", "question": "Q a", "known_answer": "4", "num_graded": 4,
                      "num_failed": 2, "fail_rate": 0.5}]  # the failed request is left out
    assert FailRateLabeller.fail_rate(graded.slice(5)).num_rows == 0  # nothing to grade


def test_holdout_split_is_seeded_disjoint_and_sized():
    train, held = holdout_split(250, 0.2, seed=3)
    assert len(held) == 50 and len(train) == 200
    assert sorted(train + held) == list(range(250))
    assert holdout_split(250, 0.2, seed=3) == (train, held)
    assert holdout_split(250, 0.2, seed=4)[1] != held
    assert holdout_split(10, 0.0, seed=0) == (list(range(10)), [])


def test_rank_correlation_is_none_where_undefined():
    assert rank_correlation([0.1, 0.2, 0.3], [0.0, 0.5, 1.0]) == pytest.approx(1.0)
    assert rank_correlation([0.3, 0.2, 0.1], [0.0, 0.5, 1.0]) == pytest.approx(-1.0)
    assert rank_correlation([0.1, 0.2], [0.5, 0.5]) is None  # constant labels
    assert rank_correlation([0.1], [0.5]) is None


def test_only_the_head_norm_and_last_layers_train():
    from transformers import AutoModelForSequenceClassification, LlamaConfig

    tiny = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=3,
                       num_attention_heads=2, num_key_value_heads=1, num_labels=1, pad_token_id=0)
    model = AutoModelForSequenceClassification.from_config(tiny)
    freeze_all_but_last(model, trainable_layers=1)
    trainable = {name.split(".")[0] if name.startswith("score") else ".".join(name.split(".")[:3])
                 for name, p in model.named_parameters() if p.requires_grad}
    assert trainable == {"score", "model.norm.weight", "model.layers.2"}
    freeze_all_but_last(model, trainable_layers=0)
    assert {n for n, p in model.named_parameters() if p.requires_grad} == {
        "score.weight", "model.norm.weight"}


def test_validation_names_the_key(seeds_file, tmp_path):
    path = tmp_path / "difficulty.yaml"
    OmegaConf.save(training_config(seeds_file), path)
    load_config(path)
    cases = [({"solver": "nobody"}, "^train.solver: "),
             ({"num_samples": 0}, "^train.num_samples: "),
             ({"prompt": "Solve it."}, r"^train.prompt: must contain \{question\}"),
             ({"seeds": {"packaged": "gsm8k_test"}}, "^train.seeds: needs exactly one"),
             ({"seeds": {"path": None, "packaged": "gsm8k_test"}}, "^train.seeds.packaged: "),
             ({"seeds": {"path": "/no/such.jsonl"}}, "^train.seeds.path: file not found"),
             ({"seeds": {"answer_field": None}}, "^train.seeds.answer_field: "),
             ({"base_model": "/no/such/model"}, "^train.base_model: "),
             ({"num_layers": 0}, "^train.num_layers: "),
             ({"trainable_layers": -1}, "^train.trainable_layers: "),
             ({"holdout_fraction": 1.0}, "^train.holdout_fraction: "),
             ({"learning_rate": 0.0}, "^train.learning_rate: ")]
    for change, message in cases:
        with pytest.raises(ConfigError, match=message):
            load_config(path, overrides("train", change))
    load_config(path, overrides("train", {"seeds": {"path": None, "packaged": "champ"}}))
