"""Config of `synth train difficulty`: fail-rate labels from a solver, then the regression scorer.

Training the scorer is its own command with its own file, because a pipeline that uses a
scorer must name a checkpoint that exists, while the training run is what creates it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Optional

from synth.config.common import (
    SOLVE_PROMPT,
    AnswerFormat,
    BenchmarkConfig,
    PackagedSeeds,
    PipelineBase,
    SamplingConfig,
    check_checkpoint_directory,
)
from synth.config.sections import Section, need, need_placeholders


@dataclass
class DifficultySeedsConfig(BenchmarkConfig):
    """Train questions with known answers: the labels are the solver's failures on them."""

    packaged: Optional[str] = None  # champ: CHAMP's problems with their answers (benchmark copies are test sets)

    def source_label(self) -> str:
        return "train.seeds"

    def required_fields(self) -> list[str]:
        return [self.question_field, *([self.answer_field] if self.answer_field else [])]

    def check(self) -> None:
        super().check()
        if self.packaged:
            need(self.packaged == PackagedSeeds.champ, "packaged",
                 "must be one of champ (benchmark copies are test sets)", self.packaged)
        need(bool(self.answer_field), "answer_field", "labels need each seed's known answer",
             self.answer_field)


@dataclass
class DifficultyTrainingConfig(Section):
    """Labels (solver fail rates on questions with known answers) and the regression head."""

    solver: str = "solver"  # model role sampled on the seeds; its failures define difficulty
    num_samples: int = 8  # k samples per seed; label = failed samples / k
    prompt: str = SOLVE_PROMPT  # {question} is replaced; the same prompt the pipeline solves with
    sampling: SamplingConfig = field(
        default_factory=lambda: SamplingConfig(temperature=0.7, top_p=0.95, max_tokens=2048)
    )  # the pipeline's solve settings, so labels measure the difficulty the solver will meet
    seeds: DifficultySeedsConfig = field(default_factory=lambda: DifficultySeedsConfig(
        name="seeds", split="train", answer_format=AnswerFormat.gsm8k))  # train questions + known answers
    comparison_timeout_s: float = 5.0  # limit for one symbolic equivalence check (math-verify)
    base_model: str = "smollm2-135m-instruct"  # packaged GGUF name or HF checkpoint dir
    num_layers: Optional[int] = None  # keep only the first N decoder layers (CPU); None: all
    trainable_layers: Optional[int] = None  # train the head + last N layers only; None: all
    max_length: int = 256  # question tokens the scorer reads; GSM8K/MATH questions fit
    epochs: int = 3  # passes over the labelled questions
    learning_rate: float = 2e-5  # AdamW; small because the base model is pretrained
    batch_size: int = 16  # questions per optimiser step
    holdout_fraction: float = 0.1  # share of labelled questions kept out to report rank correlation
    output_dir: str = "runs/difficulty_scorer"  # gets labels/, checkpoint/ and metrics.json

    role_fields: ClassVar[tuple[str, ...]] = ("solver",)

    def check(self) -> None:
        need(self.num_samples >= 1, "num_samples", "must be >= 1", self.num_samples)
        need_placeholders("prompt", self.prompt, "question")
        need(self.comparison_timeout_s > 0, "comparison_timeout_s", "must be > 0",
             self.comparison_timeout_s)
        need(self.num_layers is None or self.num_layers >= 1, "num_layers",
             "must be null or a layer count", self.num_layers)
        need(self.trainable_layers is None or self.trainable_layers >= 0, "trainable_layers",
             "must be null or a layer count", self.trainable_layers)
        need(self.max_length >= 8, "max_length", "must be >= 8", self.max_length)
        need(self.epochs >= 1, "epochs", "must be >= 1", self.epochs)
        need(self.learning_rate > 0, "learning_rate", "must be > 0", self.learning_rate)
        need(self.batch_size >= 1, "batch_size", "must be >= 1", self.batch_size)
        need(0 <= self.holdout_fraction < 1, "holdout_fraction", "must be in [0, 1)",
             self.holdout_fraction)
        check_checkpoint_directory("output_dir", self.output_dir)


@dataclass
class DifficultyTrainingPipelineConfig(PipelineBase):
    """`synth train difficulty`: sample a solver on seeds, label fail rates, train the scorer."""

    pipeline: str = "difficulty"  # `synth train difficulty` checks this, like qft/qpo
    train: DifficultyTrainingConfig = field(default_factory=DifficultyTrainingConfig)
