"""Find the final answer in a model's solution text.

Order, as in MwpBench's matching rules: the last `\\boxed{...}` (braces balanced, so
`\\boxed{\\frac{1}{2}}` survives), else the text after "the answer is", else, when numbers are
allowed, the last number. `None` means the solution states no final answer.
"""

from __future__ import annotations

import re

_BOX_COMMANDS = ("\\boxed", "\\fbox")
_ANSWER_IS = re.compile(r"answer\s+is\s*:?\s*(.+?)(?:\.\s|\.$|\n|$)", re.IGNORECASE)
_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:/\d+)?|-?\.\d+")


def extract_boxed(text: str) -> str | None:
    """Content of the last `\\boxed{}` / `\\fbox{}` in `text`, or None."""
    start = max(text.rfind(command) for command in _BOX_COMMANDS)
    if start < 0:
        return None
    brace = text.find("{", start)
    end = closing_brace(text, brace) if brace >= 0 else None
    if end is None:  # no brace, or unbalanced: the model stopped mid-answer
        return None
    return text[brace + 1 : end].strip() or None


def closing_brace(text: str, opening: int) -> int | None:
    """Index of the brace closing `text[opening]`, or None when unbalanced."""
    depth = 0
    for position in range(opening, len(text)):
        if text[position] == "{":
            depth += 1
        elif text[position] == "}":
            depth -= 1
            if depth == 0:
                return position
    return None


def extract_answer(text: str | None, allow_last_number: bool = False) -> str | None:
    """The final answer stated in `text`, or None when it states none."""
    if not text:
        return None
    boxed = extract_boxed(text)
    if boxed is not None:
        return boxed
    stated = _ANSWER_IS.findall(text)
    if stated:
        answer = stated[-1].strip().strip("$").strip()
        if answer:
            return answer
    return extract_last_number(text) if allow_last_number else None


def extract_last_number(text: str | None) -> str | None:
    """The last number written in `text` (thousands commas removed), or None."""
    numbers = _NUMBER.findall(text or "")
    return numbers[-1].replace(",", "") if numbers else None
