"""canonical_concept: spelling variants of one concept meet, math symbols survive."""

from __future__ import annotations

import pytest

from synth.concepts.concept_text import canonical_concept


@pytest.mark.parametrize("raw", [
    "Pythagorean theorem", "  Pythagorean   Theorem. ", '"Pythagorean theorem"',
    "1. Pythagorean theorem;", "- pythagorean theorem", "(Pythagorean theorem)",
    "“Pythagorean Theorem”", "[ 'Pythagorean theorem' ]",
    "Ｐｙｔｈａｇｏｒｅａｎ\tｔｈｅｏｒｅｍ",  # full-width letters: NFKC
])
def test_variants_share_one_canonical_form(raw):
    assert canonical_concept(raw) == "pythagorean theorem"


@pytest.mark.parametrize("raw, expected", [
    ("(a+b)(c+d)", "(a+b)(c+d)"),  # brackets that are not one pair around everything
    ("n!", "n!"),
    ("f'(x) = 0", "f'(x) = 0"),
    ("'a' and 'b' are coprime", "'a' and 'b' are coprime"),
    ("1+2+...+n", "1+2+...+n"),
    ("sum 1+2+...", "sum 1+2+..."),  # an ellipsis is not a full stop
    ("a^2+b^2=c^2.", "a^2+b^2=c^2"),
    ("Vieta's formulas:", "vieta's formulas"),
    ("|x| ≥ 0", "|x| ≥ 0"),
    ("2x + 3 = 7", "2x + 3 = 7"),  # a leading number without a list marker stays
])
def test_math_symbols_are_kept(raw, expected):
    assert canonical_concept(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "...", "- ", "()", '""', "None", "N/A",
                                 "?!", "*"])
def test_empty_and_placeholder_text_gives_empty_string(raw):
    assert canonical_concept(raw) == ""


def test_canonical_form_is_a_fixed_point():
    for raw in ["  1. \"(Law of Cosines).\" ", "C(n, k) = n!/(k!(n-k)!)", "x²"]:
        once = canonical_concept(raw)
        assert canonical_concept(once) == once
