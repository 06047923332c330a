"""ScaleQuest's difficulty scorer: fail-rate labels, a regression head, and batch scoring.

    build_difficulty_labels(cfg)   # sample a solver k times per seed -> labels/ (Parquet)
    train_difficulty_scorer(cfg)   # labels -> checkpoint/ (HF) + metrics.json
    DifficultyScorer(role, model_cfg).score(ds)   # adds `difficulty` (the filter stage uses it)
"""

from __future__ import annotations

from synth.difficulty.labels import build_difficulty_labels
from synth.difficulty.scorer import DifficultyScorer
from synth.difficulty.training import train_difficulty_scorer

__all__ = ["DifficultyScorer", "build_difficulty_labels", "train_difficulty_scorer"]
