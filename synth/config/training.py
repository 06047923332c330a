"""Config of `synth train qft|qpo`: ScaleQuest's question fine-tuning and preference optimisation.

Every key is typed and unknown keys are rejected; each field says in one line what it is for
and where its default comes from (the ScaleQuest paper, Ding et al. 2024, unless a comment
says otherwise); each section's `check()` adds what types alone cannot express.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Dict, List, Optional

from omegaconf import MISSING

from synth.config.common import (
    DATA_FILE_SUFFIXES,
    PackagedSeeds,
    PipelineBase,
    SamplingConfig,
    check_checkpoint_directory,
)
from synth.config.sections import Section, need, need_placeholders

SOLVABILITY_PROMPT = (
    "Please act as a professional math teacher. Your goal is to create high-quality math word "
    "problems that help students learn math. You will be given a math question.\n"
    "Rewrite this question to be more solvable: make sure every quantity it needs is given, "
    "nothing contradicts, and it asks exactly one clear question with a single answer.\n"
    "Reply with the rewritten question only.\n\nQuestion: {question}"
)  # after the paper's solvability-optimisation prompt (paraphrased); {question} is replaced

DIFFICULTY_PROMPT = (
    "Please act as a professional math teacher. Your goal is to create high-quality math word "
    "problems that help students learn math. You will be given a math question.\n"
    "Rewrite this question to be more difficult: require more reasoning steps or one more "
    "concept, while keeping it solvable with a single answer.\n"
    "Reply with the rewritten question only.\n\nQuestion: {question}"
)  # after the paper's difficulty-optimisation prompt (paraphrased); {question} is replaced


@dataclass
class ChatTurnConfig(Section):
    """The generator's chat template around a user turn: what QFT texts and QPO prompts use."""

    prefix: str = MISSING  # user-turn prefix, e.g. "<|im_start|>user\n"; all the generator sees
    end_of_turn: str = "<|im_end|>"  # closes every question, so the tuned model learns to stop

    def check(self) -> None:
        need(bool(self.prefix), "prefix", "must not be empty", self.prefix)
        need(bool(self.end_of_turn), "end_of_turn", "must not be empty", self.end_of_turn)


@dataclass
class QuestionSourceConfig(Section):
    """The questions QFT learns from: packaged CHAMP or JSONL/Parquet files."""

    packaged: Optional[PackagedSeeds] = None  # champ: the champ-dataset package's 270 problems (offline)
    paths: List[str] = field(default_factory=list)  # JSONL/Parquet files, e.g. GSM8K + MATH train
    question_field: str = "question"  # field holding the question text (MATH files: problem)
    limit: Optional[int] = None  # first N questions only (after concatenating paths in order)

    def check(self) -> None:
        sources = [name for name in ("packaged", "paths") if getattr(self, name)]
        need(len(sources) == 1, "", "needs exactly one of packaged (champ), paths", sources or None)
        for index, path in enumerate(self.paths):
            need(Path(path).suffix in DATA_FILE_SUFFIXES, f"paths[{index}]",
                 "must be a .jsonl or .parquet file", path)
        need(self.limit is None or self.limit >= 1, "limit", "must be >= 1", self.limit)

    def files(self) -> list[tuple[str, str, str | None, list[str]]]:
        return [(f"paths[{index}]", path, None, [self.question_field])
                for index, path in enumerate(self.paths)]


@dataclass
class TrainScalingConfig(Section):
    """How Ray Train spreads one run: one CPU worker locally, N GPU workers on a cluster."""

    num_workers: int = 1  # data-parallel workers (one process and one model copy each)
    use_gpu: bool = False  # one GPU per worker; also turns on bf16 mixed precision
    # e.g. {CPU: 8, GPU: 1}; empty: Ray Train's default of 1 CPU (or 1 GPU) per worker
    resources_per_worker: Dict[str, float] = field(default_factory=dict)
    accelerator_type: Optional[str] = None  # e.g. A100: pins workers to that GPU type

    def check(self) -> None:
        need(self.num_workers >= 1, "num_workers", "must be >= 1", self.num_workers)
        need(all(amount >= 0 for amount in self.resources_per_worker.values()),
             "resources_per_worker", "amounts must be >= 0", dict(self.resources_per_worker))


class LrScheduler(StrEnum):
    """Learning-rate schedules transformers' Trainer offers by name."""

    linear = "linear"
    cosine = "cosine"
    cosine_with_restarts = "cosine_with_restarts"
    polynomial = "polynomial"
    constant = "constant"
    constant_with_warmup = "constant_with_warmup"


class DpoLossType(StrEnum):
    """TRL's DPO losses."""

    sigmoid = "sigmoid"
    hinge = "hinge"
    ipo = "ipo"
    robust = "robust"
    bco_pair = "bco_pair"
    sppo_hard = "sppo_hard"
    nca_pair = "nca_pair"
    exo_pair = "exo_pair"
    apo_zero = "apo_zero"
    apo_down = "apo_down"
    discopop = "discopop"
    sigmoid_norm = "sigmoid_norm"


class TrainerSettings(Section):
    """The hyper-parameter checks QFT's and QPO's settings share."""

    def check(self) -> None:
        need(self.num_epochs >= 1, "num_epochs", "must be >= 1", self.num_epochs)
        need(self.learning_rate > 0, "learning_rate", "must be > 0", self.learning_rate)
        need(0 <= self.warmup_ratio < 1, "warmup_ratio", "must be in [0, 1)", self.warmup_ratio)
        need(self.max_length >= 16, "max_length", "must be >= 16", self.max_length)
        need(self.per_device_batch_size >= 1, "per_device_batch_size", "must be >= 1",
             self.per_device_batch_size)
        need(self.gradient_accumulation_steps >= 1, "gradient_accumulation_steps",
             "must be >= 1", self.gradient_accumulation_steps)
        need(self.max_steps == -1 or self.max_steps >= 1, "max_steps",
             "must be -1 (full epochs) or >= 1", self.max_steps)
        need(self.logging_steps >= 1, "logging_steps", "must be >= 1", self.logging_steps)


@dataclass
class SFTSettings(TrainerSettings):
    """QFT hyper-parameters; TRL's SFTTrainer runs them."""

    num_epochs: int = 1  # paper: 1 epoch
    learning_rate: float = 2e-5  # paper: 2e-5
    lr_scheduler: LrScheduler = LrScheduler.cosine  # paper: cosine decay
    warmup_ratio: float = 0.03  # paper: 3% of steps warm up linearly
    max_length: int = 256  # paper: 256 tokens; with packing, the length of every packed block
    packing: bool = True  # paper: packing; several short questions share one block
    per_device_batch_size: int = 8  # packed blocks per worker per step
    gradient_accumulation_steps: int = 2  # global batch = workers x per-device batch x this
    max_steps: int = -1  # -1 trains num_epochs in full; CPU configs stop after a few steps
    gradient_checkpointing: bool = True  # recompute activations so a 7B model fits; off on CPU
    logging_steps: int = 10  # optimizer steps between loss lines
    # passed to TRL's SFTConfig unchanged: fsdp, fsdp_config, deepspeed, ...
    trainer_kwargs: Dict[str, Any] = field(default_factory=dict)


@dataclass
class DPOSettings(TrainerSettings):
    """QPO hyper-parameters; TRL's DPOTrainer runs them."""

    num_epochs: int = 1  # paper: 1 epoch
    learning_rate: float = 5e-7  # paper: 5e-7
    beta: float = 0.1  # paper: beta 0.1; how far the policy may move from the reference
    loss_type: DpoLossType = DpoLossType.sigmoid  # paper: the original DPO (sigmoid) loss
    lr_scheduler: LrScheduler = LrScheduler.linear  # paper: not stated; TRL's default
    warmup_ratio: float = 0.0  # paper: not stated; TRL's default
    max_length: int = 256  # prompt + question tokens; as QFT's length
    per_device_batch_size: int = 8  # pairs per worker per step
    gradient_accumulation_steps: int = 2  # paper: global batch 128 (8 GPUs x 8 x 2)
    max_steps: int = -1  # -1 trains num_epochs in full; CPU configs stop after a few steps
    gradient_checkpointing: bool = True  # recompute activations: a 7B policy + reference fit
    logging_steps: int = 10  # optimizer steps between loss lines
    # passed to TRL's DPOConfig unchanged: fsdp, fsdp_config, deepspeed, ...
    trainer_kwargs: Dict[str, Any] = field(default_factory=dict)

    def check(self) -> None:
        super().check()
        need(self.beta > 0, "beta", "must be > 0", self.beta)


@dataclass
class DraftQuestionsConfig(Section):
    """QPO step (a): the QFT generator writes K questions from the bare template prefix."""

    model: str = "generator"  # model role serving the QFT checkpoint
    num_questions: int = 64  # K questions to draft; paper: ~10K (gains flatten near 20K pairs)
    sampling: SamplingConfig = field(
        default_factory=lambda: SamplingConfig(temperature=1.0, top_p=0.99, max_tokens=512)
    )  # paper's generation setting

    role_fields: ClassVar[tuple[str, ...]] = ("model",)

    def check(self) -> None:
        need(self.num_questions >= 1, "num_questions", "must be >= 1", self.num_questions)


@dataclass
class RewriteConfig(Section):
    """QPO step (b): a stronger model rewrites each question toward one goal drawn per question."""

    model: str = "optimizer"  # model role that rewrites
    solvability_prompt: str = SOLVABILITY_PROMPT  # goal "solvability"; {question} is replaced
    difficulty_prompt: str = DIFFICULTY_PROMPT  # goal "difficulty"; {question} is replaced
    structured: bool = True  # decode the reply under its JSON schema where the engine can (llama_cpp, vllm, http)
    sampling: SamplingConfig = field(
        default_factory=lambda: SamplingConfig(temperature=0.7, top_p=0.95, max_tokens=512)
    )  # paper: not stated

    role_fields: ClassVar[tuple[str, ...]] = ("model",)

    def check(self) -> None:
        need_placeholders("solvability_prompt", self.solvability_prompt, "question")
        need_placeholders("difficulty_prompt", self.difficulty_prompt, "question")


@dataclass
class QFTConfig(PipelineBase):
    """`synth train qft`: supervised fine-tuning of a question generator on questions only."""

    pipeline: str = "qft"  # marks the file as a QFT training config
    # packaged name (smollm2-135m-instruct), a local HF checkpoint dir, or a hub id (GPU only)
    base_model: str = MISSING
    questions: QuestionSourceConfig = field(default_factory=QuestionSourceConfig)
    template: ChatTurnConfig = field(default_factory=ChatTurnConfig)
    train: SFTSettings = field(default_factory=SFTSettings)
    scaling: TrainScalingConfig = field(default_factory=TrainScalingConfig)
    output_dir: str = "${run.output_dir}/${run.name}/checkpoint"  # the trained HF checkpoint

    def check(self) -> None:
        check_checkpoint_directory("output_dir", self.output_dir)


@dataclass
class QPOConfig(PipelineBase):
    """`synth train qpo`: draft, rewrite, pair (rewrite > original) and DPO the QFT generator."""

    pipeline: str = "qpo"  # marks the file as a QPO training config
    template: ChatTurnConfig = field(default_factory=ChatTurnConfig)
    generate: DraftQuestionsConfig = field(default_factory=DraftQuestionsConfig)
    rewrite: RewriteConfig = field(default_factory=RewriteConfig)
    base_model: str = MISSING  # the QFT checkpoint dir: DPO's starting policy and its reference
    train: DPOSettings = field(default_factory=DPOSettings)
    scaling: TrainScalingConfig = field(default_factory=TrainScalingConfig)
    output_dir: str = "${run.output_dir}/${run.name}/checkpoint"  # the trained HF checkpoint

    def check(self) -> None:
        check_checkpoint_directory("output_dir", self.output_dir)
