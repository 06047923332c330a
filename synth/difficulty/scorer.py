"""Score questions with a trained difficulty checkpoint, in an autoscaling pool of actors.

Each actor loads the checkpoint once (`model` of the scorer's model role: the folder
`synth train difficulty` wrote) and adds a float `difficulty` column, the predicted fail rate
of the solver the scorer was trained on. Questions are truncated to the length the scorer was
trained with (its tokenizer remembers it). The scorer is a model role (model_role.py): scores
are persisted in the run's request store and a rerun replays them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
from omegaconf import DictConfig
from ray.data import Dataset

from synth.config.common import EngineKind
from synth.engines.model_role import ModelRole, ScoringWorker, on_model_replicas
from synth.engines.request_replay import RequestStore

DIFFICULTY = "difficulty"
DIFFICULTY_ANSWER = pa.schema([(DIFFICULTY, pa.float64())])


class DifficultyScorerWorker(ScoringWorker):
    """Holds one regression checkpoint on an actor."""

    def __init__(self, checkpoint: str, num_gpus: float, store: RequestStore | None = None) -> None:
        import torch

        from synth.difficulty.regression_head import load_regression_model

        super().__init__(DIFFICULTY_ANSWER, num_gpus, store)
        device = "cuda" if num_gpus > 0 and torch.cuda.is_available() else "cpu"
        self.tokenizer, self.model = load_regression_model(checkpoint)
        self.model.to(device).eval()

    def answers(self, batch: pa.Table) -> dict[str, list[Any]]:
        from synth.difficulty.regression_head import predict

        scores = predict(self.model, self.tokenizer, batch.column("question").to_pylist(),
                         self.tokenizer.model_max_length, batch_size=max(1, batch.num_rows))
        return {DIFFICULTY: scores}


class DifficultyScorer(ModelRole):
    """The difficulty filter's scorer for one model role (replicas, batch size, CPUs, GPUs)."""

    kind = "difficulty_scorer"
    request_columns = ("question",)
    answer_schema = DIFFICULTY_ANSWER

    @property
    def model_identity(self) -> str:
        """The checkpoint folder's path and its weights' modification time: retraining the
        scorer in place must not replay the old scores."""
        weights = sorted(Path(self.config.model).expanduser().glob("*.safetensors"))
        stamp = ",".join(f"{p.name}@{p.stat().st_mtime_ns}" for p in weights)
        return f"{super().model_identity}:{stamp}"

    def score(self, rows: Dataset) -> Dataset:
        """`rows` with a float `difficulty` column."""
        return self.answered(rows, self._send)

    def _send(self, rows: Dataset) -> Dataset:
        c = self.config
        return on_model_replicas(rows, DifficultyScorerWorker, c, checkpoint=c.model,
                                 num_gpus=c.num_gpus, store=self.request_store)


def build_difficulty_scorer(role: str, config: DictConfig) -> DifficultyScorer:
    """The scorer for model role `role`: its trained checkpoint, or its recorded difficulties
    when the role is `engine: replayed` (benchmarks and tests)."""
    if config.engine == EngineKind.replayed:
        from synth.engines.replayed_roles import ReplayedDifficultyScorer

        return ReplayedDifficultyScorer(role, config)
    return DifficultyScorer(role, config)
