"""QFT on one Ray Train worker: TRL's SFTTrainer on the question texts.

The texts are plain language-modelling examples (`text` column), so the loss covers the whole
`prefix + question + end_of_turn`; with packing, several short questions share one
`max_length` block and TRL's position ids keep them from attending to each other.
"""

from __future__ import annotations

from typing import Any

from synth.training.base_models import load_causal_lm, load_tokenizer
from synth.training.ray_train_runner import train_and_save, trainer_arguments


def sft_worker_loop(config: dict[str, Any]) -> dict[str, float]:
    """One Ray Train worker: TRL's SFTTrainer on the question texts (language-modelling format)."""
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    tokenizer = load_tokenizer(config["base_model"])
    settings = config["settings"]
    end_of_turn = config["end_of_turn"]
    args = SFTConfig(
        **trainer_arguments(settings, use_gpu=config["use_gpu"], output_dir=config["output_dir"],
                            seed=config["seed"]),
        dataset_text_field="text",
        max_length=settings["max_length"],
        packing=settings["packing"],
        # An end-of-turn token that is the EOS keeps TRL from appending a second end marker,
        # and the saved generation config then stops at the end of the user turn.
        eos_token=end_of_turn if end_of_turn in tokenizer.get_vocab() else None,
    )
    trainer = SFTTrainer(
        model=load_causal_lm(config["base_model"]),
        args=args,
        train_dataset=Dataset.from_dict({"text": config["texts"]}),
        processing_class=tokenizer,
    )
    return train_and_save(trainer, config["output_dir"])
