"""The difficulty scorer end to end on CPU: fail-rate labels for 250 GSM8K train questions from a
scripted solver, a regression head on (the first 4 layers of) SmolLM2 trained on 200 of them,
and the saved checkpoint, scored on Ray, ranks the 50 held-out questions like their labels.

The scripted solver is what keeps this cheap and still honest: it fails more often on questions
that state more numbers (a real difficulty proxy: GSM8K questions with more quantities take more
steps), by seeded draws, so the labels are noisy fail rates the scorer must learn from the text.
"""

from __future__ import annotations

import json
import random
import re

import pyarrow.parquet as pq
import pytest
import ray
from omegaconf import OmegaConf
from scipy.stats import spearmanr

from synth.config.scalequest_filters_schema import DifficultyTrainingPipelineConfig
from synth.config.schema import ModelConfig
from synth.difficulty import DifficultyScorer
from synth.difficulty.labels import labels_dir
from synth.difficulty.training import holdout_split, train
from synth.engines.base import Completion
from tests.conftest import SHARED_DATA
from tests.scripted_engine import ScriptedEngine

SEEDS = SHARED_DATA / "seeds" / "gsm8k_train.jsonl"
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


@pytest.fixture(scope="module")
def trained(ray_cluster, tmp_path_factory):
    cfg = training_config(tmp_path_factory.mktemp("difficulty"))
    solver = ScriptedEngine("solver", number_counting_solver(known_answers()))
    return cfg, train(cfg, solver)  # what `synth train difficulty` runs, with a scripted solver


def test_labels_are_fail_rates_of_the_sampled_solver(trained):
    cfg, _ = trained
    labels = pq.read_table(labels_dir(cfg.train.output_dir)).to_pylist()
    assert len(labels) == NUM_SEEDS
    assert len({row["id"] for row in labels}) == NUM_SEEDS
    for row in labels:
        assert row["num_graded"] == NUM_SAMPLES
        assert row["fail_rate"] == row["num_failed"] / NUM_SAMPLES
    rates = [row["fail_rate"] for row in labels]
    assert {0.0, 1.0} <= set(rates) <= {0.0, 0.25, 0.5, 0.75, 1.0}
    designed = [fail_probability(row["question"]) for row in labels]
    assert spearmanr(designed, rates).statistic > 0.5  # labels follow the solver's behaviour


def test_scorer_ranks_held_out_questions_like_their_labels(trained):
    cfg, outcome = trained
    checkpoint = outcome.checkpoint_dir
    assert (checkpoint / "config.json").is_file() and (checkpoint / "model.safetensors").is_file()
    labels = pq.read_table(labels_dir(cfg.train.output_dir)).sort_by("id").to_pylist()
    _, held = holdout_split(len(labels), cfg.train.holdout_fraction, cfg.run.seed)
    assert len(held) == 50
    held_out = [{"id": labels[i]["id"], "question": labels[i]["question"]} for i in held]
    scorer = DifficultyScorer("difficulty_scorer", OmegaConf.structured(ModelConfig(
        engine="transformers", model=str(checkpoint), batch_size=16)))
    rows = scorer.score(ray.data.from_items(held_out)).take_all()
    scored = {r["id"]: r["difficulty"] for r in rows}
    truth = {labels[i]["id"]: labels[i]["fail_rate"] for i in held}
    ids = sorted(truth)
    rho = spearmanr([scored[i] for i in ids], [truth[i] for i in ids]).statistic
    assert rho > 0, f"held-out Spearman {rho:.3f}"
    metrics = json.loads((checkpoint.parent / "metrics.json").read_text())
    assert metrics["train_items"] == 200 and metrics["holdout_items"] == 50
    assert metrics["holdout_spearman"] == pytest.approx(rho, abs=0.05)
    assert metrics["epoch_losses"][-1] < metrics["epoch_losses"][0]
    assert outcome.metrics["holdout_spearman"] == metrics["holdout_spearman"]
    assert outcome.metrics["final_train_loss"] == metrics["epoch_losses"][-1]
    assert set(outcome.outputs) == {"labels", "metrics"}
