"""The generative judge with the real packaged SmolLM2: P("Yes") rewards in [0, 1], the same on
every run and in every process, null where there is no solution to judge."""

from __future__ import annotations

import pyarrow as pa
import pytest
import ray
from omegaconf import OmegaConf

from synth.config.common import ModelConfig
from synth.config.scalequest import RewardConfig
from synth.rewards import build_reward_scorer
from synth.rewards.generative_judge import GenerativeJudgeWorker, single_token_ids

CANDIDATES = [
    {"id": "q1", "sample_index": 0, "question": "What is 2 + 3?",
     "solution": "2 + 3 = 5, so the answer is \\boxed{5}."},
    {"id": "q1", "sample_index": 1, "question": "What is 2 + 3?",
     "solution": "Two plus three is seven. \\boxed{7}"},
    {"id": "q2", "sample_index": 0, "question": "How many legs do 2 cats have?", "solution": None},
]


def judge_config() -> tuple:
    reward = OmegaConf.structured(RewardConfig(enabled=True))
    role = OmegaConf.structured(ModelConfig(engine="transformers", model="smollm2-135m-instruct",
                                            batch_size=4, context_length=512))
    return reward, role


@pytest.fixture(scope="module")
def ray_rewards(ray_cluster) -> dict:
    reward, role = judge_config()
    rows = build_reward_scorer(reward, role).score(ray.data.from_items(CANDIDATES)).take_all()
    return {(r["id"], r["sample_index"]): r for r in rows}


def test_rewards_are_probabilities_and_null_without_a_solution(ray_rewards):
    assert len(ray_rewards) == 3
    for key in [("q1", 0), ("q1", 1)]:
        assert 0.0 <= ray_rewards[key]["reward"] <= 1.0
        assert ray_rewards[key]["num_input_tokens"] > 20
        assert ray_rewards[key]["_engine_cpu_s"] > 0
    assert ray_rewards[("q2", 0)]["reward"] is None
    assert ray_rewards[("q2", 0)]["num_input_tokens"] == 0
    assert ray_rewards[("q1", 0)]["solution"] == CANDIDATES[0]["solution"]  # row passed through


def test_rewards_are_deterministic_across_calls_and_processes(ray_rewards):
    reward, role = judge_config()
    worker = GenerativeJudgeWorker(role.model, reward.prompt, role.context_length, num_gpus=0)
    assert set(worker.yes_ids).isdisjoint(worker.no_ids)
    assert len(single_token_ids(worker.tokenizer, ("Yes", " Yes"))) == 2
    batch = pa.Table.from_pylist(CANDIDATES)
    first = worker(batch).column("reward").to_pylist()
    assert worker(batch).column("reward").to_pylist() == first
    for candidate, value in zip(CANDIDATES, first):
        expected = ray_rewards[(candidate["id"], candidate["sample_index"])]["reward"]
        if expected is None:
            assert value is None
        else:
            assert value == pytest.approx(expected, abs=1e-5)
    text = worker.judge_text("What is 2 + 3?", "\\boxed{5}")
    assert text.endswith("<|im_start|>assistant\n") and "Answer Yes or No." in text
