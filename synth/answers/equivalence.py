"""Decide whether two final answers are mathematically the same.

A fast path (normalised text, then numbers and simple fractions) settles most pairs without
SymPy. The rest go to math-verify with its SIGALRM timeouts disabled — they raise off the main
thread, i.e. inside every Ray worker — and our own time limit instead: the check runs in a
daemon thread that is abandoned if it overruns, and an overrun counts as "not equivalent".
"""

from __future__ import annotations

import logging
import math
import re
import threading

# math-verify warns on every call that its own timeouts are off; we enforce ours, so hush it.
logging.getLogger("math_verify").setLevel(logging.ERROR)

_LATEX_NOISE = re.compile(r"\\left|\\right|\\!|\\,|\\;|\\:|\\displaystyle|\\\$|\$|\s+")
_TEXT_WRAPPER = re.compile(r"\\(?:text|textbf|mathrm|mbox)\{([^{}]*)\}")
_SIMPLE_FRACTION = re.compile(r"^\\[dt]?frac\{(-?[\d.]+)\}\{(-?[\d.]+)\}$")
_NUMBER = re.compile(r"^-?(?:\d+(?:\.\d*)?|\.\d+)$")
_DEGREES = re.compile(r"\^\{?\\circ\}?|°")


def normalize_answer(answer: str) -> str:
    """Canonical text of an answer: LaTeX spacing and wrappers removed, thousands commas dropped."""
    text = _TEXT_WRAPPER.sub(r"\1", answer)
    text = _DEGREES.sub("", text)
    text = _LATEX_NOISE.sub("", text)
    text = text.replace("dfrac", "frac").replace("tfrac", "frac").replace("\\%", "%")
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", text):
        text = text.replace(",", "")
    return text.rstrip(".")


def as_number(text: str) -> float | None:
    """Value of a normalised answer that is a plain number, a/b, \\frac{a}{b} or a percentage."""
    if text.endswith("%"):
        value = as_number(text[:-1])
        return None if value is None else value / 100
    if _NUMBER.match(text):
        return float(text)
    fraction = _SIMPLE_FRACTION.match(text) or re.match(r"^(-?[\d.]+)/(-?[\d.]+)$", text)
    if fraction and _NUMBER.match(fraction.group(1)) and _NUMBER.match(fraction.group(2)):
        denominator = float(fraction.group(2))
        return None if denominator == 0 else float(fraction.group(1)) / denominator
    return None


def fast_verdict(left: str, right: str) -> bool | None:
    """True/False when cheap rules decide; None when only a symbolic check can."""
    a, b = normalize_answer(left), normalize_answer(right)
    if a == b:
        return True
    x, y = as_number(a), as_number(b)
    if x is not None and y is not None:
        return math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-9)
    return None


def symbolic_verdict(left: str, right: str, timeout_s: float) -> bool:
    """math-verify's verdict, computed under our own time limit (False when it overruns)."""
    verdict: list[bool] = []

    def check() -> None:
        from math_verify import parse, verify

        try:
            gold = parse(f"\\boxed{{{left}}}", parsing_timeout=None)
            guess = parse(f"\\boxed{{{right}}}", parsing_timeout=None)
            verdict.append(bool(gold and guess and verify(gold, guess, timeout_seconds=None)))
        except Exception:  # math-verify raises on text it cannot parse: not equivalent
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
