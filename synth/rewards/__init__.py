"""Reward scorers for best-of-N selection; the kind is chosen by config, not by the stage.

    scorer = build_reward_scorer(cfg.reward, cfg.models[cfg.reward.model])
    stages.append(RewardScoringStage(scorer))
"""

from __future__ import annotations

from omegaconf import DictConfig

from synth.config.common import EngineKind
from synth.config.scalequest import RewardKind
from synth.rewards.base import REWARD, RewardScorer


def build_reward_scorer(config: DictConfig, model_config: DictConfig) -> RewardScorer:
    """The scorer `config.kind` names, serving role `config.model` (or the role's recorded
    rewards, when it is `engine: replayed`); imports stay lazy."""
    if model_config.engine == EngineKind.replayed:
        from synth.engines.replayed_roles import ReplayedRewardScorer

        return ReplayedRewardScorer(config.model, model_config)
    if config.kind == RewardKind.generative_judge:
        from synth.rewards.generative_judge import GenerativeJudgeScorer

        return GenerativeJudgeScorer(config.model, model_config, config.prompt)
    if config.kind == RewardKind.reward_model:
        from synth.rewards.reward_model import RewardModelScorer

        return RewardModelScorer(config.model, model_config, config.task_type)
    raise ValueError(f"unknown reward kind {config.kind!r}")


__all__ = ["REWARD", "RewardScorer", "build_reward_scorer"]
