"""vLLM and HTTP engines build real `ray.data.llm` processors without vLLM installed, and their
row adapters keep the engine contract for good, failed and truncated rows."""

from __future__ import annotations

import importlib.util
import json

import pytest
from omegaconf import OmegaConf

from synth.config.schema import ModelConfig
from synth.engines import build_engine
from synth.engines.llm_rows import (
    ORIGINAL_ROW,
    http_request,
    http_result,
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


def test_http_processor_config_routes_chat_and_raw_prompts(monkeypatch):
    monkeypatch.setenv("SYNTH_TEST_KEY", "sk-secret")
    engine = build_engine("judge", model_config(engine="http", model="m", url="http://127.0.0.1:9/v1/",
                                                api_key_env="SYNTH_TEST_KEY", qps=5))
    chat = engine.processor_config(chat=True)
    assert chat.url == "http://127.0.0.1:9/v1/chat/completions"
    assert chat.headers == {"Authorization": "Bearer sk-secret"}
    assert chat.qps == 5
    assert engine.processor_config(chat=False).url == "http://127.0.0.1:9/v1/completions"
    assert "sk-secret" not in engine.resource_plan()


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


def test_http_rows_round_trip():
    request = http_request(ROW, chat=True, model="smollm2")
    assert request["payload"]["messages"] == ROW["messages"]
    assert json.loads(request[ORIGINAL_ROW])["id"] == "q1"
    ok = http_result({**request, "http_response": {
        "choices": [{"message": {"content": "2"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 9, "completion_tokens": 1}}})
    assert (ok["generated_text"], ok["num_input_tokens"], ok["num_generated_tokens"]) == ("2", 9, 1)
    broken = http_result({**request, "http_response": {"error": "model overloaded"}})
    assert broken["finish_reason"] == "error" and "overloaded" in broken["engine_error"]
