"""ScaleQuest's language filter: keep questions that are non-empty and pure ASCII.

The paper removes ~20% of raw questions here, mostly text in other languages and questions
full of symbols a tokenizer mangles.
"""

from __future__ import annotations

from typing import Any

from synth.config.scalequest import LanguageFilterConfig
from synth.stages.base import RowFilter


class LanguageFilter(RowFilter):
    """Drops `empty`, `too_short` and `non_ascii` questions."""

    name = "language_filter"
    funnel_label = "language"
    requires = ("question",)

    def __init__(self, config: LanguageFilterConfig) -> None:
        self.min_chars = int(config.min_chars)

    def reason(self, row: dict[str, Any]) -> str | None:
        text = (row["question"] or "").strip()
        if not text:
            return "empty"
        if len(text) < self.min_chars:
            return "too_short"
        if not text.isascii():
            return "non_ascii"
        return None
