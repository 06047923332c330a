"""QPO's preference pairs: the rewrite is chosen, the generator's own question rejected.

The pair's prompt is the bare template prefix — exactly what the generator sees when it writes
questions from scratch — so DPO moves the generator toward questions like the rewrites. Both
sides end with the end-of-turn marker, as QFT's texts do (TRL's DPOTrainer would append the EOS
to an unclosed side anyway). A draft cut at max_tokens still makes a rejected side: a question
the generator could not finish is exactly what QPO should move it away from. A question or
rewrite that cannot make a pair keeps a reason, which the run counts:

    question_engine_error, question_empty                               (the draft)
    rewrite_engine_error, rewrite_truncated, rewrite_schema_violation, rewrite_empty,
    rewrite_unchanged                                                    (the rewrite)

Where the optimizer's engine can, the rewrite is decoded under `REWRITE_SCHEMA`
(`{"question": "..."}`), so no label or chatter surrounds it.
"""

from __future__ import annotations

import re

from synth.engines.base import finish_drop_reason
from synth.quality.text_normalization import normalized_words
from synth.structured_replies import read_structured_reply

PAIR_COLUMNS = ("id", "goal", "prompt", "chosen", "rejected")
REWRITE_SCHEMA = {"type": "object", "properties": {"question": {"type": "string", "minLength": 10}},
                  "required": ["question"], "additionalProperties": False}

# Labels small models put before the rewrite ("Rewritten question:", "**Optimized Question:**").
_LEADING_LABEL = re.compile(
    r"^\s*\**\s*(?:(?:rewritten|optimi[sz]ed|revised|new|improved)\s+)?question\s*\**\s*:\s*\**\s*",
    re.IGNORECASE)


def draft_failure(question: str, finish_reason: str) -> str | None:
    """Why a drafted question cannot be paired, or None (a truncated draft can)."""
    if finish_reason == "error":
        return f"question_{finish_drop_reason(finish_reason)}"
    if not question.strip():
        return "question_empty"
    return None


def clean_rewrite(text: str | None) -> str:
    """The rewrite without surrounding whitespace, quotes or a leading "Question:" label."""
    return _LEADING_LABEL.sub("", text or "", count=1).strip().strip('"').strip()


def read_rewrite(text: str | None, schema_decoded: bool | None) -> str | None:
    """The rewritten question: the schema's field when decoded under REWRITE_SCHEMA (None when
    the reply fails it), else the cleaned free text."""
    if not schema_decoded:
        return clean_rewrite(text)
    data = read_structured_reply(text, REWRITE_SCHEMA)
    return None if data is None else data["question"].strip()


def rewrite_failure(question: str, rewrite: str | None, finish_reason: str) -> str | None:
    """Why a rewrite cannot be the chosen side, or None; `rewrite` None: it failed its schema."""
    if finish_drop_reason(finish_reason):
        return f"rewrite_{finish_drop_reason(finish_reason)}"
    if rewrite is None:
        return "rewrite_schema_violation"
    if not rewrite:
        return "rewrite_empty"
    if normalized_words(rewrite) == normalized_words(question):
        return "rewrite_unchanged"
    return None


def preference_pair(question: str, rewrite: str | None, prefix: str, end_of_turn: str) -> dict[str, str]:
    """prompt = bare template prefix, chosen = rewrite, rejected = the generator's question."""
    return {"prompt": prefix, "chosen": (rewrite or "") + end_of_turn,
            "rejected": question.strip() + end_of_turn}
