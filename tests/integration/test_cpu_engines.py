"""The CPU engines with the real SmolLM2 model on a local Ray cluster, and the HTTP engine
against a real OpenAI-compatible llama.cpp server on loopback."""

from __future__ import annotations

import os

import pyarrow as pa
import ray
from omegaconf import OmegaConf

from synth.config.common import ModelConfig, SamplingConfig
from synth.engines import build_engine
from synth.engines.base import SAMPLING_TYPE, sampling_params

MODEL = "smollm2-135m-instruct"


def requests_dataset(rows: list[dict]) -> ray.data.Dataset:
    table = pa.table({
        "id": [r["id"] for r in rows],
        "messages": [r["messages"] for r in rows],
        "sampling_params": pa.array([r["sampling_params"] for r in rows], SAMPLING_TYPE),
    })
    return ray.data.from_arrow(table)


def chat_rows(count: int, max_tokens: int = 24, n: int = 1, seed: int = 7, temperature=0.8):
    sampling = OmegaConf.structured(SamplingConfig(temperature=temperature, top_p=0.95,
                                                   max_tokens=max_tokens))
    return [{"id": f"r{i}", "messages": [{"role": "user", "content": f"What is {i} + {i}?"}],
             "sampling_params": sampling_params(sampling, seed + 100 * i, n=n)}
            for i in range(count)]


def engine(kind: str, **fields):
    return build_engine("solver", OmegaConf.merge(OmegaConf.structured(ModelConfig),
                                                  {"engine": kind, "model": MODEL, **fields}))


def test_llama_cpp_honours_n_seed_and_max_tokens(ray_cluster):
    rows = engine("llama_cpp").generate(requests_dataset(chat_rows(2, n=3)), chat=True).take_all()
    assert len(rows) == 6
    assert sorted((r["id"], r["sample_index"]) for r in rows) == [
        (f"r{i}", k) for i in range(2) for k in range(3)]
    for row in rows:
        assert row["finish_reason"] in ("stop", "length")
        assert 0 < row["num_generated_tokens"] <= 24
        assert row["num_input_tokens"] > 5
        assert row["_engine_cpu_s"] > 0
    again = engine("llama_cpp").generate(requests_dataset(chat_rows(2, n=3)), chat=True).take_all()
    text = {(r["id"], r["sample_index"]): r["generated_text"] for r in rows}
    assert text == {(r["id"], r["sample_index"]): r["generated_text"] for r in again}
    assert len(set(text.values())) > 1, "different seeds should give different samples"


def test_llama_cpp_raw_prompt_stops_and_truncates(ray_cluster):
    sampling = OmegaConf.structured(SamplingConfig(temperature=1.0, top_p=0.99, max_tokens=4,
                                                   stop=["<|im_end|>"]))
    table = pa.table({"id": ["a"], "prompt": ["<|im_start|>user\n"],
                      "sampling_params": pa.array([sampling_params(sampling, 1)], SAMPLING_TYPE)})
    [row] = engine("llama_cpp").generate(ray.data.from_arrow(table), chat=False).take_all()
    assert row["finish_reason"] == "length" and row["num_generated_tokens"] == 4
    assert "<|im_end|>" not in row["generated_text"]


def test_llama_cpp_prompt_beyond_context_is_an_error_row(ray_cluster):
    rows = chat_rows(1)
    rows[0]["messages"][0]["content"] = "numbers " * 400
    [row] = engine("llama_cpp", context_length=128).generate(requests_dataset(rows), chat=True).take_all()
    assert row["finish_reason"] == "error" and row["engine_error"]
    assert row["generated_text"] is None


def test_transformers_engine_serves_the_packaged_model(ray_cluster):
    rows = engine("transformers", batch_size=2).generate(
        requests_dataset(chat_rows(2, max_tokens=8, temperature=0.0)), chat=True).take_all()
    assert len(rows) == 2
    for row in rows:
        assert row["generated_text"] and 0 < row["num_generated_tokens"] <= 8


def test_http_engine_against_a_real_openai_compatible_server(ray_cluster, llama_server, monkeypatch):
    monkeypatch.setenv("SYNTH_TEST_API_KEY", "test-key")
    http = build_engine("solver", OmegaConf.merge(OmegaConf.structured(ModelConfig), {
        "engine": "http", "model": "smollm2", "url": llama_server,
        "api_key_env": "SYNTH_TEST_API_KEY", "batch_size": 2}))
    rows = http.generate(requests_dataset(chat_rows(3, max_tokens=12, n=2)), chat=True).take_all()
    assert len(rows) == 6
    for row in rows:
        assert row["generated_text"] and row["finish_reason"] in ("stop", "length")
        assert row["num_input_tokens"] > 5 and 0 < row["num_generated_tokens"] <= 12
    assert os.environ["SYNTH_TEST_API_KEY"] not in http.resource_plan()
