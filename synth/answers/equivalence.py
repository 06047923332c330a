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

import cmath
import functools
import logging
import re
import threading

from synth.answers.answer_shape import read_shape, surely_different
from synth.answers.normalization import (
    as_number,
    comma_grouped_integer,
    normalize_answer,
    repair_latex,
    values_close,
)
from synth.answers.numeric_value import complex_value

EQUAL, DIFFERENT, UNSURE = "equal", "different", "unsure"

# math-verify warns on every call that its own timeouts are off; we enforce ours, so hush it.
logging.getLogger("math_verify").setLevel(logging.ERROR)


def fast_verdict(left: str, right: str) -> bool | None:
    """True/False when cheap rules decide; None when only a symbolic check can."""
    a, b = normalize_answer(left), normalize_answer(right)
    if a == b:
        return True
    x, y = as_number(a), as_number(b)
    if x is None or y is None:
        u, v = complex_value(a), complex_value(b)
        if u is not None and v is not None:  # 6-5i, 6-i\cdot5: in any order, by value
            return cmath.isclose(u, v, rel_tol=1e-9, abs_tol=1e-12)
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
    text = _TRAILING_VARIABLE.sub(r"\\cdot{\1}", repair_latex(answer))
    readings = [text]
    if comma_grouped_integer(text):
        readings.append(f"\\{{{text}\\}}")
    return readings


# A lone letter after a number or a brace ("\\frac{37}{4} m"): math-verify would drop it as a
# unit, but one letter may as well be a variable, so it is kept as a factor.
_TRAILING_VARIABLE = re.compile(r"(?<=[\d}])\s+([a-zA-Z])\s*$")
_LETTER = re.compile(r"(?<![a-zA-Z\\])[a-zA-Z](?![a-zA-Z])")
_TEXT_OR_COMMAND = re.compile(r"\\(?:text|mathrm|textbf|mbox|operatorname)\{[^{}]*\}|\\[a-zA-Z]+")
_CONSTANTS = {"i", "e"}  # letters SymPy reads as numbers, not symbols


def parse_is_complete(reading: str, parsed: tuple) -> bool:
    """Whether math-verify's parse kept every letter of `reading`: a parse that dropped a
    symbol (`\\frac{1}{3}E_{1}+\\frac{2}{3}E_{2}` read as 2/3) compares only part of the answer."""
    expression = parsed[0] if parsed else None
    if not hasattr(expression, "free_symbols"):  # text, a set of strings: nothing to check
        return True
    letters = set(_LETTER.findall(_TEXT_OR_COMMAND.sub(" ", reading))) - _CONSTANTS
    # SymPy's own spelling names every symbol and function it kept (`f(x)`); math-verify reads
    # a lone `E` as e, so letters are compared regardless of case.
    kept = set(re.findall(r"[a-z]", str(expression).lower()))
    return {letter.lower() for letter in letters} <= kept


@functools.lru_cache(maxsize=16384)
def _parsed(reading: str) -> tuple:
    """math-verify's parse of one reading, kept: a vote compares each answer with every other,
    and parsing (LaTeX to SymPy) is most of what math-verify costs."""
    from math_verify import parse

    try:
        return tuple(parse(f"\\boxed{{{reading}}}", parsing_timeout=None))
    except Exception:  # math-verify raises on text it cannot parse: nothing to compare
        return ()


def symbolic_verdict(left: str, right: str, timeout_s: float) -> bool | None:
    """math-verify's verdict, computed under our own time limit (False when it overruns);
    None ("not sure") when it would accept a pair whose parse dropped part of an answer."""
    verdict: list[bool | None] = []

    def check() -> None:
        from math_verify import verify

        try:
            golds = [(text, _parsed(text)) for text in _readings(left)]
            guesses = [(text, _parsed(text)) for text in _readings(right)]
            accepted = [(g, h) for g in golds for h in guesses
                        if g[1] and h[1] and verify(list(g[1]), list(h[1]), timeout_seconds=None)]
            complete = any(parse_is_complete(*g) and parse_is_complete(*h) for g, h in accepted)
            verdict.append(True if complete else None if accepted else False)
        except Exception:  # math-verify raises on text it cannot compare: not equivalent
            verdict.append(False)

    worker = threading.Thread(target=check, daemon=True)
    worker.start()
    worker.join(timeout_s)
    return verdict[0] if verdict else False


def compare_answers(left: str, right: str, timeout_s: float = 5.0) -> str:
    """EQUAL, DIFFERENT, or UNSURE: math-verify matched only a partial reading of an answer,
    which counts as different (a false accept would turn a wrong solution into a verified
    row) and is counted by the consensus stage."""
    verdict = fast_verdict(left, right)
    if verdict is None:
        verdict = symbolic_verdict(left, right, timeout_s)
    return UNSURE if verdict is None else EQUAL if verdict else DIFFERENT


def answers_equivalent(left: str, right: str, timeout_s: float = 5.0) -> bool:
    """Whether two final answers surely denote the same mathematical object."""
    return compare_answers(left, right, timeout_s) == EQUAL
