"""Two rules that decide whether a solution reaches a benchmark item's gold answer.

Both read the same prediction out of the solution text, in MwpBench's order: the last
`\\boxed{}`, else (only when the gold answer is a number) the last number, else what follows
"the answer is".

* `mwpbench_correct` is MwpBench's protocol (MathScale, Tang et al. 2024). Prediction and gold are
  normalised the way MATH answers are: spaces, `\\left`/`\\right`, `\\!`, dollar signs, degree
  marks, `\\%`, a trailing period and a trailing `\\text{...}` unit are dropped; `\\dfrac` and
  `\\tfrac` become `\\frac`, `\\frac12` becomes `\\frac{1}{2}`, an integer `a/b` becomes
  `\\frac{a}{b}`, `.5` becomes `0.5`, thousands commas (`1,000`, `1{,}000`) go, and `x = 5`
  keeps only `5`. The two match when the normalised strings are equal, or when both are numbers
  (decimals or numeric `\\frac`s) within a relative tolerance of 1e-4.
* `math_verify_correct` asks math-verify (behind `answers_equivalent`'s fast path and time
  limit) whether the two are the same mathematical object, so `x+1` vs `1+x` also counts.

Reporting both shows how much of a score comes from the matcher rather than the model:

    mwpbench_correct("... The answer is 1/2.", "\\frac{1}{2}")  # Verdict(True, "\\frac{1}{2}")
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

from synth.answers.equivalence import answers_equivalent
from synth.answers.extraction import extract_answer, extract_boxed, extract_last_number
from synth.answers.normalization import PLAIN_NUMBER, TEXT_WRAPPER, repair_latex

RELATIVE_TOLERANCE = 1e-4  # MwpBench's tolerance for numeric answers

_REMOVED = re.compile(r"\\left|\\right|\\!|\^\{\\circ\}|\^\\circ|°|\\\$|\$|\\%|%")
_TRAILING_UNIT = re.compile(r"(?<=\S)\s*\\(?:text|mbox)\{[^{}]*\}$")
_VARIABLE_PREFIX = re.compile(r"^[A-Za-z](?:_\w)?=")
_THOUSANDS = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_INTEGER_RATIO = re.compile(r"^(-?\d+)/(\d+)$")
_NUMERIC_FRAC = re.compile(r"^(-?)\\frac\{(-?\d+(?:\.\d+)?)\}\{(-?\d+(?:\.\d+)?)\}$")


class Verdict(NamedTuple):
    """One rule's decision, with the prediction it compared (None: the solution states none)."""

    correct: bool
    prediction: str | None


def extract_prediction(text: str | None, gold: str | None) -> str | None:
    """The solution's final answer; the last-number fallback only applies to numeric golds."""
    boxed = extract_boxed(text or "")
    if boxed is not None:
        return boxed
    if gold is not None and mwpbench_number(normalize_mwpbench(gold)) is not None:
        number = extract_last_number(text)
        if number is not None:
            return number
    return extract_answer(text)


def normalize_mwpbench(answer: str) -> str:
    """MATH-style canonical text of an answer (see the module docstring for each step)."""
    text = answer.replace("\n", "").strip().rstrip(".")
    text = text.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac").replace("{,}", ",")
    text = _REMOVED.sub("", text)
    if _TRAILING_UNIT.sub("", text).strip():
        text = _TRAILING_UNIT.sub("", text)  # `5\text{ cm}` -> `5`, but `\text{Monday}` stays
    text = TEXT_WRAPPER.sub(r"\1", text)
    text = re.sub(r"\s+", "", text)
    if text.count("=") == 1 and _VARIABLE_PREFIX.match(text):
        text = text.split("=", 1)[1]
    text = re.sub(r"(^|[^\d])\.(\d)", r"\g<1>0.\2", text)  # `.5` and `-.5` read as 0.5 and -0.5
    text = repair_latex(text)  # `\frac12` -> `\frac{1}{2}`, `\sqrt2` -> `\sqrt{2}`
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    ratio = _INTEGER_RATIO.match(text)
    if ratio:
        text = f"\\frac{{{ratio.group(1)}}}{{{ratio.group(2)}}}"
    return text.rstrip(".")


def mwpbench_number(normalized: str) -> float | None:
    """The value of a normalised answer that is a decimal or a numeric `\\frac`, else None."""
    if PLAIN_NUMBER.match(normalized):
        return float(normalized)
    fraction = _NUMERIC_FRAC.match(normalized)
    if fraction is None or float(fraction.group(3)) == 0:
        return None
    value = float(fraction.group(2)) / float(fraction.group(3))
    return -value if fraction.group(1) else value


def mwpbench_correct(text: str | None, gold: str | None) -> Verdict:
    """MwpBench's verdict; the prediction reported is the normalised string it compared."""
    prediction = extract_prediction(text, gold)
    if prediction is None:
        return Verdict(False, None)
    predicted = normalize_mwpbench(prediction)
    if gold is None:
        return Verdict(False, predicted)
    expected = normalize_mwpbench(gold)
    if predicted == expected:
        return Verdict(True, predicted)
    x, y = mwpbench_number(predicted), mwpbench_number(expected)
    close = x is not None and y is not None and math.isclose(x, y, rel_tol=RELATIVE_TOLERANCE)
    return Verdict(close, predicted)


def math_verify_correct(text: str | None, gold: str | None, timeout_s: float) -> Verdict:
    """math-verify's verdict on the extracted prediction; the prediction is reported as extracted."""
    prediction = extract_prediction(text, gold)
    if prediction is None or gold is None:
        return Verdict(False, prediction)
    return Verdict(answers_equivalent(gold, prediction, timeout_s), prediction)
