"""QFT then QPO for real: SmolLM2 from its packaged GGUF, TRL on Ray Train on the local Ray
cluster, and every checkpoint served back through the `transformers` engine.

A few optimizer steps each on 2 CPU cores; what is checked is the loop — finite losses,
standard Hugging Face checkpoints that generate, pairs written and failures counted — not
what 2 steps teach a 135M model.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import ray
from omegaconf import OmegaConf

from synth.config.common import ModelConfig, SamplingConfig
from synth.config.loading import load_config
from synth.engines import build_engine
from synth.engines.base import SAMPLING_TYPE, sampling_params
from synth.training.rewrite_goals import GOALS
from tests.trained_models import PIPELINES, QPO_QUESTIONS

pytestmark = pytest.mark.slow

PREFIX = load_config(PIPELINES / "qft_cpu.yaml").template.prefix  # QFT trains on it, QPO starts from it
CHECKPOINT_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")


def generate_from_prefix(checkpoint: Path) -> dict:
    """One greedy completion of the bare template prefix, by the `transformers` engine on Ray."""
    engine = build_engine("generator", OmegaConf.structured(
        ModelConfig(engine="transformers", model=str(checkpoint), batch_size=1)))
    sampling = OmegaConf.structured(SamplingConfig(temperature=0.0, top_p=1.0, max_tokens=16))
    requests = ray.data.from_arrow(pa.table({
        "prompt": [PREFIX],
        "sampling_params": pa.array([sampling_params(sampling, seed=0)], SAMPLING_TYPE),
    }))
    [row] = engine.generate(requests, chat=False).take_all()
    return row


def assert_checkpoint_generates(checkpoint: Path) -> None:
    missing = [name for name in CHECKPOINT_FILES if not (checkpoint / name).is_file()]
    assert not missing, missing
    row = generate_from_prefix(checkpoint)
    assert row["finish_reason"] in ("stop", "length"), row["engine_error"]
    assert row["generated_text"].strip()


def test_qft_trains_a_few_steps_and_its_checkpoint_generates(qft_outcome):
    assert qft_outcome.metrics["global_step"] == 2
    assert math.isfinite(qft_outcome.metrics["train_loss"])
    assert qft_outcome.metrics["num_questions"] == 16
    assert_checkpoint_generates(qft_outcome.checkpoint_dir)


def test_qpo_pairs_then_dpo_and_its_checkpoint_generates(qpo_run):
    num_questions, outcome = QPO_QUESTIONS, qpo_run.outcome
    summary = json.loads((qpo_run.output_dir / "qpo_cpu" / "pairs_summary.json").read_text())
    assert summary["num_pairs"] + sum(summary["failures"].values()) == num_questions
    pairs = pq.read_table(summary["pairs_dir"])
    assert {"prompt", "chosen", "rejected", "goal"} <= set(pairs.column_names)
    assert pairs.num_rows == summary["num_pairs"] == outcome.metrics["num_pairs"] >= 1
    for pair in pairs.to_pylist():
        assert pair["prompt"] == PREFIX  # the template prefix alone
        assert pair["chosen"].endswith("<|im_end|>") and pair["rejected"].endswith("<|im_end|>")
        assert pair["chosen"] != pair["rejected"]
        assert pair["goal"] in GOALS

    assert outcome.metrics["global_step"] == 1
    assert math.isfinite(outcome.metrics["train_loss"])
    assert_checkpoint_generates(outcome.checkpoint_dir)
