"""The ScaleQuest-style stage plan, built straight-line from its config section by section.

    generate_questions -> language_filter -> dedup -> decontaminate [-> solvability_filter]
      [-> difficulty_filter] -> solve [-> reward_scoring] -> best_of_n | consensus -> final_pairs

The question filters run before the solver spends tokens on a question (cheapest first).
With `reward.keep: best` the highest-reward answered sample is kept (the paper); otherwise the
consensus vote decides and rewards only pick among the majority.
"""

from __future__ import annotations

from omegaconf import DictConfig, OmegaConf

from synth.config.scalequest import RewardKeep, ScaleQuestPipelineConfig
from synth.difficulty.scorer import build_difficulty_scorer
from synth.engines import build_engine
from synth.pipelines.provenance import model_provenance, settings_json
from synth.rewards import build_reward_scorer
from synth.stages.base import Stage
from synth.stages.consensus import ConsensusStage
from synth.stages.decontaminate import DecontaminateStage
from synth.stages.dedup import DedupStage
from synth.stages.difficulty_filter import DifficultyFilter
from synth.stages.final_pairs import FinalPairsStage
from synth.stages.generate_questions import GenerateQuestionsStage
from synth.stages.language_filter import LanguageFilter
from synth.stages.reward_scoring import BestOfNStage, RewardScoringStage
from synth.stages.solvability_filter import SolvabilityFilter
from synth.stages.solve import SolveStage


def build_scalequest(cfg: DictConfig) -> list[Stage]:
    """The ordered stages of a `pipeline: scalequest` config; each stage gets its section as
    the schema's dataclass, each model role its DictConfig."""
    typed: ScaleQuestPipelineConfig = OmegaConf.to_object(cfg)
    seed = typed.run.seed
    models = cfg.models
    generator = build_engine(typed.generate.model, models[typed.generate.model])
    solver = build_engine(typed.solve.model, models[typed.solve.model])
    stages: list[Stage] = [GenerateQuestionsStage(typed.generate, generator, seed)]
    if typed.language_filter.enabled:
        stages.append(LanguageFilter(typed.language_filter))
    if typed.dedup.enabled:
        stages.append(DedupStage(typed.dedup))
    if typed.decontamination.enabled:
        stages.append(DecontaminateStage(typed.decontamination))
    if typed.solvability.enabled:
        judge = build_engine(typed.solvability.model, models[typed.solvability.model])
        stages.append(SolvabilityFilter(typed.solvability, judge, seed))
    if typed.difficulty.enabled:
        scorer = build_difficulty_scorer(typed.difficulty.model, models[typed.difficulty.model])
        stages.append(DifficultyFilter(typed.difficulty, scorer, seed))
    stages.append(SolveStage(typed.solve, solver, seed))
    if typed.reward.enabled:
        stages.append(RewardScoringStage(build_reward_scorer(typed.reward,
                                                             models[typed.reward.model])))
    if typed.reward.enabled and typed.reward.keep == RewardKeep.best:
        stages.append(BestOfNStage())
    else:
        stages.append(ConsensusStage(typed.consensus, typed.solve.num_samples))
    stages.append(FinalPairsStage("scalequest", _provenance(typed)))
    return stages


def _provenance(cfg: ScaleQuestPipelineConfig) -> dict[str, object]:
    """The run-wide provenance every final row carries."""
    return {"generator": model_provenance(cfg, cfg.generate.model),
            "solver": model_provenance(cfg, cfg.solve.model),
            "generation_sampling": settings_json(cfg.generate.sampling),
            "solve_sampling": settings_json(cfg.solve.sampling), "num_samples": cfg.solve.num_samples,
            "min_agreement": cfg.consensus.min_agreement, "run_seed": cfg.run.seed}
