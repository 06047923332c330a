"""The ScaleQuest-style stage plan, built straight-line from its config section by section.

    generate_questions -> language_filter -> dedup -> decontaminate [-> solvability_filter]
      [-> difficulty_filter] -> solve [-> reward_scoring] -> best_of_n | consensus -> final_pairs

The question filters run before the solver spends tokens on a question (cheapest first).
With `reward.keep: best` the highest-reward answered sample is kept (the paper); otherwise the
consensus vote decides and rewards only pick among the majority.
"""

from __future__ import annotations

from omegaconf import DictConfig

from synth.difficulty.scorer import build_difficulty_scorer
from synth.engines import build_engine
from synth.pipelines.provenance import model_provenance, settings_json
from synth.rewards import build_reward_scorer
from synth.stages.base import Stage
from synth.stages.consensus import ConsensusStage
from synth.stages.decontaminate import DecontaminationStage
from synth.stages.deduplicate import DeduplicateStage
from synth.stages.difficulty_filter import DifficultyFilter
from synth.stages.final_pairs import FinalPairsStage
from synth.stages.generate_questions import QuestionGenerationStage
from synth.stages.language_filter import LanguageFilter
from synth.stages.reward_scoring import BestOfNStage, RewardScoringStage
from synth.stages.solvability_filter import SolvabilityFilter
from synth.stages.solve_questions import SolveStage


def build_scalequest(cfg: DictConfig) -> list[Stage]:
    """The ordered stages of a `pipeline: scalequest` config."""
    seed = cfg.run.seed
    generator = build_engine(cfg.generate.model, cfg.models[cfg.generate.model])
    solver = build_engine(cfg.solve.model, cfg.models[cfg.solve.model])
    stages: list[Stage] = [QuestionGenerationStage(cfg.generate, generator, seed)]
    if cfg.language_filter.enabled:
        stages.append(LanguageFilter(cfg.language_filter))
    if cfg.dedup.enabled:
        stages.append(DeduplicateStage(cfg.dedup))
    if cfg.decontamination.enabled:
        stages.append(DecontaminationStage(cfg.decontamination))
    if cfg.solvability.enabled:
        judge = build_engine(cfg.solvability.model, cfg.models[cfg.solvability.model])
        stages.append(SolvabilityFilter(cfg.solvability, judge, seed))
    if cfg.difficulty.enabled:
        scorer = build_difficulty_scorer(cfg.difficulty.model, cfg.models[cfg.difficulty.model])
        stages.append(DifficultyFilter(cfg.difficulty, scorer, seed))
    stages.append(SolveStage(cfg.solve, solver, seed))
    if cfg.reward.enabled:
        stages.append(RewardScoringStage(build_reward_scorer(cfg.reward,
                                                             cfg.models[cfg.reward.model])))
    if cfg.reward.enabled and cfg.reward.keep == "best":
        stages.append(BestOfNStage())
    else:
        stages.append(ConsensusStage(cfg.consensus, cfg.solve.num_samples))
    stages.append(FinalPairsStage("scalequest", _provenance(cfg)))
    return stages


def _provenance(cfg: DictConfig) -> dict[str, object]:
    """The run-wide provenance every final row carries."""
    return {"generator": model_provenance(cfg, cfg.generate.model),
            "solver": model_provenance(cfg, cfg.solve.model),
            "generation_sampling": settings_json(cfg.generate.sampling),
            "solve_sampling": settings_json(cfg.solve.sampling), "num_samples": cfg.solve.num_samples,
            "min_agreement": cfg.consensus.min_agreement, "run_seed": cfg.run.seed}
