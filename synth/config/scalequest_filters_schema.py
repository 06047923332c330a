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
from typing import Any, Dict, Optional

from omegaconf import DictConfig

from synth.config.errors import ConfigError
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
from synth.engines.packaged_models import PACKAGED_GGUF_MODELS
from synth.prompt_templates import placeholders_missing

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


def _fail(key: str, problem: str, value: Any) -> None:
    raise ConfigError(f"{key}: {problem} (got {value!r})")


def _require(condition: bool, key: str, problem: str, value: Any) -> None:
    if not condition:
        _fail(key, problem, value)


def _require_role(key: str, role: str, models: DictConfig) -> None:
    _require(role in models, key, f"names no role under models (have: {', '.join(models)})", role)


def _require_sampling(key: str, sampling: DictConfig) -> None:
    _require(sampling.temperature >= 0, f"{key}.temperature", "must be >= 0", sampling.temperature)
    _require(0 < sampling.top_p <= 1, f"{key}.top_p", "must be in (0, 1]", sampling.top_p)
    _require(sampling.max_tokens >= 1, f"{key}.max_tokens", "must be >= 1", sampling.max_tokens)


def _require_placeholders(key: str, template: str, *names: str) -> None:
    missing = placeholders_missing(template, *names)
    _require(not missing, key, f"must contain {', '.join('{' + n + '}' for n in missing)}",
             template[:60] + ("..." if len(template) > 60 else ""))


def _loads_with_transformers(model: str) -> bool:
    return model in PACKAGED_GGUF_MODELS or Path(model).expanduser().is_dir()


def validate_solvability(section: DictConfig, models: DictConfig) -> None:
    """Checks of `solvability:`; call with the pipeline's `models:`."""
    if not section.enabled:
        return
    _require_role("solvability.model", section.model, models)
    _require_placeholders("solvability.prompt", section.prompt, "question")
    _require_sampling("solvability.sampling", section.sampling)
    if section.chat_template:
        _require_placeholders("solvability.chat_template", section.chat_template, "prompt")


def validate_difficulty(section: DictConfig, models: DictConfig) -> None:
    """Checks of `difficulty:`; the scorer role must point at a trained checkpoint directory."""
    if not section.enabled:
        return
    _require_role("difficulty.model", section.model, models)
    scorer = models[section.model]
    _require(Path(scorer.model).expanduser().is_dir(), f"models.{section.model}.model",
             "must be the checkpoint directory `synth train difficulty` wrote", scorer.model)
    _require(section.mode in DIFFICULTY_MODES, "difficulty.mode",
             f"must be one of {', '.join(DIFFICULTY_MODES)}", section.mode)
    edges = list(section.histogram_edges)
    shares = list(section.target_shares)
    if section.mode == "histogram":
        _require(len(edges) >= 2 and all(a < b for a, b in zip(edges, edges[1:])),
                 "difficulty.histogram_edges", "must be >= 2 increasing edges", edges)
        _require(len(shares) == len(edges) - 1, "difficulty.target_shares",
                 f"needs one share per bin ({len(edges) - 1})", shares)
        _require(all(s >= 0 for s in shares) and sum(shares) > 0, "difficulty.target_shares",
                 "must be >= 0 with a positive sum", shares)


def validate_difficulty_training(cfg: DictConfig) -> None:
    """Checks of a `DifficultyTrainingPipelineConfig` (the `train:` section and its roles)."""
    train = cfg.train
    _require_role("train.solver", train.solver, cfg.models)
    _require(train.num_samples >= 1, "train.num_samples", "must be >= 1", train.num_samples)
    _require_placeholders("train.prompt", train.prompt, "question")
    _require_sampling("train.sampling", train.sampling)
    seeds = train.seeds
    sources = [name for name in ("packaged", "path", "hf_dataset") if seeds[name]]
    _require(len(sources) == 1, "train.seeds", "needs exactly one of packaged, path, hf_dataset",
             sources or None)
    if seeds.packaged:
        _require(seeds.packaged in PACKAGED_DIFFICULTY_SEEDS, "train.seeds.packaged",
                 f"must be one of {', '.join(PACKAGED_DIFFICULTY_SEEDS)} (benchmark copies are "
                 "test sets)", seeds.packaged)
    if seeds.path:
        _require(Path(seeds.path).expanduser().is_file(), "train.seeds.path", "file not found",
                 seeds.path)
    _require(bool(seeds.answer_field), "train.seeds.answer_field",
             "labels need each seed's known answer", seeds.answer_field)
    _require(seeds.limit is None or seeds.limit >= 1, "train.seeds.limit", "must be >= 1",
             seeds.limit)
    _require(train.comparison_timeout_s > 0, "train.comparison_timeout_s", "must be > 0",
             train.comparison_timeout_s)
    _require(_loads_with_transformers(train.base_model), "train.base_model",
             "must be a packaged model name or a local Hugging Face checkpoint directory",
             train.base_model)
    for key in ("num_layers", "trainable_layers"):
        value = train[key]
        _require(value is None or value >= (1 if key == "num_layers" else 0), f"train.{key}",
                 "must be null or a layer count", value)
    _require(train.max_length >= 8, "train.max_length", "must be >= 8", train.max_length)
    _require(train.epochs >= 1, "train.epochs", "must be >= 1", train.epochs)
    _require(train.learning_rate > 0, "train.learning_rate", "must be > 0", train.learning_rate)
    _require(train.batch_size >= 1, "train.batch_size", "must be >= 1", train.batch_size)
    _require(0 <= train.holdout_fraction < 1, "train.holdout_fraction", "must be in [0, 1)",
             train.holdout_fraction)
    _require(bool(train.output_dir), "train.output_dir", "must not be empty", train.output_dir)


def validate_reward(section: DictConfig, models: DictConfig) -> None:
    """Checks of `reward:`; the scorer kind decides which engines and models can serve it."""
    if not section.enabled:
        return
    _require(section.kind in REWARD_KINDS, "reward.kind",
             f"must be one of {', '.join(REWARD_KINDS)}", section.kind)
    _require(section.keep in REWARD_KEEP, "reward.keep",
             f"must be one of {', '.join(REWARD_KEEP)}", section.keep)
    _require_role("reward.model", section.model, models)
    role = models[section.model]
    if section.kind == "generative_judge":
        _require_placeholders("reward.prompt", section.prompt, "question", "solution")
        _require(_loads_with_transformers(role.model), f"models.{section.model}.model",
                 "the generative judge loads with transformers: use a packaged model name or a "
                 "local checkpoint directory", role.model)
    else:
        _require(role.engine == "vllm", f"models.{section.model}.engine",
                 "reward_model runs through ray.data.llm's vLLM processor: use engine vllm",
                 role.engine)
        _require(section.task_type in REWARD_TASK_TYPES, "reward.task_type",
                 f"must be one of {', '.join(REWARD_TASK_TYPES)}", section.task_type)
