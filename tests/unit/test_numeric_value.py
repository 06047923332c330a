"""The fast path's closed-form evaluator: exact values where it reads, None where it must not."""

from __future__ import annotations

import math

import pytest

from synth.answers.equivalence import fast_verdict
from synth.answers.normalization import normalize_answer
from synth.answers.numeric_value import numeric_value


@pytest.mark.parametrize(("answer", "value"), [
    ("\\frac{\\sqrt{3}}{2}", math.sqrt(3) / 2),
    ("2\\sqrt{3}", 2 * math.sqrt(3)),
    ("\\frac{\\pi}{4}", math.pi / 4),
    ("3\\pi", 3 * math.pi),
    ("\\sqrt[3]{27}", 3.0),
    ("3^{2}-1", 8.0),
    ("2^10", 1024.0),
    ("-\\frac{7}{2}", -3.5),
    ("\\frac{1+\\sqrt{5}}{2}", (1 + math.sqrt(5)) / 2),
    ("2(3+1)", 8.0),
    ("6\\cdot7", 42.0),
    ("10\\times\\frac{1}{4}", 2.5),
    ("\\frac12", 0.5),
])
def test_closed_forms_are_evaluated(answer: str, value: float) -> None:
    assert numeric_value(normalize_answer(answer)) == pytest.approx(value)


@pytest.mark.parametrize("answer", [
    "x+1", "(1,2)", "[0,\\infty)", "\\{1,2\\}", "2\\frac{1}{2}",  # a mixed number is ambiguous
    "\\sqrt{-4}", "\\frac{1}{0}", "10^{5000}", "50\\%", "\\text{even}", "", "2+", "((1)",
])
def test_anything_else_is_left_to_math_verify(answer: str) -> None:
    assert numeric_value(normalize_answer(answer)) is None


def test_fast_path_rejects_different_closed_forms_and_defers_equal_ones() -> None:
    assert fast_verdict("\\frac{\\sqrt{3}}{2}", "\\frac{1}{2}") is False
    assert fast_verdict("2\\sqrt{3}", "3\\sqrt{2}") is False
    assert fast_verdict("2\\sqrt{3}", "\\sqrt{12}") is None  # equal value: math-verify decides
    assert fast_verdict("\\pi", "3.14") is False  # a rounded decimal is not the exact value
    assert fast_verdict("x+1", "\\frac{1}{2}") is False  # a variable is never one number
    assert fast_verdict("(1,2)", "3") is False  # nor is a tuple
    assert fast_verdict("x=5", "5") is None  # an equation: math-verify reads its value
    assert fast_verdict("540\\text{ dollars}", "540") is None  # units are not variables
