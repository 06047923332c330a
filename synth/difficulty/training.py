"""`synth train difficulty CONFIG`: labels (if not there yet), then the regression head.

    train_difficulty_scorer(cfg)   # cfg: a DifficultyTrainingPipelineConfig (pipeline: difficulty)
    train(cfg)                     # the same, reported the way every `synth train` kind reports
    -> <output_dir>/labels/        fail-rate labels (Parquet), kept so retraining skips sampling
    -> <output_dir>/checkpoint/    the scorer, a standard HF checkpoint
    -> <output_dir>/metrics.json   loss per epoch, held-out Spearman correlation and MSE

A pipeline uses the scorer through a model role whose `model` is the checkpoint folder.
Training runs in the driver process (on its GPU when it has one): the labelled set is small.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pyarrow.parquet as pq
from omegaconf import DictConfig

from synth.difficulty.labels import build_difficulty_labels, labels_dir
from synth.difficulty.regression_head import predict, save_checkpoint, train_regression_head
from synth.engines.base import Engine
from synth.training.ray_train_runner import TrainingOutcome


def holdout_split(count: int, fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """(train indices, held-out indices) by a seeded shuffle: retrains hold out the same items."""
    order = list(range(count))
    random.Random(seed).shuffle(order)
    held = round(count * fraction)
    return sorted(order[held:]), sorted(order[:held])


def rank_correlation(predictions: list[float], labels: list[float]) -> float | None:
    """Spearman's rho, or None where it is undefined (fewer than 2 items or a constant side)."""
    from scipy.stats import spearmanr

    if len(labels) < 2:
        return None
    rho = spearmanr(predictions, labels).statistic
    return None if math.isnan(rho) else float(rho)


def train_difficulty_scorer(cfg: DictConfig, solver: Engine | None = None) -> Path:
    """Train the scorer `cfg.train` describes; returns its checkpoint folder.

    Labels are built first unless `<output_dir>/labels/` exists; `solver` replaces the
    configured solver engine for that step.
    """
    train = cfg.train
    output = Path(train.output_dir)
    labels = labels_dir(output)
    if not labels.is_dir():
        build_difficulty_labels(cfg, solver)
    table = pq.read_table(labels).sort_by("id")  # Ray writes rows in no fixed order
    questions = table.column("question").to_pylist()
    rates = table.column("fail_rate").to_pylist()
    train_rows, held_rows = holdout_split(len(questions), train.holdout_fraction, cfg.run.seed)
    tokenizer, model, losses = train_regression_head(
        [questions[i] for i in train_rows], [rates[i] for i in train_rows], train, cfg.run.seed)
    checkpoint = save_checkpoint(tokenizer, model, train.max_length, output / "checkpoint")
    held_labels = [rates[i] for i in held_rows]
    held_predictions = predict(model, tokenizer, [questions[i] for i in held_rows],
                               train.max_length, train.batch_size)
    metrics = {
        "train_items": len(train_rows), "holdout_items": len(held_rows),
        "epoch_losses": losses,
        "holdout_spearman": rank_correlation(held_predictions, held_labels),
        "holdout_mse": (sum((p - y) ** 2 for p, y in zip(held_predictions, held_labels))
                        / len(held_labels)) if held_labels else None,
    }
    (output / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return checkpoint


def train(cfg: DictConfig, solver: Engine | None = None) -> TrainingOutcome:
    """`synth train difficulty`: train the scorer; numbers the CLI prints, artefacts it names."""
    checkpoint = train_difficulty_scorer(cfg, solver)
    report = json.loads((checkpoint.parent / "metrics.json").read_text())
    metrics = {"final_train_loss": report["epoch_losses"][-1],
               **{key: float(report[key]) for key in ("train_items", "holdout_items",
                                                       "holdout_spearman", "holdout_mse")
                  if report[key] is not None}}
    outputs = {"labels": f"{labels_dir(cfg.train.output_dir)} (fail-rate labels, Parquet)",
               "metrics": f"{checkpoint.parent / 'metrics.json'} (losses, held-out Spearman)"}
    return TrainingOutcome(checkpoint_dir=checkpoint, metrics=metrics, outputs=outputs)
