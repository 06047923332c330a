"""The report's 1M-pair projection: a run's own tokens per final pair at the configured GPU
throughput, plus the benchmark's non-model core-seconds, next to the paper's GPU-hours."""

from __future__ import annotations

import pytest

from synth.report.scale_projection import (
    NON_MODEL_CORE_SECONDS_PER_1M_PAIRS,
    PAPER_GPU_HOURS_PER_1M_PAIRS,
    PREFILL_PER_DECODE,
    projection_markdown,
    scale_projection,
)

SUMMARY = {"pipeline": "scalequest", "final_rows": 10,
           "tokens_by_role": {"generator": {"tokens_in": 100, "tokens_out": 1000},
                              "solver": {"tokens_in": 2000, "tokens_out": 4000}}}


def test_gpu_hours_count_generated_tokens_and_a_tenth_of_prompt_tokens():
    projection = scale_projection(SUMMARY, 1000.0, gpu_hour_usd=2.0, cpu_hour_usd=0.05)
    decode = (1000 + 4000 + (100 + 2000) / PREFILL_PER_DECODE) / 10
    assert projection["decode_tokens_per_pair"] == pytest.approx(decode)
    assert projection["gpu_hours"] == pytest.approx(1_000_000 * decode / 1000 / 3600, abs=0.05)
    core_hours = NON_MODEL_CORE_SECONDS_PER_1M_PAIRS["scalequest"] / 3600
    assert projection["cpu_core_hours"] == pytest.approx(core_hours, abs=0.005)
    assert projection["cost_usd"] == pytest.approx(projection["gpu_hours"] * 2 + core_hours * 0.05,
                                                   rel=0.01)
    assert projection["tokens_per_pair"]["solver"] == {"tokens_in": 200.0, "tokens_out": 400.0}


def test_a_faster_gpu_halves_the_hours_and_the_paper_stands_next_to_it():
    slow = scale_projection(SUMMARY, 1000.0, 2.0, 0.05)
    fast = scale_projection(SUMMARY, 2000.0, 2.0, 0.05)
    assert fast["gpu_hours"] == pytest.approx(slow["gpu_hours"] / 2, rel=0.01)
    text = "\n".join(projection_markdown(fast))
    assert f"{PAPER_GPU_HOURS_PER_1M_PAIRS} A100-40G" in text and "| solver | 200.0 | 400.0 |" in text


def test_no_final_pairs_no_projection():
    assert scale_projection({**SUMMARY, "final_rows": 0}, 1000.0, 2.0, 0.05) is None
    assert projection_markdown(None) == []
