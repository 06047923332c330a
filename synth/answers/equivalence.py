"""Decide whether two final answers are mathematically the same.

A fast path (normalised text, then numbers and simple fractions) settles most pairs without
SymPy. The rest go to math-verify with its SIGALRM timeouts disabled — they raise off the main
thread, i.e. inside every Ray worker — and our own time limit instead: the check runs in a
daemon thread that is abandoned if it overruns, and an overrun counts as "not equivalent".

Both paths first repair LaTeX shorthands math-verify misreads (`repair_latex`).

Percentages: the `%` sign is read as a unit, the way MATH's "what percent ...?" questions are
graded: `25\\%` equals its value `0.25` (or `\\frac{1}{4}`) and also the bare number `25`.
math-verify accepts the bare number only when both are whole (`25\\%` vs `25`, not `7.2\\%` vs
`7.2`); the fast path settles every numeric percentage pair, so the rule above holds throughout.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import threading

from synth.answers.extraction import closing_brace
from synth.answers.numeric_value import numeric_value

# math-verify warns on every call that its own timeouts are off; we enforce ours, so hush it.
logging.getLogger("math_verify").setLevel(logging.ERROR)

_LATEX_NOISE = re.compile(r"\\left|\\right|\\!|\\,|\\;|\\:|\\displaystyle|\\\$|\$|\s+")
_TEXT_WRAPPER = re.compile(r"\\(?:text|textbf|mathrm|mbox)\{([^{}]*)\}")
_SIMPLE_FRACTION = re.compile(r"^\\[dt]?frac\{(-?[\d.]+)\}\{(-?[\d.]+)\}$")
_NUMBER = re.compile(r"^-?(?:\d+(?:\.\d*)?|\.\d+)$")
_DEGREES = re.compile(r"\^\{?\\circ\}?|°")
# Thousands commas: only when written without a space after them ("70, 110" is a list).
_COMMA_GROUPED = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")
# LaTeX's explicit thousands separators, as MATH writes them: "14,\!400", "1{,}000".
_LATEX_THOUSANDS_SEPARATOR = re.compile(r"(?<=\d)(?:,\\!|\{,\})(?=\d{3}(?!\d))")
_SHORTHAND_COMMAND = re.compile(r"\\(?:[dt]?frac|sqrt)(?![a-zA-Z])")
_COMMAND_TOKEN = re.compile(r"\\[a-zA-Z]+|\\.")
_UNKNOWN = re.compile(r"[a-df-zA-Z]")  # a variable; `e` may be Euler's number: left to math-verify


def _brace_shorthand_arguments(text: str) -> str:
    """`\\frac \\pi4` -> `\\frac{\\pi}{4}`, `\\sqrt2` -> `\\sqrt{2}`: every argument braced.

    MATH writes brace-less arguments ("\\frac \\pi4 + 2 - \\sqrt2"), and math-verify's own
    repair splits a command argument apart (`\\frac{\\}{p}i4`) and then reads that whole answer
    as 2. A brace-less argument is one character or one command; anything stranger is left as is.
    """
    pieces: list[str] = []
    position = 0
    while (match := _SHORTHAND_COMMAND.search(text, position)) is not None:
        pieces.append(text[position : match.end()])
        position = match.end()
        arity = 1 if match.group().endswith("sqrt") else 2
        for _ in range(arity):
            start = position
            while start < len(text) and text[start].isspace():
                start += 1
            if start == len(text):
                break
            if text[start] == "{":
                end = closing_brace(text, start)
                if end is None:
                    break
                pieces.append("{" + _brace_shorthand_arguments(text[start + 1 : end]) + "}")
                position = end + 1
            elif text[start] == "\\" and (token := _COMMAND_TOKEN.match(text, start)):
                pieces.append("{" + token.group() + "}")
                position = token.end()
            elif text[start].isalnum():
                pieces.append("{" + text[start] + "}")
                position = start + 1
            else:  # "\\sqrt[3]{x}", or malformed: nothing to brace
                break
    pieces.append(text[position:])
    return "".join(pieces)


def repair_latex(answer: str) -> str:
    """An answer with the LaTeX shorthands math-verify misreads rewritten; same meaning.

    Drops explicit thousands separators (math-verify cannot parse `\\frac{12}{5,\\!525}`) and
    braces shorthand `\\frac`/`\\sqrt` arguments (see `_brace_shorthand_arguments`).
    """
    return _brace_shorthand_arguments(_LATEX_THOUSANDS_SEPARATOR.sub("", answer)).strip()


def normalize_answer(answer: str) -> str:
    """Canonical text of an answer: LaTeX spacing and wrappers removed, thousands commas dropped."""
    text = _TEXT_WRAPPER.sub(r"\1", repair_latex(answer))
    text = _DEGREES.sub("", text)
    text = _LATEX_NOISE.sub("", text).replace("dfrac", "frac").replace("tfrac", "frac")
    text = text.replace("\\%", "%").rstrip(".")
    if _COMMA_GROUPED.fullmatch(text) and not re.search(r",\s", answer):
        text = text.replace(",", "")
    return text


def as_number(text: str) -> float | None:
    """Value of a normalised answer that is a plain number, a/b, \\frac{a}{b} or a percentage."""
    if text.endswith("%"):
        value = as_number(text[:-1])
        return None if value is None else value / 100
    if _NUMBER.match(text):
        return float(text)
    if text.startswith("-\\frac"):  # "-\frac{1}{2}", MATH's way of writing a negative fraction
        value = as_number(text[1:])
        return None if value is None else -value
    fraction = _SIMPLE_FRACTION.match(text) or re.match(r"^(-?[\d.]+)/(-?[\d.]+)$", text)
    if fraction and _NUMBER.match(fraction.group(1)) and _NUMBER.match(fraction.group(2)):
        denominator = float(fraction.group(2))
        return None if denominator == 0 else float(fraction.group(1)) / denominator
    return None


def _is_collection(text: str) -> bool:
    """Whether a normalised answer is a tuple, list, interval or matrix: never one number.

    A comma-grouped integer ("70,110") is not counted: MATH writes solution lists that way,
    but it also reads as a number (see `_readings`)."""
    if "\\begin{" in text and "matrix}" in text:
        return True
    return "," in text and not _COMMA_GROUPED.fullmatch(text)


def _has_unknowns(answer: str) -> bool:
    """Whether an answer names a variable (`9c+6`, `2i`, `\\sec x`): never equal to a real
    number. Units in `\\text{}` are not variables; equations (`x=5`, which math-verify reads
    as 5) and subscripts (`204_5`, a base) are left to math-verify."""
    if "=" in answer or "_" in answer:
        return False
    return _UNKNOWN.search(_COMMAND_TOKEN.sub("", _TEXT_WRAPPER.sub("", answer))) is not None


def _close(x: float, y: float) -> bool:
    return math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-9)


def fast_verdict(left: str, right: str) -> bool | None:
    """True/False when cheap rules decide; None when only a symbolic check can."""
    a, b = normalize_answer(left), normalize_answer(right)
    if a == b:
        return True
    x, y = as_number(a), as_number(b)
    if x is None or y is None:
        # Closed forms (2\sqrt{3}, \frac{\pi}{4}) with different values differ; equal values
        # may still be written as an exact form against a rounded decimal: math-verify decides.
        x, y = numeric_value(a) if x is None else x, numeric_value(b) if y is None else y
        if x is None and y is None:
            return None
        if x is None or y is None:  # a number against something else
            number, other, raw_other = (right, a, left) if x is None else (left, b, right)
            # "70,110" is a number and MATH's list of two solutions: only a comma-free number
            # is surely not a tuple, list or interval.
            different = _is_collection(other) or _has_unknowns(raw_other)
            return False if "," not in number and different else None
        return None if _close(x, y) else False
    if _close(x, y):
        return True
    if a.endswith("%") != b.endswith("%"):  # "25%" also matches the bare 25 (module docstring)
        percent, other = (x, y) if a.endswith("%") else (y, x)
        return _close(percent * 100, other)
    return False


def _readings(answer: str) -> list[str]:
    """The LaTeX math-verify is given for an answer: its repaired text, and any second reading.

    A bare comma-grouped integer is ambiguous: "15,600" is a count, but MATH writes "70,110" for
    "Enter all the solutions, separated by commas". math-verify only reads the number, so the
    list is offered too, as a set; two answers are equivalent when any of their readings are.
    """
    text = repair_latex(answer)
    readings = [text]
    if _COMMA_GROUPED.fullmatch(text) and "." not in text:
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
