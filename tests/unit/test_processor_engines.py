"""The vLLM engine builds a real `ray.data.llm` processor without vLLM installed, and its row
adapters keep the engine contract for good, failed and truncated rows; the HTTP engine reads
OpenAI-style bodies and never lets its key into error text."""

from __future__ import annotations

import importlib.util

import pytest
from omegaconf import OmegaConf

from synth.config.common import ModelConfig
from synth.engines import build_engine
from synth.engines.http_engine import completion_from_response, redact, retry_wait
from synth.engines.llm_rows import (
    ORIGINAL_ROW,
    vllm_request,
    vllm_result,
)

ROW = {"id": "q1", "messages": [{"role": "user", "content": "1+1?"}],
       "sampling_params": {"temperature": 0.7, "top_p": 0.95, "max_tokens": 8, "stop": [],
                           "seed": 3, "n": 1}}


def model_config(**fields):
    return OmegaConf.merge(OmegaConf.structured(ModelConfig), fields)


def test_synth_imports_without_vllm():
    if importlib.util.find_spec("vllm") is not None:
        pytest.skip("vLLM is installed here; this checks the CPU-only install")
    import synth.engines.vllm_engine  # noqa: F401  (the import itself is the test)


def test_vllm_processor_config_and_build(tmp_path):
    from ray.data.llm import build_processor

    # A local checkpoint path: a hub id would make Ray look the model up over the network.
    engine = build_engine("solver", model_config(
        engine="vllm", model=str(tmp_path), replicas=[2, 8], num_gpus=1,
        tensor_parallel_size=2, accelerator_type="A100", engine_kwargs={"gpu_memory_utilization": 0.9}))
    config = engine.processor_config(chat=True)
    assert config.concurrency == (2, 8)
    assert config.accelerator_type == "A100"
    assert config.engine_kwargs["tensor_parallel_size"] == 2
    assert config.engine_kwargs["enable_prefix_caching"] is True
    assert config.engine_kwargs["gpu_memory_utilization"] == 0.9
    assert config.should_continue_on_error
    processor = build_processor(config, preprocess=lambda row: vllm_request(row, chat=True))
    assert any("vLLM" in name for name in processor.list_stage_names())
    assert any("ChatTemplate" in name for name in processor.list_stage_names())
    raw = build_processor(engine.processor_config(chat=False))
    assert not any("ChatTemplate" in name for name in raw.list_stage_names())


def test_vllm_rows_round_trip():
    request = vllm_request(ROW, chat=True)
    assert request["sampling_params"] == {"temperature": 0.7, "top_p": 0.95, "max_tokens": 8,
                                          "stop": [], "seed": 3}
    ok = vllm_result({**request, "generated_text": "2", "num_input_tokens": 5,
                      "num_generated_tokens": 1})
    assert ok["id"] == "q1" and ok["generated_text"] == "2" and ok["finish_reason"] == "stop"
    assert ORIGINAL_ROW not in ok
    cut = vllm_result({**request, "generated_text": "long", "num_input_tokens": 5,
                       "num_generated_tokens": 8})
    assert cut["finish_reason"] == "length"
    failed = vllm_result({**request, "__inference_error__": "CUDA OOM"})
    assert failed["finish_reason"] == "error" and failed["engine_error"] == "CUDA OOM"
    assert failed["generated_text"] is None


def test_http_bodies_become_completions():
    ok = completion_from_response({"choices": [{"message": {"content": "2"}, "finish_reason": "stop"}],
                                   "usage": {"prompt_tokens": 9, "completion_tokens": 1}})
    assert (ok.text, ok.input_tokens, ok.output_tokens, ok.finish_reason) == ("2", 9, 1, "stop")
    raw = completion_from_response({"choices": [{"text": " 4", "finish_reason": "length"}]})
    assert (raw.text, raw.finish_reason) == (" 4", "length")
    broken = completion_from_response({"error": "model overloaded"})
    assert broken.finish_reason == "error" and "overloaded" in broken.error


def test_http_retry_waits_double_and_follow_retry_after():
    assert [retry_wait(attempt, None, 0.5) for attempt in range(4)] == [0.5, 1.0, 2.0, 4.0]
    assert retry_wait(0, "3", 0.5) == 3.0
    assert retry_wait(9, None, 1.0) == 30.0  # capped
    assert retry_wait(0, "soon", 0.5) == 0.5  # not a number of seconds: the doubling wait


def test_redaction_removes_every_copy_of_the_key():
    text = "HTTP 401: {'headers': {'Authorization': 'Bearer sk-123'}} sk-123"
    assert redact(text, "sk-123") == "HTTP 401: {'headers': {'Authorization': 'Bearer [redacted]'}} [redacted]"
    assert redact(text, None) == text
