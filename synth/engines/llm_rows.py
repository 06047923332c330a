"""Row adapters between synth's engine contract and `ray.data.llm`'s vLLM processor.

A processor adds many columns of its own (token ids, metrics, ...) and lets failed rows bypass
postprocessing. So the request keeps the whole original row as JSON text in one column, and
after the processor one map rebuilds exactly: original row + the engine output columns. (JSON
text, not a nested struct: a nested struct column crashed the processor actors.)
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from synth.engines.columns import ENGINE_CPU_COLUMN, ENGINE_GPU_COLUMN, ENGINE_NODE_COLUMN
from synth.structured_replies import RESPONSE_SCHEMA, SCHEMA_DECODED

ORIGINAL_ROW = "__synth_row"
SAMPLING_KEYS = ("temperature", "top_p", "max_tokens", "stop", "seed")


def _plain(value: Any) -> Any:
    """JSON fallback for the numpy values Ray hands rows over with."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__} in a row")


def stash_row(row: dict[str, Any]) -> str:
    """The original row as JSON text, to ride through a processor untouched."""
    return json.dumps(row, default=_plain)


def engine_sampling(params: dict[str, Any]) -> dict[str, Any]:
    """The sampling keys an engine understands; `n` was already fanned out into rows."""
    chosen = {key: params[key] for key in SAMPLING_KEYS if params.get(key) is not None}
    chosen["stop"] = list(chosen.get("stop") or [])
    return chosen


def completion_columns(text: str | None, input_tokens: int, output_tokens: int,
                       finish_reason: str, error: str | None,
                       schema_decoded: bool | None = None) -> dict[str, Any]:
    """The engine output columns of one row (no measured cost: the processor owns the GPU)."""
    return {"generated_text": text, "num_input_tokens": int(input_tokens),
            "num_generated_tokens": int(output_tokens), "finish_reason": finish_reason,
            "engine_error": error, SCHEMA_DECODED: schema_decoded, ENGINE_CPU_COLUMN: 0.0,
            ENGINE_GPU_COLUMN: 0.0, ENGINE_NODE_COLUMN: None}


def finish_reason_from_length(output_tokens: int, max_tokens: int) -> str:
    """vLLM's processor reports no finish reason: hitting max_tokens means truncation."""
    return "length" if output_tokens >= max_tokens else "stop"


def vllm_request(row: dict[str, Any], chat: bool) -> dict[str, Any]:
    """One vLLM processor input row. A reply schema rides in the sampling parameters'
    `structured_outputs`, which the processor's engine stage turns into vLLM's
    `StructuredOutputsParams` (guided decoding): as JSON text, so rows keep one Arrow type."""
    sampling = engine_sampling(row["sampling_params"])
    if row.get(RESPONSE_SCHEMA):
        sampling["structured_outputs"] = {"json": row[RESPONSE_SCHEMA]}
    request = {ORIGINAL_ROW: stash_row(row), "sampling_params": sampling}
    request["messages" if chat else "prompt"] = row["messages" if chat else "prompt"]
    return request


def vllm_result(row: dict[str, Any]) -> dict[str, Any]:
    """Original row + engine columns, for a vLLM processor output row (failed or not)."""
    original = json.loads(row[ORIGINAL_ROW])
    error = row.get("__inference_error__") or None
    if error:
        return {**original, **completion_columns(None, 0, 0, "error", str(error))}
    output_tokens = int(row.get("num_generated_tokens") or 0)
    finish = finish_reason_from_length(output_tokens, original["sampling_params"]["max_tokens"])
    return {**original, **completion_columns(row.get("generated_text"),
                                             row.get("num_input_tokens") or 0, output_tokens,
                                             finish, None,
                                             True if original.get(RESPONSE_SCHEMA) else None)}
