"""`synth train`: the model-training steps of the methods (ScaleQuest's QFT and QPO); each is a
pipeline kind (synth/kinds/) whose entry is a module's `train(cfg) -> TrainingOutcome`:

    question_texts    questions -> `prefix + question + end_of_turn` texts (QFT data)
    qft               QFT: load questions, run `sft` on Ray Train
    sft               one worker's TRL SFTTrainer run
    rewrite_goals     seeded goal per question and the optimizer's rewrite request
    preference_pairs  (draft, rewrite) -> DPO pair, or the reason there is none
    qpo_pairs         draft -> rewrite -> pairs Parquet, through the engines on Ray Data
    qpo               QPO: build the pairs, run `dpo` on Ray Train
    dpo               one worker's TRL DPOTrainer run
    ray_train_runner  the Ray Train TorchTrainer wrapper both trainers run on
    base_models       packaged GGUF / checkpoint dir / hub id -> float32 model + tokenizer
"""

from __future__ import annotations

from typing import Callable

from omegaconf import DictConfig

from synth.kinds import Command, kind_named
from synth.training.ray_train_runner import TrainingOutcome


def trainer_for(kind: str) -> Callable[[DictConfig], TrainingOutcome]:
    """The `train(cfg)` function of training kind `kind`; imported only when asked for (it
    pulls in torch)."""
    found = kind_named(kind)
    if found.command != Command.train:
        raise ValueError(f"{kind} is not a training kind")
    return found.entry_point()
