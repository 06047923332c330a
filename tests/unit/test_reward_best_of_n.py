"""Reward scoring and best-of-N selection on a real local Ray cluster: the highest-reward
answered sample wins, ties go to the lower sample index, a question with no answered sample is
dropped whole; the vLLM reward-model processor is built without vLLM."""

from __future__ import annotations

import json
from collections import Counter

import pyarrow as pa
import pytest
import ray
from omegaconf import OmegaConf

from synth.config.common import ModelConfig
from synth.config.errors import ConfigError
from synth.config.loading import load_config
from synth.config.scalequest import RewardConfig
from synth.engines.llm_rows import ORIGINAL_ROW
from synth.engines.model_role import ScoringWorker, on_model_replicas
from synth.engines.request_replay import REPLAYED, RequestStore
from synth.rewards import RewardScorer, build_reward_scorer
from synth.rewards.base import REWARD_ANSWER
from synth.rewards.reward_model import reward_request, reward_result, reward_value
from synth.stages.reward_scoring import (
    BestOfNStage,
    RewardScoringStage,
    best_of_n_reasons,
    best_sample_index,
)
from tests.config_overrides import QUICKSTART, overrides


def sample(index: int, reward: float | None, status: str = "ok") -> dict:
    return {"sample_index": index, "reward": reward, "response_status": status}


def test_the_highest_reward_answered_sample_wins():
    assert best_sample_index([sample(0, 0.2), sample(1, 0.9), sample(2, 0.5)]) == 1
    # An unanswered sample never wins, however high its reward.
    assert best_sample_index([sample(0, 0.2), sample(1, 0.99, "no_final_answer")]) == 0
    assert best_sample_index([sample(0, None), sample(1, 0.1)]) == 1  # unscored ranks last


def test_ties_go_to_the_lower_sample_index():
    assert best_sample_index([sample(2, 0.7), sample(0, 0.7), sample(1, 0.3)]) == 0
    assert best_sample_index([sample(3, None), sample(1, None)]) == 1


def test_a_question_without_an_answered_sample_is_dropped_whole():
    samples = [sample(0, 0.9, "no_final_answer"), sample(1, None, "engine_error"),
               sample(2, 0.4, "truncated")]
    assert best_sample_index(samples) is None
    assert best_of_n_reasons(samples) == ["no_final_answer"] * 3
    assert best_of_n_reasons([sample(0, 0.1), sample(1, 0.8)]) == ["not_best_of_n", None]


# question id -> [(status, reward-deciding word in the solution)] per sample index
QUESTIONS = {
    "q-max": [("ok", "weak"), ("ok", "strong"), ("ok", "medium")],
    "q-tie": [("ok", "medium"), ("ok", "strong"), ("ok", "strong")],
    "q-none": [("no_final_answer", "strong"), ("engine_error", None), ("truncated", "weak")],
}
REWARDS = {"weak": 0.1, "medium": 0.5, "strong": 0.9}


class WordRewardWorker(ScoringWorker):
    """A scripted scoring replica: the reward is read off the solution text."""

    def __init__(self, store: RequestStore | None = None) -> None:
        super().__init__(REWARD_ANSWER, store=store)

    def answers(self, batch: pa.Table) -> dict[str, list]:
        solutions = batch.column("solution").to_pylist()
        return {"reward": [REWARDS[s] if s else None for s in solutions],
                "num_input_tokens": [len(s or "") for s in solutions]}


class WordReward(RewardScorer):
    """A scripted scorer on the real model-role layer (keys, replay, persistence)."""

    kind = "word_reward"

    def _send(self, rows: ray.data.Dataset) -> ray.data.Dataset:
        return on_model_replicas(rows, WordRewardWorker, self.config, store=self.request_store)


def solution_rows() -> ray.data.Dataset:
    rows = [{"id": qid, "question": f"question {qid}", "question_seed": 7, "sample_index": index,
             "solution": word, "answer": None if status != "ok" else str(index),
             "response_status": status}
            for qid, samples in QUESTIONS.items() for index, (status, word) in enumerate(samples)]
    return ray.data.from_items(rows).repartition(3)  # samples of a question span blocks


def test_reward_stage_then_best_of_n_keeps_one_sample_per_question(ray_cluster):
    model = OmegaConf.structured(ModelConfig(engine="transformers", model="scripted"))
    scored = RewardScoringStage(WordReward("reward", model)).apply(solution_rows()).materialize()
    assert scored.count() == 9
    assert {r["reward"] for r in scored.take_all()} == {0.1, 0.5, 0.9, None}
    rows = BestOfNStage().apply(scored).take_all()
    assert len(rows) == 9
    kept = {r["id"]: r for r in rows if r["drop_reason"] is None}
    assert {qid: r["sample_index"] for qid, r in kept.items()} == {"q-max": 1, "q-tie": 1}
    assert kept["q-max"]["reward"] == 0.9 and kept["q-max"]["answer"] == "1"
    assert kept["q-tie"]["num_samples"] == 3 and kept["q-tie"]["num_answered"] == 3
    reasons = Counter((r["id"], r["drop_reason"]) for r in rows)
    assert reasons[("q-none", "no_final_answer")] == 3
    assert reasons[("q-max", "not_best_of_n")] == 2 and reasons[("q-tie", "not_best_of_n")] == 2


def test_rewards_are_persisted_and_a_rerun_replays_them(ray_cluster, tmp_path):
    model = OmegaConf.structured(ModelConfig(engine="transformers", model="scripted"))
    first, again = WordReward("reward", model), WordReward("reward", model)
    for scorer in (first, again):
        scorer.open_store(str(tmp_path / "requests" / "reward"))
    fresh = first.score(solution_rows()).take_all()
    assert not any(r[REPLAYED] for r in fresh)
    assert len(first.request_store.files()) >= 1
    replayed = again.score(solution_rows()).take_all()
    assert all(r[REPLAYED] for r in replayed) and len(replayed) == 9
    rewards = lambda rows: sorted((r["id"], r["sample_index"], r["reward"]) for r in rows)
    assert rewards(replayed) == rewards(fresh)
    assert sum(r["num_input_tokens"] for r in replayed) == sum(r["num_input_tokens"] for r in fresh)


def test_every_scorer_prints_the_same_resource_line():
    model = OmegaConf.structured(ModelConfig(engine="transformers", model="judge-model",
                                             replicas=[1, 3], num_gpus=1))
    assert WordReward("reward", model).resource_plan() == (
        "reward: word_reward judge-model, replicas 1..3, 1 CPU, 1 GPU per replica")


def test_reward_model_row_adapters():
    row = {"id": "q1", "question": "1+1?", "solution": "It is \\boxed{2}", "sample_index": 0}
    request = reward_request(row)
    assert request["messages"][-1] == {"role": "assistant", "content": "It is \\boxed{2}"}
    assert json.loads(request[ORIGINAL_ROW]) == row
    scored = reward_result({ORIGINAL_ROW: request[ORIGINAL_ROW], "embeddings": [0.25],
                            "num_input_tokens": 17})
    assert scored == {**row, "reward": 0.25, "num_input_tokens": 17, "engine_error": None,
                      "_engine_cpu_s": 0.0, "_engine_gpu_s": 0.0, "_engine_node": None}
    assert reward_value([[0.1, 0.8]]) == 0.8  # two-label head: the "correct" class
    assert reward_value([]) is None and reward_value(None) is None
    failed = reward_result({ORIGINAL_ROW: request[ORIGINAL_ROW], "__inference_error__": "OOM"})
    assert failed["reward"] is None and failed["engine_error"] == "OOM"  # not stored: retried
    unsolved = reward_request({**row, "solution": None})
    unsolved_result = reward_result({ORIGINAL_ROW: unsolved[ORIGINAL_ROW], "embeddings": [3.0]})
    assert unsolved_result["reward"] is None and unsolved_result["engine_error"] is None


def test_reward_model_processor_config_and_build(tmp_path):
    # A local checkpoint path: a hub id would make Ray look the model up over the network.
    role = OmegaConf.structured(ModelConfig(engine="vllm", model=str(tmp_path), replicas=[1, 4],
                                            num_gpus=1, accelerator_type="A100"))
    reward = OmegaConf.structured(RewardConfig(enabled=True, kind="reward_model"))
    scorer = build_reward_scorer(reward, role)
    config = scorer.processor_config()
    assert config.task_type == "classify"
    assert config.engine_kwargs["task_type"] == "classify"
    assert config.concurrency == (1, 4) and config.accelerator_type == "A100"
    assert config.should_continue_on_error
    from ray.data.llm import build_processor

    try:
        processor = build_processor(config, preprocess=reward_request)
    except ImportError as error:  # some Ray versions need vLLM to build the processor
        pytest.skip(f"building the processor needs vLLM here: {error}")
    names = processor.list_stage_names()
    assert any("ChatTemplate" in name for name in names)
    assert any("vLLM" in name for name in names)
    assert not any("Detokenize" in name for name in names)


def test_validation_names_the_key(tmp_path):
    judge = ["models.reward.engine=llama_cpp", "models.reward.model=smollm2-135m-instruct",
             "models.rm.engine=vllm", f"models.rm.model={tmp_path}", "reward.enabled=true"]
    load_config(QUICKSTART, judge)
    load_config(QUICKSTART, [*judge, "reward.kind=reward_model", "reward.model=rm"])
    cases = [({"kind": "oracle"}, "^reward.kind: "), ({"keep": "all"}, "^reward.keep: "),
             ({"model": "nobody"}, "^reward.model: "),
             ({"prompt": "Is {solution} right?"}, r"^reward.prompt: must contain \{question\}"),
             ({"kind": "reward_model"}, "^models.reward.engine: "),
             ({"kind": "reward_model", "model": "rm", "task_type": "embed"}, "^reward.task_type: ")]
    for change, message in cases:
        with pytest.raises(ConfigError, match=message):
            load_config(QUICKSTART, [*judge, *overrides("reward", change)])
    # an engine whose own checks pass whatever the model, so the judge's check is the one met
    with pytest.raises(ConfigError, match="^models.reward.model: the generative judge"):
        load_config(QUICKSTART, [*judge, "models.reward.engine=vllm",
                                 "models.reward.model=/no/such/checkpoint"])
