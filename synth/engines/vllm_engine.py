"""GPU engine: vLLM through a `ray.data.llm` processor (install with `pip install synth[gpu]`).

Building the processor needs only Ray; vLLM itself is imported on the GPU actors, so this
module imports and configures cleanly on a CPU-only machine.
"""

from __future__ import annotations

from functools import partial

from ray.data import Dataset

from synth.engines.base import Engine
from synth.engines.llm_rows import vllm_request, vllm_result
from synth.engines.request_replay import PersistAnswered


class VLLMEngine(Engine):
    """Autoscaling vLLM replicas: `replicas: [min, max]` becomes the processor's concurrency."""

    def processor_config(self, chat: bool):
        """The `vLLMEngineProcessorConfig` for this role; `chat` turns the template stage on."""
        from ray.data.llm import vLLMEngineProcessorConfig

        c = self.config
        engine_kwargs = {
            "enable_prefix_caching": c.enable_prefix_caching,
            "max_model_len": c.context_length,
            "tensor_parallel_size": c.tensor_parallel_size,
            **dict(c.engine_kwargs),
        }
        return vLLMEngineProcessorConfig(
            model_source=c.model,
            engine_kwargs=engine_kwargs,
            concurrency=tuple(c.replicas),
            batch_size=c.batch_size,
            accelerator_type=c.accelerator_type,
            should_continue_on_error=True,  # a bad row becomes an error row, not a dead job
            chat_template_stage=chat,
            tokenize_stage=True,
            detokenize_stage=True,
        )

    def _complete(self, ds: Dataset, *, chat: bool) -> Dataset:
        from ray.data.llm import build_processor

        processor = build_processor(self.processor_config(chat),
                                    preprocess=partial(vllm_request, chat=chat))
        # vLLM's own actors cannot be asked to persist: the first map after them does, batch
        # by batch, so a kill loses the batches in flight plus those not yet through it.
        return processor(ds).map(vllm_result).map_batches(PersistAnswered(self.request_store),
                                                          batch_format="pyarrow")
