"""Canonical text and plain numeric value of a final answer: what every cheap check reads.

Models and benchmarks write one answer many ways (`\\dfrac12`, `\\left( 1, 2 \\right)`,
`14,\\!400`, `\\$18`, `90^\\circ`); the fast path compares answers after this normalisation,
and math-verify is given `repair_latex`'s text, which it reads correctly where the raw text
trips it.
"""

from __future__ import annotations

import math
import re

from synth.answers.extraction import closing_brace
from synth.answers.number_forms import exact_number_forms

_LATEX_NOISE = re.compile(r"\\left|\\right|\\!|\\,|\\;|\\:|\\displaystyle|\\\$|\$|\s+")
TEXT_WRAPPER = re.compile(r"\\(?:text|textbf|mathrm|mbox)\{([^{}]*)\}")
_SIMPLE_FRACTION = re.compile(r"^\\[dt]?frac\{(-?[\d.]+)\}\{(-?[\d.]+)\}$")
PLAIN_NUMBER = re.compile(r"^-?(?:\d+(?:\.\d*)?|\.\d+)$")
_DEGREES = re.compile(r"\^\{?\\circ\}?|°")
# Thousands commas: only when written without a space after them ("70, 110" is a list).
COMMA_GROUPED = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")
# LaTeX's explicit thousands separators, as MATH writes them: "14,\!400", "1{,}000".
_LATEX_THOUSANDS_SEPARATOR = re.compile(r"(?<=\d)(?:,\\!|\{,\})(?=\d{3}(?!\d))")
_SHORTHAND_COMMAND = re.compile(r"\\(?:[dt]?frac|sqrt)(?![a-zA-Z])")
COMMAND_TOKEN = re.compile(r"\\[a-zA-Z]+|\\.")


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
            elif text[start] == "\\" and (token := COMMAND_TOKEN.match(text, start)):
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

    Drops explicit thousands separators (math-verify cannot parse `\\frac{12}{5,\\!525}`),
    braces shorthand `\\frac`/`\\sqrt` arguments (see `_brace_shorthand_arguments`) and spells
    scientific notation and repeating decimals as exact numbers (`number_forms`).
    """
    text = _brace_shorthand_arguments(_LATEX_THOUSANDS_SEPARATOR.sub("", answer))
    return exact_number_forms(text).strip()


def normalize_answer(answer: str) -> str:
    """Canonical text of an answer: LaTeX spacing and wrappers removed, thousands commas dropped."""
    text = TEXT_WRAPPER.sub(r"\1", repair_latex(answer))
    text = _DEGREES.sub("", text)
    text = _LATEX_NOISE.sub("", text).replace("dfrac", "frac").replace("tfrac", "frac")
    text = text.replace("\\%", "%").rstrip(".")
    if COMMA_GROUPED.fullmatch(text) and not re.search(r",\s", answer):
        text = text.replace(",", "")
    return text


def as_number(text: str) -> float | None:
    """Value of a normalised answer that is a plain number, a/b, \\frac{a}{b} or a percentage."""
    if text.endswith("%"):
        value = as_number(text[:-1])
        return None if value is None else value / 100
    if PLAIN_NUMBER.match(text):
        return float(text)
    if text.startswith("-\\frac"):  # "-\frac{1}{2}", MATH's way of writing a negative fraction
        value = as_number(text[1:])
        return None if value is None else -value
    fraction = _SIMPLE_FRACTION.match(text) or re.match(r"^(-?[\d.]+)/(-?[\d.]+)$", text)
    if fraction and PLAIN_NUMBER.match(fraction.group(1)) and PLAIN_NUMBER.match(fraction.group(2)):
        denominator = float(fraction.group(2))
        return None if denominator == 0 else float(fraction.group(1)) / denominator
    return None


def comma_grouped_integer(text: str) -> bool:
    """Whether `text` is a bare comma-grouped integer ("70,110"): a count to some, MATH's list of
    two solutions to others, so it is read both ways."""
    return bool(COMMA_GROUPED.fullmatch(text)) and "." not in text


def values_close(x: float, y: float) -> bool:
    """Whether two numeric answers are the same number: whole numbers exactly (1000000 is not
    999999, which a relative tolerance would accept), others to a relative 1e-6."""
    if x.is_integer() and y.is_integer():
        return x == y
    return math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-9)
