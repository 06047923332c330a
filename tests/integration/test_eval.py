"""`synth eval` end to end through the CLI: the real SmolLM2 model on a 3-item slice of the
GSM8K and MATH test files in their published formats; every reported number is recounted from the written items."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path

import pyarrow.dataset as pads
import pytest
import yaml

from synth.cli import main
from synth.evaluation.matching_rules import mwpbench_correct
from tests.conftest import TEST_DATA

REPO = Path(__file__).resolve().parents[2]
LIMIT = 3
BENCHMARKS = [
    {"name": "gsm8k", "path": str(TEST_DATA / "gsm8k_test_head.jsonl"),
     "answer_format": "gsm8k", "limit": LIMIT},
    {"name": "math", "path": str(TEST_DATA / "math_test_head.jsonl"),
     "question_field": "problem", "answer_field": "solution", "answer_format": "boxed",
     "limit": LIMIT},
]


def eval_config(tmp_path: Path, benchmarks: list[dict]) -> Path:
    """pipelines/eval_cpu.yaml with its benchmarks replaced (list entries resist dotlist overrides)."""
    config = yaml.safe_load((REPO / "pipelines" / "eval_cpu.yaml").read_text())
    config["benchmarks"] = benchmarks
    path = tmp_path / "eval_slice.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture(scope="module")
def eval_run(tmp_path_factory, ray_cluster):
    tmp_path = tmp_path_factory.mktemp("eval")
    started = time.perf_counter()
    code = main(["eval", str(eval_config(tmp_path, BENCHMARKS)), "sampling.max_tokens=64",
                 "run.name=slice", f"run.output_dir={tmp_path / 'runs'}"])
    print(f"synth eval took {time.perf_counter() - started:.1f}s")
    return code, tmp_path / "runs" / "slice"


def test_exit_code_and_files(eval_run, capsys):
    code, run_dir = eval_run
    assert code == 0
    assert (run_dir / "config.yaml").is_file()
    assert list((run_dir / "eval" / "items").glob("*.parquet"))
    table = (run_dir / "eval" / "metrics.md").read_text()
    assert "| benchmark | items | MwpBench acc | math-verify acc |" in table
    for row in ("| gsm8k | 3 |", "| math | 3 |", "| micro | 6 |", "| macro | 6 |"):
        assert row in table


def test_reported_accuracy_equals_a_recount_of_the_items(eval_run):
    _, run_dir = eval_run
    items = pads.dataset(str(run_dir / "eval" / "items"), format="parquet").to_table().to_pylist()
    metrics = json.loads((run_dir / "eval" / "metrics.json").read_text())
    by_benchmark = defaultdict(list)
    for item in items:
        by_benchmark[item["benchmark"]].append(item)
    assert sorted(by_benchmark) == ["gsm8k", "math"]
    for rule in ("mwpbench", "math_verify"):
        accuracies = []
        for name, rows in by_benchmark.items():
            correct = sum(1 for row in rows if row[f"correct_{rule}"])
            reported = metrics["benchmarks"][name]
            assert reported["items"] == len(rows) == LIMIT
            assert reported[rule]["correct"] == correct
            assert reported[rule]["accuracy"] == pytest.approx(correct / len(rows))
            accuracies.append(correct / len(rows))
        pooled = sum(1 for row in items if row[f"correct_{rule}"])
        assert metrics["micro"]["items"] == len(items)
        assert metrics["micro"][rule]["correct"] == pooled
        assert metrics["micro"][rule]["accuracy"] == pytest.approx(pooled / len(items))
        assert metrics["macro"][rule]["accuracy"] == pytest.approx(sum(accuracies) / len(accuracies))
    assert metrics["tokens"]["generated"] == sum(row["num_generated_tokens"] for row in items) > 0


def test_items_carry_the_files_answers_and_consistent_verdicts(eval_run):
    _, run_dir = eval_run
    items = pads.dataset(str(run_dir / "eval" / "items"), format="parquet").to_table().to_pylist()
    golds = {(row["benchmark"], row["item_index"]): row["gold"] for row in items}
    assert golds[("gsm8k", 0)] == "18"  # after #### in the GSM8K solution
    assert golds[("math", 0)] == "2"  # last \boxed{} of the MATH solution
    assert {index for _, index in golds} == set(range(LIMIT))
    for row in items:
        assert row["generated_text"] and row["finish_reason"] in ("stop", "length")
        assert row["num_generated_tokens"] <= 64
        verdict = mwpbench_correct(row["generated_text"], row["gold"])
        assert (row["correct_mwpbench"], row["prediction_mwpbench"]) == verdict


@pytest.mark.parametrize("change, key", [
    ({"path": "/nonexistent/gsm8k_test.jsonl"}, "config error: benchmarks[0].path: file not found"),
    ({"question_field": "problem"}, "bad input: benchmark gsm8k: "),  # file, line 1: no field
    ({"answer_field": "idx", "answer_format": "boxed"}, "config error: benchmarks[0].answer_field"),
])
def test_bad_benchmark_fails_before_ray_starts(tmp_path, monkeypatch, capsys, change, key):
    def no_ray(_cfg):
        raise AssertionError("Ray must not start for a bad benchmark")

    monkeypatch.setattr("synth.evaluation.eval_runner.start_ray", no_ray)
    config = eval_config(tmp_path, [{**BENCHMARKS[0], **change}, BENCHMARKS[1]])
    assert main(["eval", str(config), f"run.output_dir={tmp_path}"]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"synth: {key}"), error
    if "question_field" in change:
        assert "line 1: no field 'problem' (fields: " in error, error
    assert len(error.strip().splitlines()) == 1


def test_run_refuses_an_eval_config(tmp_path, capsys):
    assert main(["run", str(REPO / "pipelines" / "eval_cpu.yaml"), f"run.output_dir={tmp_path}"]) == 2
    assert "synth eval" in capsys.readouterr().err


def test_dry_run_prints_the_plan(capsys):
    assert main(["eval", str(REPO / "pipelines" / "eval.yaml"), "--dry-run"]) == 0
    plan = capsys.readouterr().out
    assert "vllm Qwen/Qwen2.5-Math-7B-Instruct" in plan
    assert "benchmark gsm8k: 1319 items" in plan and "benchmark math: 5000 items" in plan
