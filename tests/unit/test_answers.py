"""Final-answer extraction and the equivalence used by the consensus vote."""

from __future__ import annotations

import pytest

from synth.answers.equivalence import answers_equivalent, fast_verdict
from synth.answers.extraction import extract_answer, extract_boxed


@pytest.mark.parametrize("text, expected", [
    ("so the total is \\boxed{72}.", "72"),
    ("first \\boxed{1} then \\boxed{\\frac{1}{2}}", "\\frac{1}{2}"),
    ("\\boxed{ \\{1, 2\\} }", "\\{1, 2\\}"),
    ("\\fbox{5}", "5"),
    ("The answer is 18.", "18"),
    ("So the answer is: $\\frac{3}{4}$\n", "\\frac{3}{4}"),
    ("unbalanced \\boxed{\\frac{1}{2}", None),
    ("empty \\boxed{}", None),
    ("I think it might be large.", None),
    ("", None),
    (None, None),
])
def test_extract_answer(text, expected):
    assert extract_answer(text) == expected


def test_last_number_only_when_allowed():
    text = "She has 3 apples and buys 4 more, 7 in all"
    assert extract_answer(text) is None
    assert extract_answer(text, allow_last_number=True) == "7"
    assert extract_answer("It costs $1,250 in total", allow_last_number=True) == "1250"


def test_boxed_takes_the_last_box():
    assert extract_boxed("\\boxed{a} and \\boxed{b}") == "b"


@pytest.mark.parametrize("left, right", [
    ("72", "72.0"), ("0.5", "\\frac{1}{2}"), ("1/2", "\\dfrac{1}{2}"), ("1,000", "1000"),
    ("10\\%", "0.1"), ("\\text{5}", "5"), ("x+1", "1+x"), ("\\sqrt{8}", "2\\sqrt{2}"),
    ("\\{1,2\\}", "\\{2,1\\}"), ("90^\\circ", "90"), ("(0, 1]", "(0,1]"),
])
def test_equivalent(left, right):
    assert answers_equivalent(left, right)


@pytest.mark.parametrize("left, right", [
    ("72", "73"), ("0.5", "\\frac{1}{3}"), ("x+1", "x-1"), ("(0,1]", "[0,1]"), ("blue", "red"),
])
def test_not_equivalent(left, right):
    assert not answers_equivalent(left, right)


def test_fast_path_settles_plain_numbers_without_sympy():
    assert fast_verdict("3", "4") is False
    assert fast_verdict("0.25", "1/4") is True
    assert fast_verdict("x+1", "1+x") is None
