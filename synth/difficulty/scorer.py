"""Score questions with a trained difficulty checkpoint, in an autoscaling pool of actors.

Each actor loads the checkpoint once (`model` of the scorer's model role: the folder
`synth train difficulty` wrote) and adds a float `difficulty` column, the predicted fail rate
of the solver the scorer was trained on. Questions are truncated to the length the scorer was
trained with (its tokenizer remembers it).
"""

from __future__ import annotations

import time

import pyarrow as pa
from omegaconf import DictConfig
from ray.data import Dataset

from synth.engines.base import ENGINE_CPU_COLUMN, ENGINE_GPU_COLUMN, on_model_replicas

DIFFICULTY = "difficulty"


class DifficultyScorerWorker:
    """Holds one regression checkpoint on an actor."""

    def __init__(self, checkpoint: str, num_gpus: float) -> None:
        import torch

        from synth.difficulty.regression_head import load_regression_model

        self.num_gpus = num_gpus
        device = "cuda" if num_gpus > 0 and torch.cuda.is_available() else "cpu"
        self.tokenizer, self.model = load_regression_model(checkpoint)
        self.model.to(device).eval()

    def __call__(self, batch: pa.Table) -> pa.Table:
        from synth.difficulty.regression_head import predict

        started_wall, started_cpu = time.perf_counter(), time.process_time()
        scores = predict(self.model, self.tokenizer, batch.column("question").to_pylist(),
                         self.tokenizer.model_max_length, batch_size=max(1, batch.num_rows))
        rows = max(1, batch.num_rows)
        cpu = (time.process_time() - started_cpu) / rows
        gpu = (time.perf_counter() - started_wall) * self.num_gpus / rows
        return (batch.append_column(DIFFICULTY, pa.array(scores, pa.float64()))
                .append_column(ENGINE_CPU_COLUMN, pa.array([cpu] * batch.num_rows, pa.float64()))
                .append_column(ENGINE_GPU_COLUMN, pa.array([gpu] * batch.num_rows, pa.float64())))


class DifficultyScorer:
    """The difficulty filter's scorer for one model role (replicas, batch size, CPUs, GPUs)."""

    def __init__(self, role: str, model_config: DictConfig) -> None:
        self.role = role
        self.model_config = model_config

    def score(self, rows: Dataset) -> Dataset:
        c = self.model_config
        return on_model_replicas(rows, DifficultyScorerWorker, c, checkpoint=c.model,
                                 num_gpus=c.num_gpus)

    def resource_plan(self) -> str:
        c = self.model_config
        low, high = c.replicas
        gpus = f", {c.num_gpus:g} GPU" if c.num_gpus else ""
        return (f"{self.role}: difficulty scorer {c.model}, replicas {low}..{high}, "
                f"{c.num_cpus:g} CPU{gpus} per replica")
