"""Models the slow tests train once per session and share: QFT, then QPO on it, and a
difficulty scorer. Their own tests check each training loop; the ScaleQuest CPU pipeline test
serves all three checkpoints, as `synth run pipelines/scalequest_cpu.yaml` does after the
three `synth train` commands in that file's header.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from omegaconf import OmegaConf

from synth.config.common import ModelConfig
from synth.config.difficulty_training import DifficultyTrainingPipelineConfig
from synth.config.loading import load_config
from synth.difficulty.training import train
from synth.engines.base import Completion
from synth.training import trainer_for
from tests.conftest import TEST_DATA
from tests.scripted_engine import ScriptedEngine

PIPELINES = Path(__file__).resolve().parents[1] / "pipelines"
QPO_QUESTIONS = 4


@pytest.fixture(scope="session")
def qft_outcome(ray_cluster, tmp_path_factory):
    """QFT on 16 CHAMP questions, 2 steps of 2 packed 64-token blocks."""
    cfg = load_config(PIPELINES / "qft_cpu.yaml", [
        f"run.output_dir={tmp_path_factory.mktemp('runs')}", "questions.limit=16",
        "train.max_steps=2", "train.max_length=64", "train.per_device_batch_size=2"])
    return trainer_for("qft")(cfg)


@dataclass(frozen=True)
class QpoRun:
    output_dir: Path
    outcome: Any


@pytest.fixture(scope="session")
def qpo_run(qft_outcome, tmp_path_factory) -> QpoRun:
    """QPO on the QFT checkpoint: 4 drafts, their rewrites as pairs, 1 DPO step."""
    output_dir = tmp_path_factory.mktemp("qpo")
    cfg = load_config(PIPELINES / "qpo_cpu.yaml", [
        f"run.output_dir={output_dir}", f"models.generator.model={qft_outcome.checkpoint_dir}",
        f"generate.num_questions={QPO_QUESTIONS}", "generate.sampling.max_tokens=48",
        "rewrite.sampling.max_tokens=128", "train.max_steps=1", "train.max_length=128"])
    return QpoRun(output_dir, trainer_for("qpo")(cfg))


SEEDS = TEST_DATA / "gsm8k_train_head.jsonl"
NUM_SEEDS = 250
NUM_SAMPLES = 4
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def known_answers() -> dict[str, str]:
    with SEEDS.open() as handle:
        records = [json.loads(line) for line, _ in zip(handle, range(NUM_SEEDS))]
    return {r["question"].strip(): r["answer"].split("####")[-1].strip().replace(",", "")
            for r in records}


def fail_probability(question: str) -> float:
    return min(max((len(NUMBER.findall(question)) - 1) / 5, 0.0), 1.0)


def number_counting_solver(answers: dict[str, str]):
    def solve(prompt: str, params: dict) -> Completion:
        question = prompt.split("\nPlease reason step by step")[0]
        draw = random.Random(params["seed"]).random()
        if draw >= fail_probability(question):
            return Completion(f"Working it out... the answer is \\boxed{{{answers[question]}}}.",
                              60, 30, "stop")
        wrong = ["So \\boxed{-1}.", "I am not sure how to continue", "Let me think " * 20]
        text = wrong[int(draw * 1000) % 3]
        return Completion(text, 60, 40, "length" if text.startswith("Let") else "stop")

    return solve


def training_config(output_dir) -> OmegaConf:
    cfg = OmegaConf.structured(DifficultyTrainingPipelineConfig)
    cfg.run.name = "difficulty"
    cfg.models["solver"] = ModelConfig(engine="llama_cpp", model="smollm2-135m-instruct")
    train = cfg.train
    train.num_samples = NUM_SAMPLES
    train.seeds.path = str(SEEDS)
    train.seeds.limit = NUM_SEEDS
    # CPU budget: 4 of SmolLM2's 30 layers, only the last of them and the head trained.
    train.num_layers, train.trainable_layers = 4, 1
    train.learning_rate, train.epochs, train.max_length = 1e-3, 3, 128
    train.holdout_fraction = 0.2
    train.output_dir = str(output_dir)
    return cfg


@pytest.fixture(scope="session")
def difficulty_training(ray_cluster, tmp_path_factory):
    cfg = training_config(tmp_path_factory.mktemp("difficulty"))
    solver = ScriptedEngine("solver", number_counting_solver(known_answers()))
    return cfg, train(cfg, solver)  # what `synth train difficulty` runs, with a scripted solver


