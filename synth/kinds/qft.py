"""`synth train qft`: ScaleQuest's question fine-tuning of a generator."""

from __future__ import annotations

from omegaconf import DictConfig

from synth.config.training import QFTConfig, QPOConfig
from synth.kinds import register_kind
from synth.kinds.kind import Command, PipelineKind


def check_base_model(cfg: DictConfig, typed: QFTConfig | QPOConfig) -> None:
    """CPU runs have no model hub: only a packaged GGUF or a local checkpoint loads there."""
    from synth.config.validation import loads_with_transformers, require  # see KIND_MODULES

    model = typed.base_model
    is_local = loads_with_transformers(model)
    looks_like_hub_id = model.count("/") == 1 and not model.startswith((".", "/", "~"))
    require(is_local or (typed.scaling.use_gpu and looks_like_hub_id), "base_model",
            "must be a packaged model name, a local Hugging Face checkpoint directory, "
            "or (with scaling.use_gpu) a hub id", model)


register_kind(PipelineKind("qft", QFTConfig, Command.train, "synth.training.qft:train",
                           check_base_model))
