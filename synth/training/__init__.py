"""`synth train`: the model-training steps of the methods (ScaleQuest's QFT and QPO).

Each kind is a module with `train(cfg) -> TrainingOutcome` and a config schema of the same
`pipeline:` name. Adding a trainer is one line here plus its schema:

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

import importlib
from typing import Callable

from omegaconf import DictConfig

from synth.training.ray_train_runner import TrainingOutcome

# Training kind (`synth train KIND`, the config's `pipeline:`) -> module exposing `train(cfg)`.
TRAINERS: dict[str, str] = {
    "qft": "synth.training.qft",
    "qpo": "synth.training.qpo",
    "difficulty": "synth.difficulty.training",
}


def trainer_for(kind: str) -> Callable[[DictConfig], TrainingOutcome]:
    """The `train(cfg)` function of `kind`; imported only when asked for (it pulls in torch)."""
    return importlib.import_module(TRAINERS[kind]).train
