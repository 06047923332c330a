"""A reward/classifier model served by vLLM through `ray.data.llm` (the production scorer).

ScaleQuest scores every response with internlm2-7b-reward. Here any sequence-scoring model vLLM
serves with a pooling runner works: the processor runs with `task_type` "classify" (a sequence
classification head, e.g. Skywork-Reward) or "score" (vLLM's reward pooler), on the
conversation [user: question, assistant: solution]. vLLM returns the pooled output as a vector
in the `embeddings` column; its last element is the reward (the only one for a one-label head,
the "correct" class for a two-label one, the final token's reward for a per-token reward model).

Only Ray is needed to build the processor: vLLM is imported on the GPU actors, so this module
imports and configures on a CPU-only machine.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from omegaconf import DictConfig
from ray.data import Dataset

from synth.engines.columns import ENGINE_CPU_COLUMN, ENGINE_GPU_COLUMN, ENGINE_NODE_COLUMN
from synth.engines.llm_rows import ORIGINAL_ROW, stash_row
from synth.engines.request_replay import PersistAnswered
from synth.rewards.base import REWARD, RewardScorer


def reward_request(row: dict[str, Any]) -> dict[str, Any]:
    """One processor input row: the candidate as a finished conversation, original row stashed."""
    messages = [{"role": "user", "content": row["question"]},
                {"role": "assistant", "content": row["solution"] or ""}]
    return {ORIGINAL_ROW: stash_row(row), "messages": messages}


def reward_value(pooled: Any) -> float | None:
    """The reward in a pooled output vector (its last element), or None when there is none."""
    if pooled is None:
        return None
    values = np.asarray(pooled, dtype=np.float64).reshape(-1)
    return float(values[-1]) if values.size else None


def reward_result(row: dict[str, Any]) -> dict[str, Any]:
    """Original row + `reward` (null for a failed request or a row without a solution) and
    `engine_error` (the failure, which keeps the reward out of the store: a rerun retries it)."""
    original = json.loads(row[ORIGINAL_ROW])
    error = row.get("__inference_error__")
    failed = bool(error) or not original.get("solution")
    return {**original, REWARD: None if failed else reward_value(row.get("embeddings")),
            "num_input_tokens": int(row.get("num_input_tokens") or 0),
            "engine_error": str(error) if error else None,
            ENGINE_CPU_COLUMN: 0.0, ENGINE_GPU_COLUMN: 0.0, ENGINE_NODE_COLUMN: None}


class RewardModelScorer(RewardScorer):
    """vLLM replicas with a pooling runner: `replicas: [min, max]` becomes the concurrency."""

    kind = "reward_model"

    def __init__(self, role: str, model_config: DictConfig, task_type: str) -> None:
        super().__init__(role, model_config)
        self.task_type = task_type

    @property
    def model_identity(self) -> str:
        return f"{super().model_identity}:{self.task_type}"

    def processor_config(self):
        """The `vLLMEngineProcessorConfig` for this role, with the chat template stage on."""
        from ray.data.llm import vLLMEngineProcessorConfig

        c = self.config
        engine_kwargs = {"max_model_len": c.context_length,
                         "tensor_parallel_size": c.tensor_parallel_size, **dict(c.engine_kwargs)}
        return vLLMEngineProcessorConfig(
            model_source=c.model,
            task_type=self.task_type,
            engine_kwargs=engine_kwargs,
            concurrency=tuple(c.replicas),
            batch_size=c.batch_size,
            accelerator_type=c.accelerator_type,
            should_continue_on_error=True,  # a bad row gets a null reward, not a dead job
            chat_template_stage=True,
            tokenize_stage=True,
            detokenize_stage=False,  # a pooling runner generates no tokens to detokenize
        )

    def _send(self, rows: Dataset) -> Dataset:
        from ray.data.llm import build_processor

        processor = build_processor(self.processor_config(), preprocess=reward_request)
        # vLLM's own actors cannot be asked to persist: the first map after them does.
        return processor(rows).map(reward_result).map_batches(
            PersistAnswered(self.request_store), batch_format="pyarrow")
