"""`synth train difficulty`: fail-rate labels from a solver, then ScaleQuest's difficulty scorer."""

from __future__ import annotations

from omegaconf import DictConfig

from synth.config.difficulty_training import DifficultyTrainingPipelineConfig
from synth.kinds import register_kind
from synth.kinds.kind import Command, PipelineKind


def check_scorer_base(cfg: DictConfig, typed: DifficultyTrainingPipelineConfig) -> None:
    """The scorer is a transformers model: a packaged one or a local checkpoint."""
    from synth.config.validation import loads_with_transformers, require  # see KIND_MODULES

    require(loads_with_transformers(typed.train.base_model), "train.base_model",
            "must be a packaged model name or a local Hugging Face checkpoint directory",
            typed.train.base_model)


register_kind(PipelineKind("difficulty", DifficultyTrainingPipelineConfig, Command.train,
                           "synth.difficulty.training:train", check_scorer_base))
