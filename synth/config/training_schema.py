"""Structured configuration of `synth train`: ScaleQuest's QFT and QPO.

Same rules as `synth.config.schema`: every key is typed, unknown keys are rejected, each field
says in one line what it is for and where its default comes from (the ScaleQuest paper,
Ding et al. 2024, unless a comment says otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from omegaconf import MISSING

from synth.config.schema import ModelConfig, RaySection, RunSection, SamplingConfig

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
class ChatTurnConfig:
    """The generator's chat template around a user turn: what QFT texts and QPO prompts use."""

    prefix: str = MISSING  # user-turn prefix, e.g. "<|im_start|>user\n"; all the generator sees
    end_of_turn: str = "<|im_end|>"  # closes every question, so the tuned model learns to stop


@dataclass
class QuestionSourceConfig:
    """The questions QFT learns from: packaged CHAMP or JSONL/Parquet files."""

    packaged: Optional[str] = None  # champ: the champ-dataset package's 270 problems (offline)
    paths: List[str] = field(default_factory=list)  # JSONL/Parquet files, e.g. GSM8K + MATH train
    question_field: str = "question"  # field holding the question text (MATH files: problem)
    limit: Optional[int] = None  # first N questions only (after concatenating paths in order)


@dataclass
class TrainScalingConfig:
    """How Ray Train spreads one run: one CPU worker locally, N GPU workers on a cluster."""

    num_workers: int = 1  # data-parallel workers (one process and one model copy each)
    use_gpu: bool = False  # one GPU per worker; also turns on bf16 mixed precision
    # e.g. {CPU: 8, GPU: 1}; empty: Ray Train's default of 1 CPU (or 1 GPU) per worker
    resources_per_worker: Dict[str, float] = field(default_factory=dict)
    accelerator_type: Optional[str] = None  # e.g. A100: pins workers to that GPU type


@dataclass
class SFTSettings:
    """QFT hyper-parameters; TRL's SFTTrainer runs them."""

    num_epochs: int = 1  # paper: 1 epoch
    learning_rate: float = 2e-5  # paper: 2e-5
    lr_scheduler: str = "cosine"  # paper: cosine decay
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
class DPOSettings:
    """QPO hyper-parameters; TRL's DPOTrainer runs them."""

    num_epochs: int = 1  # paper: 1 epoch
    learning_rate: float = 5e-7  # paper: 5e-7
    beta: float = 0.1  # paper: beta 0.1; how far the policy may move from the reference
    loss_type: str = "sigmoid"  # paper: the original DPO (sigmoid) loss
    lr_scheduler: str = "linear"  # paper: not stated; TRL's default
    warmup_ratio: float = 0.0  # paper: not stated; TRL's default
    max_length: int = 256  # prompt + question tokens; as QFT's length
    per_device_batch_size: int = 8  # pairs per worker per step
    gradient_accumulation_steps: int = 2  # paper: global batch 128 (8 GPUs x 8 x 2)
    max_steps: int = -1  # -1 trains num_epochs in full; CPU configs stop after a few steps
    gradient_checkpointing: bool = True  # recompute activations: a 7B policy + reference fit
    logging_steps: int = 10  # optimizer steps between loss lines
    # passed to TRL's DPOConfig unchanged: fsdp, fsdp_config, deepspeed, ...
    trainer_kwargs: Dict[str, Any] = field(default_factory=dict)


@dataclass
class DraftQuestionsConfig:
    """QPO step (a): the QFT generator writes K questions from the bare template prefix."""

    model: str = "generator"  # model role serving the QFT checkpoint
    num_questions: int = 64  # K questions to draft; paper: ~10K (gains flatten near 20K pairs)
    sampling: SamplingConfig = field(
        default_factory=lambda: SamplingConfig(temperature=1.0, top_p=0.99, max_tokens=512)
    )  # paper's generation setting


@dataclass
class RewriteConfig:
    """QPO step (b): a stronger model rewrites each question toward one goal drawn per question."""

    model: str = "optimizer"  # model role that rewrites
    solvability_prompt: str = SOLVABILITY_PROMPT  # goal "solvability"; {question} is replaced
    difficulty_prompt: str = DIFFICULTY_PROMPT  # goal "difficulty"; {question} is replaced
    structured: bool = True  # decode the reply under its JSON schema where the engine can (llama_cpp, vllm, http)
    sampling: SamplingConfig = field(
        default_factory=lambda: SamplingConfig(temperature=0.7, top_p=0.95, max_tokens=512)
    )  # paper: not stated


@dataclass
class QFTConfig:
    """`synth train qft`: supervised fine-tuning of a question generator on questions only."""

    pipeline: str = "qft"  # marks the file as a QFT training config
    run: RunSection = field(default_factory=RunSection)
    ray: RaySection = field(default_factory=RaySection)
    # packaged name (smollm2-135m-instruct), a local HF checkpoint dir, or a hub id (GPU only)
    base_model: str = MISSING
    questions: QuestionSourceConfig = field(default_factory=QuestionSourceConfig)
    template: ChatTurnConfig = field(default_factory=ChatTurnConfig)
    train: SFTSettings = field(default_factory=SFTSettings)
    scaling: TrainScalingConfig = field(default_factory=TrainScalingConfig)
    output_dir: str = "${run.output_dir}/${run.name}/checkpoint"  # the trained HF checkpoint


@dataclass
class QPOConfig:
    """`synth train qpo`: draft, rewrite, pair (rewrite > original) and DPO the QFT generator."""

    pipeline: str = "qpo"  # marks the file as a QPO training config
    run: RunSection = field(default_factory=RunSection)
    ray: RaySection = field(default_factory=RaySection)
    models: Dict[str, ModelConfig] = field(default_factory=dict)  # generator + optimizer roles
    template: ChatTurnConfig = field(default_factory=ChatTurnConfig)
    generate: DraftQuestionsConfig = field(default_factory=DraftQuestionsConfig)
    rewrite: RewriteConfig = field(default_factory=RewriteConfig)
    base_model: str = MISSING  # the QFT checkpoint dir: DPO's starting policy and its reference
    train: DPOSettings = field(default_factory=DPOSettings)
    scaling: TrainScalingConfig = field(default_factory=TrainScalingConfig)
    output_dir: str = "${run.output_dir}/${run.name}/checkpoint"  # the trained HF checkpoint
