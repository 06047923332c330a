"""The shape reader decides "different" only where math-verify agrees, and defers the rest.

Every pair below is checked against plain math-verify in the test itself: a pair the shape
reader calls surely different must be one math-verify calls not equivalent, and each pair that
math-verify calls equivalent must be left undecided (its readings are what the module docstring
of synth/answers/answer_shape.py describes).
"""

from __future__ import annotations

import pytest

from synth.answers.answer_shape import Kind, read_shape, surely_different
from synth.answers.equivalence import answers_equivalent, fast_verdict


def plain_math_verify(left: str, right: str) -> bool:
    from math_verify import parse, verify

    return bool(verify(parse(f"\\boxed{{{left}}}", parsing_timeout=None),
                       parse(f"\\boxed{{{right}}}", parsing_timeout=None), timeout_seconds=None))


@pytest.mark.parametrize(("answer", "kind"), [
    ("2\\sqrt{3}", Kind.NUMBER), ("9\\text{ a.m.}", Kind.NUMBER), ("204_5", Kind.NUMBER),
    ("x = \\frac{3}{2}", Kind.NUMBER), ("1\\frac{4}{5}", Kind.NUMBER), ("25\\%", Kind.NUMBER),
    ("2x^2 - 2x + 3", Kind.EXPRESSION), ("\\sec x", Kind.EXPRESSION), ("y = 2x + 3", Kind.EXPRESSION),
    ("\\text{Friday}", Kind.WORD), ("\\text{(E)}", Kind.WORD),
    ("(1,2)", Kind.COLLECTION), ("\\left[ 0, \\frac{1}{2} \\right)", Kind.COLLECTION),
    ("(-\\infty, 2) \\cup (3, \\infty)", Kind.COLLECTION), ("19 \\text{ and }43", Kind.COLLECTION),
    ("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", Kind.MATRIX),
    ("\\pm 2", Kind.UNKNOWN), ("\\{1,2\\}", Kind.UNKNOWN), ("x \\le 2", Kind.UNKNOWN),
    ("x \\in (0,1)", Kind.UNKNOWN), ("2x = 4", Kind.UNKNOWN), ("\\cos 58^\\circ", Kind.UNKNOWN),
    ("\\frac{1}{2004!}", Kind.UNKNOWN), ("152A_{11}", Kind.UNKNOWN), ("\\text{5 apples}", Kind.UNKNOWN),
])
def test_answers_are_read_as_the_kind_they_are(answer: str, kind: Kind) -> None:
    assert read_shape(answer).kind is kind


# Pairs of different kinds or values, as consensus votes and the benchmark meet them.
DIFFERENT = [
    ("\\left[ -\\frac{1}{2}, \\frac{1}{2} \\right]", "4"), ("(1,1)", "26"), ("12", "(0,0)"),
    ("(1,2)", "x^2-5"), ("(2,\\infty)", "x+1"), ("(0,1)", "(1,-2)"), ("(1,2)", "(1,2,3)"),
    ("\\begin{pmatrix} 1 \\\\ 4 \\\\ 3 \\end{pmatrix}", "(1,2)"),
    ("\\begin{pmatrix} 3 & 2 \\\\ 0 & -7 \\end{pmatrix}", "m+2"), ("9\\text{ a.m.}", "21"),
    ("\\text{Friday}", "5"), ("\\text{(E)}", "2000"), ("x^2 + 10x + 25", "\\text{E}"),
    ("y = \\frac{1}{2} x + 2", "45"), ("x = 4", "(-11,-10,-7)"), ("204_5", "3"), ("-221_3", "25"),
    ("1\\frac{4}{5}", "697"), ("\\sec x", "9"), ("85,\\!184", "2k+2"),
    ("\\$32,\\!348", "\\$32, \\!348"), ("(-\\infty, 2) \\cup (3, \\infty)", "3"),
    ("7, -2, \\text{ and } -5", "\\frac{1}{2}, -\\frac{1}{12}"), ("\\text{even}", "\\sqrt{5}, -\\sqrt{5}"),
]

# Pairs math-verify calls equivalent although they are written differently: never "different".
EQUIVALENT = [
    ("204_5", "204"), ("9\\text{ a.m.}", "9"), ("100\\text{ square units}", "100"),
    ("5 \\text{cm}^2", "5"), ("x=5", "5"), ("f(x)=2x", "2x"), ("y = 3x^2 - 34x + 88", "3x^2 - 34x + 88"),
    ("1\\frac{4}{5}", "1.8"), ("33 \\frac{1}{3}", "\\frac{100}{3}"), ("2\\frac{\\pi}{4}", "\\frac{\\pi}{2}"),
    ("1,1", "1"), ("5\\text{ and }5", "5"), ("x = 4", "4,4"), ("19 \\text{ and }43", "19,43"),
    ("1,2", "(1,2)"), ("\\pm 2", "2,-2"), ("x \\in (0,1)", "(0,1)"), ("x\\le 2", "(-\\infty,2]"),
    ("\\text{(E)}", "E"), ("\\text{even}", "\\text{Even}"), ("e", "2.718281828"),
    ("\\sqrt{5}, -\\sqrt{5}", "\\pm\\sqrt5"), ("\\{1\\}", "1"), ("12_{10}", "12"),
]


@pytest.mark.parametrize(("left", "right"), DIFFERENT)
def test_pairs_called_different_are_not_equivalent_to_math_verify(left: str, right: str) -> None:
    assert surely_different(read_shape(left), read_shape(right))
    assert surely_different(read_shape(right), read_shape(left))
    assert not plain_math_verify(left, right)
    assert fast_verdict(left, right) is False


@pytest.mark.parametrize(("left", "right"), EQUIVALENT)
def test_pairs_math_verify_accepts_are_never_called_different(left: str, right: str) -> None:
    assert plain_math_verify(left, right)
    assert not surely_different(read_shape(left), read_shape(right))
    assert not surely_different(read_shape(right), read_shape(left))
    assert answers_equivalent(left, right)


def test_whole_numbers_are_compared_exactly() -> None:
    # A relative tolerance of 1e-6 would call these equal; math-verify does not, nor do we.
    assert fast_verdict("1000000", "999999") is False
    assert fast_verdict("19941989", "19941988") is False
    assert fast_verdict("18.00", "18") is True


@pytest.mark.parametrize(("left", "right"), [
    ("1\\frac{4}{5}", "\\frac45"),  # 1 + 4/5 to math-verify, 1 · 4/5 to others: both kept
    ("(2,\\infty)", "0,4"), ("\\cos 60^\\circ", "0.5"), ("x=2", "y=2"), ("x^2-5", "x-5"),
])
def test_pairs_the_reader_is_unsure_of_are_left_to_math_verify(left: str, right: str) -> None:
    assert fast_verdict(left, right) is None
    assert answers_equivalent(left, right) == plain_math_verify(left, right)
