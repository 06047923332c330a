"""QPO: question preference optimisation of the QFT generator (ScaleQuest).

    synth train qpo pipelines/qpo_cpu.yaml            # SmolLM2 QFT checkpoint, K=8, a few DPO steps
    synth train qpo pipelines/qpo.yaml                # ~10K pairs, N GPU workers

(a) the QFT generator drafts K questions from the bare template prefix; (b) an optimizer model
rewrites each toward solvability or difficulty (one goal drawn per question); (c) the pairs
(chosen = rewrite, rejected = draft, prompt = prefix) are written as Parquet — all three on
Ray Data through the engines (`qpo_pairs`); (d) DPO on Ray Train (`dpo`).
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from synth.engines import build_engine
from synth.run.directory import RunDirectory
from synth.run.storage import parquet_dataset, run_path
from synth.training.base_models import absolute_model_reference
from synth.training.dpo import dpo_worker_loop
from synth.training.qpo_pairs import build_preference_pairs
from synth.training.ray_train_runner import TrainingOutcome, fit_on_ray_train


class NoPreferencePairsError(RuntimeError):
    """Every drafted question failed to make a pair, so there is nothing to train on."""


def train(cfg: DictConfig) -> TrainingOutcome:
    """Run QPO as `cfg` (pipeline: qpo) says; returns where the pairs and the checkpoint went."""
    from synth.ray_session import start_ray

    run_dir = RunDirectory.for_config(cfg)
    output_dir = Path(cfg.output_dir).expanduser().resolve()
    start_ray(cfg.ray)
    generator = build_engine(cfg.generate.model, cfg.models[cfg.generate.model])
    optimizer = build_engine(cfg.rewrite.model, cfg.models[cfg.rewrite.model])
    report = build_preference_pairs(cfg, generator, optimizer, run_dir.qpo_pairs_dir)
    if report.num_pairs == 0:
        raise NoPreferencePairsError(f"QPO: none of {report.num_questions} questions made a "
                                     f"preference pair (failures: {report.failures})")
    pairs = parquet_dataset(run_path(report.pairs_dir)).to_table(
        columns=["prompt", "chosen", "rejected"]).to_pylist()
    loop_config = {
        "pairs": pairs,
        "base_model": absolute_model_reference(cfg.base_model),
        "settings": OmegaConf.to_container(cfg.train, resolve=True),
        "use_gpu": cfg.scaling.use_gpu,
        "output_dir": str(output_dir),
        "seed": cfg.run.seed,
    }
    metrics = fit_on_ray_train(dpo_worker_loop, loop_config, cfg.scaling,
                               storage_dir=run_dir.ray_train_dir, name="qpo")
    failed = ", ".join(f"{reason} {count}" for reason, count in sorted(report.failures.items()))
    where = (f"{report.pairs_dir} ({report.num_pairs} of {report.num_questions} questions; "
             f"failed: {failed or 'none'})")
    return TrainingOutcome(output_dir, {**metrics, "num_pairs": report.num_pairs}, {"pairs": where})
