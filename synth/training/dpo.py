"""QPO step (d) on one Ray Train worker: TRL's DPOTrainer on the preference pairs.

The policy starts from the QFT checkpoint and a second, frozen copy of it is the reference
(loaded explicitly rather than from the policy's recorded name, which a GGUF-born or moved
checkpoint does not carry faithfully). Loss, beta and learning rate are the paper's by default:
sigmoid, 0.1, 5e-7.
"""

from __future__ import annotations

from typing import Any

from synth.training.base_models import load_causal_lm, load_tokenizer
from synth.training.ray_train_runner import train_and_save, trainer_arguments


def dpo_worker_loop(config: dict[str, Any]) -> dict[str, float]:
    """Train the policy on `config["pairs"]` (prompt, chosen, rejected) and save it."""
    from datasets import Dataset
    from trl import DPOConfig, DPOTrainer

    settings = config["settings"]
    args = DPOConfig(
        **trainer_arguments(settings, use_gpu=config["use_gpu"], output_dir=config["output_dir"],
                            seed=config["seed"]),
        beta=settings["beta"],
        loss_type=[settings["loss_type"]],
        max_length=settings["max_length"],
    )
    trainer = DPOTrainer(
        model=load_causal_lm(config["base_model"]),
        ref_model=load_causal_lm(config["base_model"]),
        args=args,
        train_dataset=Dataset.from_list(config["pairs"]),
        processing_class=load_tokenizer(config["base_model"]),
    )
    return train_and_save(trainer, config["output_dir"])
