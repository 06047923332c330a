"""ScaleQuest (`synth run`): questions from scratch -> filters -> solve -> vote -> final pairs."""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig

from synth.config.common import EngineKind
from synth.config.scalequest import RewardKeep, RewardKind, ScaleQuestPipelineConfig
from synth.kinds import register_kind
from synth.kinds.kind import Command, PipelineKind


def check_scalequest(cfg: DictConfig, typed: ScaleQuestPipelineConfig) -> None:
    """The vote needs enough samples; the scorer roles need what their kind loads."""
    from synth.config.validation import loads_with_transformers, require  # see KIND_MODULES

    solve, consensus, reward = typed.solve, typed.consensus, typed.reward
    votes_by_consensus = not (reward.enabled and reward.keep == RewardKeep.best)
    require(not votes_by_consensus or solve.num_samples >= consensus.min_votes,
            "consensus.min_votes", f"needs solve.num_samples >= {consensus.min_votes} "
            f"(it is {solve.num_samples}): no question could reach min_votes agreeing answers",
            consensus.min_votes)
    if typed.difficulty.enabled:
        role = typed.difficulty.model
        scorer = typed.models[role]
        require(scorer.engine == EngineKind.replayed or Path(scorer.model).expanduser().is_dir(),
                f"models.{role}.model",
                "must be the checkpoint directory `synth train difficulty` wrote", scorer.model)
    if reward.enabled:
        scorer = typed.models[reward.model]
        if reward.kind == RewardKind.generative_judge:
            require(scorer.engine == EngineKind.replayed or loads_with_transformers(scorer.model),
                    f"models.{reward.model}.model", "the generative judge loads with "
                    "transformers: use a packaged model name or a local checkpoint directory",
                    scorer.model)
        else:
            require(scorer.engine == EngineKind.vllm, f"models.{reward.model}.engine",
                    "reward_model runs through ray.data.llm's vLLM processor: use engine vllm",
                    scorer.engine)


register_kind(PipelineKind("scalequest", ScaleQuestPipelineConfig, Command.run,
                           "synth.pipelines.scalequest:build_scalequest", check_scalequest))
