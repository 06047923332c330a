"""The request store and its replay lookup on a real local Ray cluster: answered requests are
found by content, failed ones are not kept, a retried batch does not add a copy, and a grown
run keeps its requests while every stage starts over."""

from __future__ import annotations

import pyarrow as pa
import pytest
from omegaconf import OmegaConf

from synth.config.errors import ConfigError
from synth.engines.request_replay import (
    REPLAYED,
    REQUEST_KEY,
    ReplayLookup,
    RequestStore,
    already_answered,
    still_to_send,
    with_request_keys,
)
from synth.run.directory import RunDirectory


def requests(count: int, seed_offset: int = 0) -> pa.Table:
    return pa.table({
        "id": [f"q{i}" for i in range(count)],
        "prompt": ["Write a problem."] * count,
        "sampling_params": [{"temperature": 1.0, "seed": seed_offset + i} for i in range(count)],
    })


def answered(batch: pa.Table, reasons: list[str]) -> pa.Table:
    return (batch.append_column("generated_text", pa.array([f"text {i}" for i in range(batch.num_rows)]))
            .append_column("num_input_tokens", pa.array([5] * batch.num_rows, pa.int64()))
            .append_column("num_generated_tokens", pa.array([7] * batch.num_rows, pa.int64()))
            .append_column("finish_reason", pa.array(reasons)))


def test_keys_follow_content_model_and_seed():
    first = with_request_keys(requests(3), "llama_cpp:smollm2").column(REQUEST_KEY).to_pylist()
    again = with_request_keys(requests(3), "llama_cpp:smollm2").column(REQUEST_KEY).to_pylist()
    other_model = with_request_keys(requests(3), "vllm:qwen").column(REQUEST_KEY).to_pylist()
    other_seeds = with_request_keys(requests(3, 10), "llama_cpp:smollm2").column(REQUEST_KEY).to_pylist()
    assert first == again and len(set(first)) == 3
    assert not set(first) & set(other_model) and not set(first) & set(other_seeds)


def test_answered_requests_are_replayed_and_the_rest_sent(ray_cluster, tmp_path):
    store = RequestStore(str(tmp_path / "requests" / "solver"))
    assert store.index() is None  # nothing persisted: no lookup at all
    batch = with_request_keys(requests(4), "m")
    store.append(answered(batch, ["stop", "length", "error", "stop"]))
    store.append(answered(batch, ["stop", "length", "error", "stop"]))  # a retried batch
    assert len(store.files()) == 1

    lookup = ReplayLookup(store, store.index())
    looked_up = lookup(with_request_keys(requests(6), "m"))
    assert looked_up.column(REPLAYED).to_pylist() == [True, True, False, True, False, False]
    replayed = already_answered(looked_up)
    assert replayed.column("generated_text").to_pylist() == ["text 0", "text 1", "text 3"]
    assert replayed.column("finish_reason").to_pylist() == ["stop", "length", "stop"]
    pending = still_to_send(looked_up)
    assert pending.column("id").to_pylist() == ["q2", "q4", "q5"]  # the failed one is retried
    assert "generated_text" not in pending.column_names and REPLAYED not in pending.column_names


def test_a_run_grows_only_by_larger_counts(tmp_path):
    def config(**counts):
        return OmegaConf.create({"run": {"name": "r", "resume": True, "output_dir": str(tmp_path)},
                                 "generate": {"num_questions": counts.get("q", 8), "temperature": 1.0},
                                 "solve": {"num_samples": counts.get("n", 2)}})

    run_dir = RunDirectory(tmp_path / "r")
    assert run_dir.prepare(config()) == []
    (tmp_path / "r" / "stages" / "01_generate").mkdir(parents=True)
    (tmp_path / "r" / "requests" / "generator").mkdir(parents=True)
    assert run_dir.prepare(config(q=16, n=3)) == ["generate.num_questions: 8 -> 16",
                                                  "solve.num_samples: 2 -> 3"]
    assert not (tmp_path / "r" / "stages").exists() and (tmp_path / "r" / "requests").exists()
    with pytest.raises(ConfigError, match="may only raise generate.num_questions"):
        run_dir.prepare(config(q=8, n=3))  # shrinking is another run
    changed = config(q=16, n=3)
    changed.generate.temperature = 0.5
    with pytest.raises(ConfigError, match="different config"):
        run_dir.prepare(changed)
