"""Number forms rewritten to one exact spelling before any comparison.

- **Scientific notation**, as a float literal (`4.5e33`, `2.5E-3`) or in LaTeX
  (`4.5\\times10^{33}`, `9.28 \\cdot 10^{2}`), becomes the plain decimal it denotes, computed
  with `Decimal` so `9.28 \\cdot 10^{2}` is exactly `928`, not 927.9999999999999.
- **Repeating decimals** (`4.\\overline{6}`, `0.1\\overline{27}`, `\\bar{3}` too) become the
  exact fraction (`\\frac{14}{3}`).

Only a whole number written this way is rewritten; anything around it is left as it was.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

_FLOAT_LITERAL = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)[eE]([+-]?\d+)(?![\w.])")
_TIMES_POWER_OF_TEN = re.compile(
    r"(?<![\w.])(-?\d+(?:\.\d+)?)\s*(?:\\times|\\cdot|\*)\s*10\s*\^\s*(?:\{\s*([+-]?\d+)\s*\}|([+-]?\d))")
_REPEATING = re.compile(r"(?<![\w.])(\d*)\.(\d*)\\(?:overline|bar)\{(\d+)\}")
_MAX_EXPONENT = 400  # beyond this, a literal is not an answer anyone wrote out: left alone


def _plain_decimal(mantissa: str, exponent: str) -> str | None:
    try:
        power = int(exponent)
        if abs(power) > _MAX_EXPONENT:
            return None
        value = Decimal(mantissa).scaleb(power)
    except (InvalidOperation, ValueError):
        return None
    text = format(value.normalize(), "f")
    return text


def _repeating_fraction(whole: str, fixed: str, repeat: str) -> str:
    """`whole.fixed(repeat)...` as \\frac{p}{q}, exactly."""
    value = Fraction(int(whole or "0")) + Fraction(int(fixed or "0"), 10 ** len(fixed)) \
        + Fraction(int(repeat), (10 ** len(repeat) - 1) * 10 ** len(fixed))
    if value.denominator == 1:
        return str(value.numerator)
    return f"\\frac{{{value.numerator}}}{{{value.denominator}}}"


def exact_number_forms(answer: str) -> str:
    """`answer` with scientific notation and repeating decimals spelt as exact numbers."""
    text = _FLOAT_LITERAL.sub(lambda m: _plain_decimal(m.group(1), m.group(2)) or m.group(), answer)
    text = _TIMES_POWER_OF_TEN.sub(
        lambda m: _plain_decimal(m.group(1), m.group(2) or m.group(3)) or m.group(), text)
    return _REPEATING.sub(lambda m: _repeating_fraction(m.group(1), m.group(2), m.group(3)), text)
