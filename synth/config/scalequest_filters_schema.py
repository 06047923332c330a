"""Config sections of ScaleQuest's model-based filters: solvability, difficulty, reward.

Each section is an OmegaConf structured dataclass with one line per field (what it is for and
why its default), plus a `validate_*` function for the checks types cannot express. Each check
raises `ConfigError("<key>: <what is wrong> (got <value>)")`, like `synth.config.validation`.

Training the difficulty scorer is its own command with its own file
(`DifficultyTrainingPipelineConfig`), because a pipeline that uses a scorer must name a
checkpoint that exists, while the training run is what creates it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Optional

from omegaconf import DictConfig

from synth.config.checks import (
    check_prompt,
    check_reply_mode,
    check_role,
    check_sampling,
    require,
)
from synth.config.schema import (
    DIFFICULTY_MODES,
    REWARD_KEEP,
    REWARD_KINDS,
    REWARD_TASK_TYPES,
    BenchmarkConfig,
    ModelConfig,
    RaySection,
    RunSection,
    SamplingConfig,
)
from synth.data_files import check_data_file
from synth.engines.packaged_models import PACKAGED_GGUF_MODELS

SOLVE_PROMPT = "{question}\nPlease reason step by step, and put your final answer within \\boxed{}."
PACKAGED_DIFFICULTY_SEEDS = ("champ",)


@dataclass
class DifficultyTrainingConfig:
    """Labels (solver fail rates on questions with known answers) and the regression head."""

    solver: str = "solver"  # model role sampled on the seeds; its failures define difficulty
    num_samples: int = 8  # k samples per seed; label = failed samples / k
    prompt: str = SOLVE_PROMPT  # {question} is replaced; the same prompt the pipeline solves with
    sampling: SamplingConfig = field(
        default_factory=lambda: SamplingConfig(temperature=0.7, top_p=0.95, max_tokens=2048)
    )  # the pipeline's solve settings, so labels measure the difficulty the solver will meet
    seeds: BenchmarkConfig = field(default_factory=lambda: BenchmarkConfig(
        name="seeds", split="train", answer_format="gsm8k"))  # train questions + known answers
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


@dataclass
class DifficultyTrainingPipelineConfig:
    """`synth train difficulty`: sample a solver on seeds, label fail rates, train the scorer."""

    pipeline: str = "difficulty"  # `synth train difficulty` checks this, like qft/qpo
    run: RunSection = field(default_factory=RunSection)
    ray: RaySection = field(default_factory=RaySection)
    models: Dict[str, ModelConfig] = field(default_factory=dict)  # role name -> engine + model
    train: DifficultyTrainingConfig = field(default_factory=DifficultyTrainingConfig)












def _loads_with_transformers(model: str) -> bool:
    return model in PACKAGED_GGUF_MODELS or Path(model).expanduser().is_dir()


def validate_solvability(section: DictConfig, models: DictConfig) -> None:
    """Checks of `solvability:`; call with the pipeline's `models:`."""
    if not section.enabled:
        return
    check_role("solvability.model", section.model, models)
    check_prompt("solvability.prompt", section.prompt, "question")
    check_sampling("solvability.sampling", section.sampling)
    if section.chat_template:
        check_prompt("solvability.chat_template", section.chat_template, "prompt")
    check_reply_mode("solvability", section, [models[section.model].engine])


def validate_difficulty(section: DictConfig, models: DictConfig) -> None:
    """Checks of `difficulty:`; the scorer role must point at a trained checkpoint directory."""
    if not section.enabled:
        return
    check_role("difficulty.model", section.model, models)
    scorer = models[section.model]
    require(scorer.engine == "replayed" or Path(scorer.model).expanduser().is_dir(),
             f"models.{section.model}.model",
             "must be the checkpoint directory `synth train difficulty` wrote", scorer.model)
    require(section.mode in DIFFICULTY_MODES, "difficulty.mode",
             f"must be one of {', '.join(DIFFICULTY_MODES)}", section.mode)
    edges = list(section.histogram_edges)
    shares = list(section.target_shares)
    if section.mode == "histogram":
        require(len(edges) >= 2 and all(a < b for a, b in zip(edges, edges[1:])),
                 "difficulty.histogram_edges", "must be >= 2 increasing edges", edges)
        require(len(shares) == len(edges) - 1, "difficulty.target_shares",
                 f"needs one share per bin ({len(edges) - 1})", shares)
        require(all(s >= 0 for s in shares) and sum(shares) > 0, "difficulty.target_shares",
                 "must be >= 0 with a positive sum", shares)


def validate_difficulty_training(cfg: DictConfig) -> None:
    """Checks of a `DifficultyTrainingPipelineConfig` (the `train:` section and its roles)."""
    train = cfg.train
    check_role("train.solver", train.solver, cfg.models)
    require(train.num_samples >= 1, "train.num_samples", "must be >= 1", train.num_samples)
    check_prompt("train.prompt", train.prompt, "question")
    check_sampling("train.sampling", train.sampling)
    seeds = train.seeds
    sources = [name for name in ("packaged", "path", "hf_dataset") if seeds[name]]
    require(len(sources) == 1, "train.seeds", "needs exactly one of packaged, path, hf_dataset",
             sources or None)
    if seeds.packaged:
        require(seeds.packaged in PACKAGED_DIFFICULTY_SEEDS, "train.seeds.packaged",
                 f"must be one of {', '.join(PACKAGED_DIFFICULTY_SEEDS)} (benchmark copies are "
                 "test sets)", seeds.packaged)
    if seeds.path:
        require(Path(seeds.path).expanduser().is_file(), "train.seeds.path", "file not found",
                 seeds.path)
    require(bool(seeds.answer_field), "train.seeds.answer_field",
             "labels need each seed's known answer", seeds.answer_field)
    if seeds.path:
        check_data_file("train.seeds", seeds.path, [seeds.question_field, seeds.answer_field])
    require(seeds.limit is None or seeds.limit >= 1, "train.seeds.limit", "must be >= 1",
             seeds.limit)
    require(train.comparison_timeout_s > 0, "train.comparison_timeout_s", "must be > 0",
             train.comparison_timeout_s)
    require(_loads_with_transformers(train.base_model), "train.base_model",
             "must be a packaged model name or a local Hugging Face checkpoint directory",
             train.base_model)
    for key in ("num_layers", "trainable_layers"):
        value = train[key]
        require(value is None or value >= (1 if key == "num_layers" else 0), f"train.{key}",
                 "must be null or a layer count", value)
    require(train.max_length >= 8, "train.max_length", "must be >= 8", train.max_length)
    require(train.epochs >= 1, "train.epochs", "must be >= 1", train.epochs)
    require(train.learning_rate > 0, "train.learning_rate", "must be > 0", train.learning_rate)
    require(train.batch_size >= 1, "train.batch_size", "must be >= 1", train.batch_size)
    require(0 <= train.holdout_fraction < 1, "train.holdout_fraction", "must be in [0, 1)",
             train.holdout_fraction)
    require(bool(train.output_dir), "train.output_dir", "must not be empty", train.output_dir)


def validate_reward(section: DictConfig, models: DictConfig) -> None:
    """Checks of `reward:`; the scorer kind decides which engines and models can serve it."""
    if not section.enabled:
        return
    require(section.kind in REWARD_KINDS, "reward.kind",
             f"must be one of {', '.join(REWARD_KINDS)}", section.kind)
    require(section.keep in REWARD_KEEP, "reward.keep",
             f"must be one of {', '.join(REWARD_KEEP)}", section.keep)
    check_role("reward.model", section.model, models)
    role = models[section.model]
    if section.kind == "generative_judge":
        check_prompt("reward.prompt", section.prompt, "question", "solution")
        require(role.engine == "replayed" or _loads_with_transformers(role.model),
                 f"models.{section.model}.model",
                 "the generative judge loads with transformers: use a packaged model name or a "
                 "local checkpoint directory", role.model)
    else:
        require(role.engine == "vllm", f"models.{section.model}.engine",
                 "reward_model runs through ray.data.llm's vLLM processor: use engine vllm",
                 role.engine)
        require(section.task_type in REWARD_TASK_TYPES, "reward.task_type",
                 f"must be one of {', '.join(REWARD_TASK_TYPES)}", section.task_type)
