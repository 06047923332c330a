"""The numeric value of a closed-form answer (`2\\sqrt{3}`, `\\frac{\\pi}{4}`, `3^{2}-1`), cheaply.

Consensus votes compare many pairs of different answers, and telling `\\frac{\\sqrt{3}}{2}`
from `\\frac{1}{2}` through math-verify costs milliseconds of SymPy each time. Two answers
whose values differ are different answers, so the fast path evaluates what it can read here
and leaves everything else (variables, lists, intervals, units, text) to math-verify.

The grammar is deliberately small: numbers, `+ - * /`, `\\cdot`, `\\times`, `^`, `\\frac`,
`\\sqrt` (with an optional index), `\\pi`, parentheses and braces, and implicit multiplication
(`2\\sqrt{3}`, `3\\pi`). A number directly followed by `\\frac` is a mixed number to some and
a product to others, so it is not read at all. Input is a `normalize_answer` text (no spaces,
no `\\left`/`\\right`, `\\dfrac` already `\\frac`).
"""

from __future__ import annotations

import cmath
import math
import re

_TOKEN = re.compile(r"\d+(?:\.\d*)?|\.\d+|\\[a-zA-Z]+|[-+*/^(){}\[\]]")
_COMPLEX_TOKEN = re.compile(r"\d+(?:\.\d*)?|\.\d+|\\[a-zA-Z]+|[-+*/^(){}\[\]]|i(?![a-zA-Z])")
_MULTIPLY = {"*", "\\cdot", "\\times"}
_LARGEST = 1e300


class _Unreadable(Exception):
    """The text is outside the grammar: its value is left to math-verify."""


def numeric_value(text: str) -> float | None:
    """The value of `text` when it is a closed-form number in the grammar above, else None."""
    value = _evaluate(text, _TOKEN)
    if value is None or isinstance(value, complex) or not math.isfinite(value) \
            or abs(value) > _LARGEST:
        return None
    return float(value)


def complex_value(text: str) -> complex | None:
    """The value of a complex number written with `i` (`6-5i`, `6-i\\cdot5`, `\\frac{3i}{2}`)
    in the grammar above; None for a text without `i` or outside the grammar."""
    if "i" not in text.replace("\\pi", "").replace("\\frac", "").replace("\\sqrt", ""):
        return None
    value = _evaluate(text, _COMPLEX_TOKEN)
    if value is None or not cmath.isfinite(complex(value)) or abs(value) > _LARGEST:
        return None
    return complex(value)


def _evaluate(text: str, token_pattern: re.Pattern) -> float | complex | None:
    tokens = token_pattern.findall(text)
    if not tokens or "".join(tokens) != text:  # a character outside the grammar
        return None
    reader = _Reader(tokens)
    try:
        value = reader.expression()
        if reader.position != len(tokens):
            return None
    except (_Unreadable, ArithmeticError, ValueError, TypeError):
        return None
    return value


class _Reader:
    """Recursive descent over the tokens, evaluating as it goes."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.position = 0

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise _Unreadable(f"expected {expected!r}, found {token!r}")
        self.position += 1
        return token

    def expression(self) -> float:
        value = self.term()
        while self.peek() in ("+", "-"):
            value = value + self.term() if self.take() == "+" else value - self.term()
        return value

    def term(self) -> float:
        value = self.signed()
        while True:
            token = self.peek()
            if token in _MULTIPLY:
                self.take()
                value *= self.signed()
            elif token == "/":
                self.take()
                value /= self.signed()
            elif token is not None and _starts_atom(token):  # implicit: 2\sqrt{3}, 3\pi
                value *= self.power()
            else:
                return value

    def signed(self) -> float:
        if self.peek() in ("-", "+"):
            return -self.signed() if self.take() == "-" else self.signed()
        return self.power()

    def power(self) -> float:
        base = self.atom()
        if self.peek() != "^":
            return base
        self.take()
        exponent = self.group() if self.peek() == "{" else self.atom()
        if abs(exponent) > 1000:
            raise _Unreadable("exponent too large to be an answer")
        return base ** exponent

    def atom(self) -> float:
        token = self.take()
        if token[0].isdigit() or token[0] == ".":
            if self.peek() == "\\frac":
                raise _Unreadable("a number before \\frac: mixed number or product")
            return float(token)
        if token == "\\pi":
            return math.pi
        if token == "i":
            return 1j
        if token == "\\frac":
            numerator = self.argument()
            return numerator / self.argument()
        if token == "\\sqrt":
            index = 2.0
            if self.peek() == "[":
                self.take()
                index = self.expression()
                self.take("]")
            radicand = self.argument()
            if radicand < 0 or index == 0:
                raise _Unreadable("not a real root")
            return radicand ** (1 / index)
        if token == "(":
            value = self.expression()
            self.take(")")
            return value
        if token == "{":
            self.position -= 1
            return self.group()
        raise _Unreadable(f"unreadable token {token!r}")

    def group(self) -> float:
        self.take("{")
        value = self.expression()
        self.take("}")
        return value

    def argument(self) -> float:
        """A command argument: a braced group, or one digit (`\\frac12` after repair is braced)."""
        if self.peek() == "{":
            return self.group()
        token = self.take()
        if len(token) == 1 and token.isdigit():
            return float(token)
        raise _Unreadable("unbraced argument")


def _starts_atom(token: str) -> bool:
    return token in ("\\pi", "\\frac", "\\sqrt", "(", "{", "i") or token[0].isdigit()
