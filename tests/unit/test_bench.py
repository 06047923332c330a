"""The benchmark harness: one command runs benchmarks, prints the table and writes the JSON the
README quotes; figures compare against their same-run baseline; GPU figures skip without a GPU.

Quick mode runs each benchmark at a small size, so these check the harness and the benchmark
code paths, never a speed (speed is what `python -m bench` itself reports).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.figures import Figure
from bench.gpu_throughput import PAPER_KEPT_SHARE, gpu_missing, projected_gpu_hours_per_million

REPO = Path(__file__).resolve().parents[2]


def test_a_figure_is_judged_on_its_ratio_or_its_value():
    overhead = Figure("b", "stage", 90.0, "tokens/s", "bare", 100.0, "ratio", ">=", 0.9)
    assert overhead.ratio == pytest.approx(0.9) and overhead.met
    memory = Figure("b", "rss", 130.0, "MB", "small", 100.0, "ratio", "<=", 1.2)
    assert not memory.met
    rate = Figure("b", "rows/s", 4000.0, "rows/s", "copy", 8000.0, "value", ">=", 3334)
    assert rate.met and rate.as_json()["ratio"] == 0.5


def test_projection_prices_one_question_and_five_solutions_per_kept_pair():
    # 100 + 5 * 400 tokens per generated question at 1000 tokens/s on one GPU
    hours = projected_gpu_hours_per_million(100, 400, 1000.0)
    assert hours == pytest.approx(1_000_000 * 2100 / PAPER_KEPT_SHARE / 1000 / 3600)


def test_one_command_runs_benchmarks_prints_a_table_and_writes_json(tmp_path):
    output = tmp_path / "latest.json"
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "graph_sampler", "answer_equivalence",
         "structured_decoding",
         *(["gpu_throughput"] if gpu_missing() else []), "--output", str(output)],
        cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("| benchmark | figure | value | baseline |")
    written = json.loads(output.read_text())
    assert written["quick"] is True and written["machine"]["cores"] >= 1
    figures = {(f["benchmark"], f["name"]): f for f in written["figures"]}
    walks = figures["graph_sampler", "MathScale random walks"]
    assert walks["value"] > 0 and walks["baseline_value"] > 0
    assert walks["ratio"] == pytest.approx(walks["value"] / walks["baseline_value"], rel=1e-3)
    schema = figures["structured_decoding", "extract_concepts tokens/s under its schema"]
    assert schema["value"] > 0 and schema["baseline"] == "free decoding"
    agreement = figures["answer_equivalence", "agreement with plain math-verify"]
    assert 0.9 <= agreement["value"] <= 1.0
    if gpu_missing():  # CI machines: the GPU figures say why they were not measured
        assert figures["gpu_throughput", "(all)"]["skipped"] == f"gpu_throughput skipped: {gpu_missing()}"


def test_unknown_benchmark_names_fail_before_running_anything():
    result = subprocess.run([sys.executable, "-m", "bench", "no_such_benchmark"], cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "unknown benchmarks" in result.stderr
