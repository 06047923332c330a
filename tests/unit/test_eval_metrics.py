"""The two matching rules on real-looking model output, and micro/macro aggregation by hand."""

from __future__ import annotations

import pyarrow as pa
import pytest
from omegaconf import OmegaConf

from synth.benchmarks.benchmark_sets import load_benchmark
from synth.evaluation.eval_items import ITEMS_SCHEMA
from synth.evaluation.matching_rules import (
    math_verify_correct,
    mwpbench_correct,
    normalize_mwpbench,
)
from synth.evaluation.metrics import compute_metrics, metrics_markdown

GSM8K_SOLUTION = ("Janet sells 16 - 3 - 4 = 9 duck eggs a day.\n"
                  "She makes 9 * 2 = $18 every day at the farmer's market.\nThe answer is 18.")


@pytest.mark.parametrize("text, gold, prediction", [
    (GSM8K_SOLUTION, "18", "18"),
    ("She makes 9 * 2 = $18 every day", "18", "18"),  # numeric gold: last-number fallback
    ("The total is \\boxed{1,250}.", "1250", "1250"),
    ("The answer is $18.00$.", "18", "18.00"),  # equal as numbers within 1e-4
    ("So the answer is 0.3333.", "\\frac{1}{3}", "0.3333"),  # |0.3333 - 1/3| / (1/3) < 1e-4
    ("Thus $y = \\boxed{\\dfrac{9}{7}}$.", "\\frac{9}{7}", "\\frac{9}{7}"),
    ("so the result is \\boxed{\\frac12}.", "\\frac{1}{2}", "\\frac{1}{2}"),
    ("The answer is 9/7", "\\dfrac{9}{7}", "\\frac{9}{7}"),
    ("so $\\boxed{.5}$", "\\frac{1}{2}", "0.5"),
    ("The angle is \\boxed{90^\\circ}", "90", "90"),
    ("\\boxed{x = 5}", "5", "5"),
    ("\\boxed{10\\%}", "10", "10"),
    ("\\boxed{5\\text{ cm}}", "5", "5"),
    ("\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}", "\\left( 3, \\frac{\\pi}{2} \\right)",
     "(3,\\frac{\\pi}{2})"),
    ("\\boxed{\\text{(C)}}", "\\text{(C)}", "(C)"),
])
def test_mwpbench_accepts(text, gold, prediction):
    assert mwpbench_correct(text, gold) == (True, prediction)


@pytest.mark.parametrize("text, gold", [
    ("The answer is 17.", "18"),
    ("The answer is 0.333.", "\\frac{1}{3}"),  # off by 1e-3 relative: too far
    ("\\boxed{x+1}", "1+x"),  # MwpBench compares text and numbers, not algebra
    ("\\boxed{(1,2)}", "(2,1)"),
    ("Let me think about the ducks.", "18"),  # no number, no box: no answer
    ("The answer is 18", None),  # an item without a gold answer never counts
])
def test_mwpbench_rejects(text, gold):
    assert mwpbench_correct(text, gold).correct is False


def test_no_final_answer_reports_no_prediction():
    assert mwpbench_correct("I am not sure how to do this.", "\\frac{1}{2}") == (False, None)
    assert math_verify_correct("I am not sure how to do this.", "\\frac{1}{2}", 5.0) == (False, None)
    assert mwpbench_correct(None, "18") == (False, None)


def test_last_number_fallback_only_for_numeric_golds():
    text = "We get x = 3 and so on"
    assert mwpbench_correct(text, "3").prediction == "3"
    assert mwpbench_correct(text, "\\sqrt{3}").prediction is None


@pytest.mark.parametrize("text, gold", [
    (GSM8K_SOLUTION, "18"),
    ("\\boxed{x+1}", "1+x"),
    ("The answer is $2\\sqrt{2}$.", "\\sqrt{8}"),
    ("\\boxed{0.5}", "\\frac{1}{2}"),
])
def test_math_verify_accepts(text, gold):
    verdict = math_verify_correct(text, gold, timeout_s=5.0)
    assert verdict.correct, verdict


@pytest.mark.parametrize("text, gold", [
    ("The answer is 17.", "18"),
    ("\\boxed{x-1}", "x+1"),
    ("I do not know.", "18"),
])
def test_math_verify_rejects(text, gold):
    assert math_verify_correct(text, gold, timeout_s=5.0).correct is False


def test_math_verify_reports_the_extracted_prediction():
    assert math_verify_correct("The answer is $2\\sqrt{2}$.", "\\sqrt{8}", 5.0).prediction == "2\\sqrt{2}"


@pytest.mark.parametrize("raw, normalized", [
    ("\\tfrac{3}{4}", "\\frac{3}{4}"), ("\\frac 1 2", "\\frac{1}{2}"), ("\\frac{1}2", "\\frac{1}{2}"),
    ("\\sqrt2", "\\sqrt{2}"), ("-.25", "-0.25"), ("\\$1,000,000", "1000000"), ("(1, 2)", "(1,2)"),
    ("3.", "3"), ("\\!5", "5"), ("14,\\!400", "14400"), ("1{,}000", "1000"),
])
def test_mwpbench_normalisation(raw, normalized):
    assert normalize_mwpbench(raw) == normalized


@pytest.mark.parametrize("packaged", ["gsm8k_test", "math_test"])
def test_every_packaged_gold_answer_matches_itself_boxed(packaged):
    golds = load_benchmark(OmegaConf.create({"name": packaged, "packaged": packaged, "limit": None}))
    misses = [gold for gold in golds.column("answer").to_pylist()
              if not mwpbench_correct(f"so \\boxed{{{gold}}}.", gold).correct]
    assert misses == []


def items_table(verdicts: dict[str, list[tuple[bool, bool]]]) -> pa.Table:
    """Per-item results with the given (MwpBench, math-verify) verdicts per benchmark."""
    rows = [{"benchmark": name, "item_index": index, "question": "q", "gold": "1",
             "generated_text": "t", "prediction_mwpbench": "1", "prediction_math_verify": "1",
             "correct_mwpbench": mwp, "correct_math_verify": mv, "finish_reason": "stop",
             "num_input_tokens": 10, "num_generated_tokens": 5}
            for name, pairs in verdicts.items() for index, (mwp, mv) in enumerate(pairs)]
    return pa.Table.from_pylist(rows, schema=ITEMS_SCHEMA)


def test_micro_pools_items_and_macro_averages_benchmarks():
    items = items_table({
        "gsm8k": [(True, True), (True, True), (True, True), (False, True)],  # 3/4 and 4/4
        "math": [(True, False), (False, False)],  # 1/2 and 0/2
    })
    metrics = compute_metrics(items, ["gsm8k", "math"])
    assert metrics["benchmarks"]["gsm8k"]["items"] == 4
    assert metrics["benchmarks"]["gsm8k"]["mwpbench"] == {"correct": 3, "accuracy": 0.75}
    assert metrics["benchmarks"]["math"]["mwpbench"] == {"correct": 1, "accuracy": 0.5}
    assert metrics["micro"]["mwpbench"] == {"correct": 4, "accuracy": pytest.approx(4 / 6)}
    assert metrics["macro"]["mwpbench"]["accuracy"] == pytest.approx(0.625)
    assert metrics["micro"]["math_verify"]["accuracy"] == pytest.approx(4 / 6)
    assert metrics["macro"]["math_verify"]["accuracy"] == pytest.approx(0.5)
    assert metrics["tokens"] == {"input": 60, "generated": 30}
    assert metrics["benchmarks"]["math"]["finish_reasons"] == {"stop": 2}


def test_benchmarks_keep_config_order_in_the_table():
    items = items_table({"math": [(True, True)], "gsm8k": [(False, False)]})
    table = metrics_markdown(compute_metrics(items, ["gsm8k", "math"]))
    lines = table.splitlines()
    assert lines[0] == "| benchmark | items | MwpBench acc | math-verify acc |"
    assert [line.split("|")[1].strip() for line in lines[2:]] == ["gsm8k", "math", "micro", "macro"]
    assert lines[3] == "| math | 1 | 100.0% | 100.0% |"
    assert lines[5] == "| macro | 2 | 50.0% | 50.0% |"


def test_mwpbench_order_prefers_the_last_number_for_numeric_golds():
    text = "The answer is 18. Check: 18 + 2 = 20"
    assert mwpbench_correct(text, "20").prediction == "20"  # boxed, else last number, ...
    assert mwpbench_correct("The answer is blue.", "blue") == (True, "blue")  # ... else "answer is"
