"""Decide whether two final answers are mathematically the same.

A fast path settles most pairs without SymPy: equal normalised text, equal or different numbers,
and answers of different kinds or values (`answer_shape`: a number against a list, two lists
of different numbers). The rest go to math-verify with its SIGALRM timeouts disabled — they
raise off the main thread, i.e. inside every Ray worker — and our own time limit instead: the
check runs in a daemon thread that is abandoned if it overruns, and an overrun counts as "not
equivalent".

Both paths first repair LaTeX shorthands math-verify misreads (`repair_latex`).

Percentages: the `%` sign is read as a unit, the way MATH's "what percent ...?" questions are
graded: `25\\%` equals its value `0.25` (or `\\frac{1}{4}`) and also the bare number `25`.
math-verify accepts the bare number only when both are whole (`25\\%` vs `25`, not `7.2\\%` vs
`7.2`); the fast path settles every numeric percentage pair, so the rule above holds throughout.
"""

from __future__ import annotations

import functools
import logging
import threading

from synth.answers.answer_shape import read_shape, surely_different
from synth.answers.normalization import (
    as_number,
    comma_grouped_integer,
    normalize_answer,
    repair_latex,
    values_close,
)

# math-verify warns on every call that its own timeouts are off; we enforce ours, so hush it.
logging.getLogger("math_verify").setLevel(logging.ERROR)


def fast_verdict(left: str, right: str) -> bool | None:
    """True/False when cheap rules decide; None when only a symbolic check can."""
    a, b = normalize_answer(left), normalize_answer(right)
    if a == b:
        return True
    x, y = as_number(a), as_number(b)
    if x is None or y is None:
        # Different kinds or values (`2\\sqrt{3}` against `(1,2)` or `\\frac{\\pi}{4}`) differ;
        # anything else, equal closed forms included, is math-verify's to decide.
        return False if surely_different(read_shape(left), read_shape(right)) else None
    if values_close(x, y):
        return True
    if a.endswith("%") != b.endswith("%"):  # "25%" also matches the bare 25 (module docstring)
        percent, other = (x, y) if a.endswith("%") else (y, x)
        return values_close(percent * 100, other)
    return False


def _readings(answer: str) -> list[str]:
    """The LaTeX math-verify is given for an answer: its repaired text, and any second reading.

    A bare comma-grouped integer is ambiguous: "15,600" is a count, but MATH writes "70,110" for
    "Enter all the solutions, separated by commas". math-verify only reads the number, so the
    list is offered too, as a set; two answers are equivalent when any of their readings are.
    """
    text = repair_latex(answer)
    readings = [text]
    if comma_grouped_integer(text):
        readings.append(f"\\{{{text}\\}}")
    return readings


@functools.lru_cache(maxsize=16384)
def _parsed(reading: str) -> tuple:
    """math-verify's parse of one reading, kept: a vote compares each answer with every other,
    and parsing (LaTeX to SymPy) is most of what math-verify costs."""
    from math_verify import parse

    try:
        return tuple(parse(f"\\boxed{{{reading}}}", parsing_timeout=None))
    except Exception:  # math-verify raises on text it cannot parse: nothing to compare
        return ()


def symbolic_verdict(left: str, right: str, timeout_s: float) -> bool:
    """math-verify's verdict, computed under our own time limit (False when it overruns)."""
    verdict: list[bool] = []

    def check() -> None:
        from math_verify import verify

        try:
            golds = [_parsed(text) for text in _readings(left)]
            guesses = [_parsed(text) for text in _readings(right)]
            verdict.append(any(gold and guess and verify(list(gold), list(guess),
                                                         timeout_seconds=None)
                               for gold in golds for guess in guesses))
        except Exception:  # math-verify raises on text it cannot compare: not equivalent
            verdict.append(False)

    worker = threading.Thread(target=check, daemon=True)
    worker.start()
    worker.join(timeout_s)
    return bool(verdict and verdict[0])


def answers_equivalent(left: str, right: str, timeout_s: float = 5.0) -> bool:
    """Whether two final answers denote the same mathematical object."""
    verdict = fast_verdict(left, right)
    if verdict is not None:
        return verdict
    return symbolic_verdict(left, right, timeout_s)
