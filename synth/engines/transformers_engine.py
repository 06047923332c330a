"""Hugging Face transformers engine: serves checkpoints synth itself fine-tunes (QFT/QPO).

A replica runs on GPU when `num_gpus > 0`, else on CPU. A packaged GGUF model name (e.g.
`smollm2-135m-instruct`) is loaded by transformers, dequantised to float32, so the CPU path
needs no model hub.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ray.data import Dataset

from synth.engines.base import (
    Completion,
    CompletionWorker,
    Engine,
    replica_guard,
)
from synth.engines.model_role import on_model_replicas
from synth.engines.packaged_models import PACKAGED_GGUF_MODELS, packaged_gguf_path


def checkpoint_location(model: str) -> dict[str, str]:
    """`from_pretrained` arguments for a packaged GGUF name or a checkpoint directory."""
    if model in PACKAGED_GGUF_MODELS:
        gguf = packaged_gguf_path(model)
        return {"pretrained_model_name_or_path": str(gguf.parent), "gguf_file": gguf.name}
    return {"pretrained_model_name_or_path": str(Path(model).expanduser())}


class TransformersWorker(CompletionWorker):
    """Holds one transformers model and its tokenizer on the actor."""

    def __init__(self, model: str, chat: bool, num_gpus: float, **guard: Any) -> None:
        super().__init__(chat, **guard)
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.torch = torch
        self.num_gpus = num_gpus
        self.device = "cuda" if num_gpus > 0 and torch.cuda.is_available() else "cpu"
        location = checkpoint_location(model)
        self.tokenizer = AutoTokenizer.from_pretrained(**location)
        self.model = AutoModelForCausalLM.from_pretrained(**location).to(self.device).eval()

    def complete(self, row: dict[str, Any]) -> Completion:
        params = row["sampling_params"]
        if self.chat:
            text = self.tokenizer.apply_chat_template(row["messages"], tokenize=False,
                                                      add_generation_prompt=True)
        else:
            text = row["prompt"]
        inputs = self.tokenizer(text, return_tensors="pt", add_special_tokens=False).to(self.device)
        self.torch.manual_seed(int(params["seed"]))
        sampled = params["temperature"] > 0
        stop = list(params["stop"] or [])
        with self.torch.no_grad():
            output = self.model.generate(
                **inputs,
                do_sample=sampled,
                temperature=params["temperature"] if sampled else None,
                top_p=params["top_p"] if sampled else None,
                max_new_tokens=params["max_tokens"],
                stop_strings=stop or None,
                tokenizer=self.tokenizer,
                pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id,
            )
        new_tokens = output[0, inputs["input_ids"].shape[1]:]
        generated = self.tokenizer.decode(new_tokens, skip_special_tokens=True)
        for marker in stop:  # transformers keeps the stop string; the contract drops it
            generated = generated.split(marker)[0]
        finish = "length" if len(new_tokens) >= params["max_tokens"] else "stop"
        return Completion(generated, int(inputs["input_ids"].shape[1]), len(new_tokens), finish)


class TransformersEngine(Engine):
    """An autoscaling pool of transformers actors."""

    def _complete(self, ds: Dataset, *, chat: bool) -> Dataset:
        c = self.config
        return on_model_replicas(ds, TransformersWorker, c, model=c.model, chat=chat,
                                 num_gpus=c.num_gpus, **replica_guard(c, self.request_store))
