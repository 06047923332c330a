"""Load a model to train: a packaged GGUF, a local Hugging Face checkpoint, or a hub id.

The packaged SmolLM2 GGUF is unpacked by transformers into a plain float32 model, so the CPU
training loop needs no model hub. Weights are always float32: on GPU the trainer's bf16
autocast keeps them as master weights, which DPO's lr of 5e-7 needs (a bf16 weight would
round most such updates away).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from synth.engines.transformers_engine import checkpoint_location


def load_causal_lm(model: str) -> Any:
    """A trainable float32 causal LM; GGUF weights are dequantised, not kept in blocks."""
    import torch
    from transformers import AutoModelForCausalLM, GgufConfig

    location = checkpoint_location(model)
    extra: dict[str, Any] = {}
    if "gguf_file" in location:
        # Without dequantize=True transformers keeps a GGUF quantizer on the model, which
        # refuses both training and save_pretrained.
        extra["quantization_config"] = GgufConfig(gguf_file=location["gguf_file"], dequantize=True)
    return AutoModelForCausalLM.from_pretrained(**location, dtype=torch.float32, **extra)


def load_tokenizer(model: str) -> Any:
    """The tokenizer saved next to the trained weights: engines load both as one checkpoint."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(**checkpoint_location(model))


def absolute_model_reference(model: str) -> str:
    """A local checkpoint dir as an absolute path (Ray workers need not share our cwd)."""
    path = Path(model).expanduser()
    return str(path.resolve()) if path.is_dir() else model
