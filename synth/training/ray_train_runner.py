"""Run a TRL trainer on Ray Train: one CPU worker locally, N GPU workers on a cluster.

`TorchTrainer` starts `scaling.num_workers` worker processes and joins them in one
torch.distributed group (gloo on CPU, NCCL on GPU) with RANK / LOCAL_RANK / WORLD_SIZE set in
each worker's environment. The Hugging Face Trainer inside TRL picks that group up through
accelerate, so DDP — or FSDP / DeepSpeed named in `train.trainer_kwargs` — needs no launcher:
the same config trains on a laptop and on a GPU cluster.

Every worker receives the full (small: ~15K questions, ~10K pairs in the paper) list of
training records in its loop config; TRL tokenises and packs them and accelerate's sampler
gives each rank its share. At the end every rank calls `save_model` (FSDP and DeepSpeed
gather the weights there) and the main process writes one standard Hugging Face checkpoint
(config.json, model.safetensors, tokenizer files) that the `transformers` and `vllm` engines
serve. On a multi-node cluster `output_dir` must live on storage every node sees, as Ray
Train's own `storage_path` must.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from omegaconf import DictConfig

from synth.run.storage import storage_location


@dataclass(frozen=True)
class TrainingOutcome:
    """What a `synth train` run leaves behind."""

    checkpoint_dir: Path  # the Hugging Face checkpoint the run wrote
    metrics: dict[str, float]  # rank 0's final train_loss, global_step, train_runtime, ...
    outputs: dict[str, str] = field(default_factory=dict)  # other artifacts: name -> "where (what)"


def fit_on_ray_train(worker_loop: Callable[[dict[str, Any]], dict[str, float]],
                     loop_config: dict[str, Any], scaling: DictConfig, *, storage_dir: Path,
                     name: str) -> dict[str, float]:
    """Run `worker_loop(loop_config)` on every Ray Train worker; return what rank 0 returned."""
    from ray.train import RunConfig, ScalingConfig
    from ray.train.torch import TorchTrainer

    # Ray Train patches `print` in its workers, which defeats dill's stdout capture when
    # `datasets` fingerprints TRL's map functions: every fingerprint would dump bytecode into
    # the log. The driver's setting is propagated to the workers.
    os.environ.setdefault("RAY_TRAIN_ENABLE_PRINT_PATCH", "0")
    trainer = TorchTrainer(
        worker_loop,
        train_loop_config=loop_config,
        scaling_config=ScalingConfig(
            num_workers=scaling.num_workers,
            use_gpu=scaling.use_gpu,
            resources_per_worker=dict(scaling.resources_per_worker) or None,
            accelerator_type=scaling.accelerator_type,
        ),
        run_config=RunConfig(name=name, storage_path=storage_location(storage_dir)),
    )
    return dict(trainer.fit().return_value or {})


def trainer_arguments(settings: dict[str, Any], *, use_gpu: bool, output_dir: str,
                      seed: int) -> dict[str, Any]:
    """TrainingArguments shared by QFT and QPO, from a `train:` section turned into a dict."""
    return {
        "output_dir": output_dir,
        "num_train_epochs": settings["num_epochs"],
        "max_steps": settings["max_steps"],
        "learning_rate": settings["learning_rate"],
        "lr_scheduler_type": settings["lr_scheduler"],
        "warmup_steps": settings["warmup_ratio"],  # transformers 5: a float below 1 is a ratio
        "per_device_train_batch_size": settings["per_device_batch_size"],
        "gradient_accumulation_steps": settings["gradient_accumulation_steps"],
        "activation_checkpointing": settings["gradient_checkpointing"],  # transformers 5 name
        "logging_steps": settings["logging_steps"],
        "seed": seed,
        "use_cpu": not use_gpu,
        "bf16": use_gpu,  # autocast on GPU; TRL defaults it on for CPU too, where fp32 is faster
        "save_strategy": "no",  # one checkpoint, written at the end by `train_and_save`
        "report_to": "none",  # the final metrics travel back as the worker's return value
        "ddp_find_unused_parameters": False,  # a causal LM uses every parameter in each step
        **settings["trainer_kwargs"],
    }


def train_and_save(trainer: Any, output_dir: str) -> dict[str, float]:
    """Train, write the HF checkpoint, return the final metrics (rank 0's reach the driver)."""
    result = trainer.train()
    trainer.model.config.use_cache = True  # training switched the KV cache off; serving wants it
    trainer.save_model(output_dir)  # on every rank: FSDP/DeepSpeed gather; the main process writes
    return {**{key: float(value) for key, value in result.metrics.items()
               if isinstance(value, (int, float))},
            "train_loss": float(result.training_loss), "global_step": int(result.global_step)}
