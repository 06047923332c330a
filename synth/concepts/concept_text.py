"""Canonical text of a topic or knowledge point, so spelling variants meet in one node.

LLM extractions of one concept differ in case, spacing, quotes, list markers and final
full stops ("1. Pythagorean theorem." vs ' "pythagorean  Theorem" '). Both graphs count
occurrences per canonical text, and MathScale drops concepts seen once, so variants
that stayed apart would each look rare and vanish. Math symbols are kept: they carry
meaning ("a^2+b^2=c^2", "n!", "f'(x)").
"""

from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")
# "- x", "* x", "• x", "1. x", "2) x": list markers LLMs put before each item.
_LIST_MARKER = re.compile(r"^(?:[-*•·]+|\d{1,2}[.)])\s+")
_CLOSING = {'"': '"', "'": "'", "`": "`", "(": ")", "[": "]", "{": "}", "“": "”",
            "‘": "’", "«": "»", "<": ">"}
# "!" is factorial and ")" closes math, so only these count as trailing punctuation.
_TRAILING_PUNCTUATION = ",;:?"
# Placeholders a model writes when it found nothing.
_PLACEHOLDERS = frozenset({"none", "n/a", "na", "null", "nil", "unknown", "nan", "..."})


def canonical_concept(text: str) -> str:
    """The canonical form of `text`, or "" when nothing concept-like is left."""
    text = _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()
    previous = None
    while text != previous:
        previous = text
        text = _LIST_MARKER.sub("", text)
        text = text.rstrip(_TRAILING_PUNCTUATION).rstrip()
        if text.endswith(".") and not text.endswith(".."):  # keep an ellipsis "1+2+..."
            text = text[:-1].rstrip()
        if _is_wrapped(text):
            text = text[1:-1].strip()
    if text in _PLACEHOLDERS or not any(char.isalnum() for char in text):
        return ""
    return text


def _is_wrapped(text: str) -> bool:
    """Whether the first and last characters are one matching pair around everything.

    "(a+b)(c+d)" starts and ends with brackets that are not a pair, and "'a' and 'b'"
    with quotes that are not one pair: neither is wrapped.
    """
    if len(text) < 2 or _CLOSING.get(text[0]) != text[-1]:
        return False
    opening, closing = text[0], text[-1]
    if opening == closing:
        return opening not in text[1:-1]
    depth = 0
    for position, char in enumerate(text):
        depth += (char == opening) - (char == closing)
        if depth == 0:
            return position == len(text) - 1
    return False
