"""What kind of object a final answer is (number, expression, word, list, matrix), read cheaply.

Two answers of different kinds are different answers, and so are two numbers, or two lists of
numbers, with different values. A consensus vote mostly compares answers that differ, so telling
them apart here, in microseconds, spares math-verify's SymPy parse (milliseconds each) for the
pairs that might be equal. The reading is conservative: whatever it is not sure of (`\\pm`, sets
in braces, inequalities, `\\in`, trigonometry, factorials, text with digits in it) is UNKNOWN,
and a pair with an UNKNOWN side is left to math-verify.

The readings follow what math-verify itself accepts as equal (tests/unit/test_answer_shape.py
checks each decided pair against it): units in `\\text{}` are dropped (`9\\text{ a.m.}` is 9), a
base subscript is dropped (`204_5` is 204), `x = 5` and `f(x) = 2x` are read by their right-hand
side, `1\\frac{4}{5}` may mean 1 + 4/5 or 1 · 4/5 (both are kept), a percentage may mean its value
or its bare number, and a bare list is a set (`1,1` is the number 1), so a list counts as plural
only when two of its elements differ.
"""

from __future__ import annotations

import dataclasses
import enum
import re

from synth.answers.normalization import (
    COMMAND_TOKEN,
    as_number,
    comma_grouped_integer,
    normalize_answer,
    repair_latex,
    values_close,
)
from synth.answers.numeric_value import numeric_value

_UNSURE = re.compile(r"\\(?:pm|mp|in|notin|le|leq|ge|geq|ne|neq|cap|setminus|subset|subseteq"
                     r"|emptyset|varnothing)(?![a-zA-Z])|<|>|\\\{")
_NAMED_RESULT = re.compile(r"[a-zA-Z](?:\([a-zA-Z]\))?")  # `x`, `f(x)` on the left of `=`
_CONJUNCTION = re.compile(r"\\(?:text|mbox|mathrm)\s*\{\s*(?:and|or)\s*\}")
_WORDS = re.compile(r"\\(?:text|textbf|mathrm|mbox)\s*\{([^{}\d]*)\}(?:\^\{?\d\}?)?")
_MATRIX = re.compile(r"\\begin\{([pbvBV]?matrix)\}(.*)\\end\{\1\}", re.DOTALL)
_BASE_SUBSCRIPT = re.compile(r"(-?\d+(?:\.\d+)?)_\{?\d+\}?")
_MIXED_NUMBER = re.compile(r"(-?)(\d+)\\frac\{(\d+)\}\{(\d+)\}")
_VARIABLE = re.compile(r"[a-df-zA-Z]")  # `e` alone may be Euler's number
_OPENING, _CLOSING = "([{", ")]}"


class Kind(enum.Enum):
    NUMBER = "number"
    EXPRESSION = "expression"  # names a variable: `9c+6`, `2i`, `\\sec x`
    WORD = "word"              # text only: `\\text{Friday}`, `\\text{(E)}`
    COLLECTION = "collection"  # tuple, list, interval, union of intervals
    MATRIX = "matrix"
    UNKNOWN = "unknown"


@dataclasses.dataclass(frozen=True)
class Shape:
    kind: Kind
    # NUMBER: every value it may mean. COLLECTION / MATRIX: its elements' values, when all are
    # plain numbers (empty otherwise).
    values: tuple[float, ...] = ()
    letters: frozenset[str] = frozenset()  # EXPRESSION / WORD: its letters
    plural: bool = False                   # COLLECTION: two of its elements differ
    also_list: bool = False                # NUMBER: "70,110", also MATH's list of two solutions


UNKNOWN = Shape(Kind.UNKNOWN)


def read_shape(answer: str) -> Shape:
    """The kind of object `answer` denotes, with the values and letters it is compared by."""
    text = repair_latex(answer)
    if _UNSURE.search(text):
        return UNKNOWN
    if "=" in text:
        left, _, right = text.partition("=")
        named = "=" not in right and _NAMED_RESULT.fullmatch(left.strip())
        return read_shape(right) if named else UNKNOWN
    text = _CONJUNCTION.sub(",", text)
    if "\\cup" in text:
        return Shape(Kind.COLLECTION, plural=True)
    words = " ".join(_WORDS.findall(text))
    text = _WORDS.sub("", text).strip()
    if "\\text" in text or "\\mbox" in text:  # text with digits in it: math-verify's to read
        return UNKNOWN
    if not text.strip("() "):
        letters = frozenset(character for character in words if character.isalpha())
        return Shape(Kind.WORD, letters=letters) if letters else UNKNOWN
    if (matrix := _MATRIX.fullmatch(text)) is not None:
        entries = re.split(r"\\\\|&", matrix.group(2))
        values = [_value(normalize_answer(entry)) for entry in entries]
        return Shape(Kind.MATRIX, values=_all_values(values))
    if "\\\\" in text:
        return UNKNOWN
    also_list = comma_grouped_integer(text)
    normalized = normalize_answer(text)
    elements = [e for e in _top_level_elements(normalized) if e]
    if len(elements) >= 2:
        is_tuple = normalized.startswith("(") and normalized.endswith(")")  # `(1,1)` is no number
        values = [_value(element) for element in elements]
        return Shape(Kind.COLLECTION, values=_all_values(values),
                     plural=is_tuple or _plural(elements, values))
    return dataclasses.replace(_scalar_shape(normalized, text), also_list=also_list)


def surely_different(left: Shape, right: Shape) -> bool:
    """Whether two readings can never be the same object (False when unsure: not "equal")."""
    kinds = {left.kind, right.kind}
    if Kind.UNKNOWN in kinds:
        return False
    if kinds == {Kind.NUMBER}:
        return not any(values_close(x, y) for x in left.values for y in right.values)
    if Kind.NUMBER in kinds:
        number, other = (left, right) if left.kind is Kind.NUMBER else (right, left)
        if other.kind is Kind.COLLECTION:
            return other.plural and not number.also_list
        return other.kind is not Kind.WORD or other.letters != {"e"}
    plural_kinds = {Kind.COLLECTION, Kind.MATRIX}
    if kinds <= plural_kinds:
        return bool(left.values and right.values) and not _same_value_sets(left.values,
                                                                           right.values)
    if kinds & plural_kinds:
        many = left if left.kind in plural_kinds else right
        return many.kind is Kind.MATRIX or many.plural
    if kinds == {Kind.WORD, Kind.EXPRESSION}:
        word, expression = (left, right) if left.kind is Kind.WORD else (right, left)
        return not _lower(word.letters) <= _lower(expression.letters)  # `\\text{E}` is `E`
    return False  # two expressions or two words: only math-verify can tell


def _scalar_shape(text: str, written: str) -> Shape:
    """A normalised answer without a top-level comma: a number, an expression, or UNKNOWN.
    Its letters are read from the text as `written`, where `\\sec x` is not yet `\\secx`."""
    if text.endswith("%"):
        value = _value(text[:-1])
        return UNKNOWN if value is None else Shape(Kind.NUMBER, values=(value / 100, value))
    if (based := _BASE_SUBSCRIPT.fullmatch(text)) is not None:
        return Shape(Kind.NUMBER, values=(float(based.group(1)),))
    if (mixed := _MIXED_NUMBER.fullmatch(text)) is not None:
        sign = -1.0 if mixed.group(1) else 1.0
        whole, numerator, denominator = (float(group) for group in mixed.groups()[1:])
        if denominator == 0:
            return UNKNOWN
        fraction = numerator / denominator
        return Shape(Kind.NUMBER, values=(sign * (whole + fraction), sign * whole * fraction))
    if (value := _value(text)) is not None:
        return Shape(Kind.NUMBER, values=(value,))
    if "_" in text:
        return UNKNOWN
    letters = COMMAND_TOKEN.sub("", written)
    if _VARIABLE.search(letters):
        return Shape(Kind.EXPRESSION, letters=frozenset(c for c in letters if c.isalpha()))
    return UNKNOWN


def _value(text: str) -> float | None:
    value = as_number(text)
    return numeric_value(text) if value is None else value


def _all_values(values: list[float | None]) -> tuple[float, ...]:
    """Every element's value, or () when any element is not a plain number."""
    return () if any(value is None for value in values) else tuple(values)


def _plural(elements: list[str], values: list[float | None]) -> bool:
    """Whether two elements differ: `1,1` is a set of one (math-verify reads it as 1)."""
    first_text, first_value = elements[0], values[0]
    for text, value in zip(elements[1:], values[1:]):
        if value is not None and first_value is not None:
            if not values_close(value, first_value):
                return True
        elif text != first_text:
            return True
    return False


def _top_level_elements(text: str) -> list[str]:
    """The comma-separated parts of `text` outside any bracket, one enclosing bracket pair
    (`(1,2)`, `[0,1)`) removed first."""
    if len(text) >= 2 and text[0] in "([" and text[-1] in ")]" and _closes_at_end(text):
        text = text[1:-1]
    parts, depth, start = [], 0, 0
    for position, character in enumerate(text):
        if character in _OPENING:
            depth += 1
        elif character in _CLOSING:
            depth -= 1
        elif character == "," and depth == 0:
            parts.append(text[start:position])
            start = position + 1
    parts.append(text[start:])
    return parts


def _closes_at_end(text: str) -> bool:
    """Whether the bracket opening `text` is closed by its last character, not before."""
    depth = 0
    for position, character in enumerate(text):
        if character in _OPENING:
            depth += 1
        elif character in _CLOSING:
            depth -= 1
            if depth == 0:
                return position == len(text) - 1
    return False


def _same_value_sets(left: tuple[float, ...], right: tuple[float, ...]) -> bool:
    def covered(values: tuple[float, ...], by: tuple[float, ...]) -> bool:
        return all(any(values_close(value, other) for other in by) for value in values)

    return covered(left, right) and covered(right, left)


def _lower(letters: frozenset[str]) -> frozenset[str]:
    return frozenset(letter.lower() for letter in letters)
