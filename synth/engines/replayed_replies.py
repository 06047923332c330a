"""Recorded replies a `replayed` model role answers with: a benchmark and test tool, never a default.

    models:
      solver: {engine: replayed, model: bench/replies/solutions.parquet}

A replies file is Parquet with either a `text` column (completions, with an optional
`num_generated_tokens`) or a `score` column (scorers: difficulty, reward). It lets a whole
stage plan run at paper volume with every stage real but the model: the replies are real
model and dataset text, so parsing, filters, votes, dedup and bookkeeping do their real work.

Which reply a request gets is a pure function of the request, so a rerun and a resumed run
see the same replies:
- a request's *base* is a hash of what it asks (messages or prompt, schema) and its seed; the
  samples of one fanned-out request share the base (their seed minus their `sample_index`);
- a sample's *variant* is 0 for three samples in five and 1 or 2 otherwise, so a request's
  samples agree about as often as a small model's do;
- the reply is row `(base + variant) % rows` of the file, varied as the file's metadata
  (`synth.variation`) says: `none` (verdicts, concept lists), `numbers` (every digit
  rotated by a step drawn from (base, variant)) or `sentences` (numbers, and the reply's second half of
  sentences taken from a partner row picked by the base). A JSON reply is varied field by
  field, so it stays the same JSON shape. `sentences` gives a million requests a million
  texts from a file of thousands, as sampled generations are, not near-duplicates of each other
  that dedup would fold back into the file's rows.

Input tokens are estimated as characters / 4 (no tokenizer is loaded); output tokens come from
the file when it records them, else the same estimate.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

REPLY_TEXT = "text"
REPLY_TOKENS = "num_generated_tokens"
REPLY_SCORE = "score"
VARIATION = b"synth.variation"  # file metadata: none | numbers | sentences (see above)
VARIATIONS = ("none", "numbers", "sentences")
SOURCE = b"synth.source"  # file metadata: where the replies were recorded from
AGREEING_VARIANTS = 3  # of every 5 samples, this many take variant 0
_DIGIT_ROTATIONS = [str.maketrans("0123456789", "0123456789"[step:] + "0123456789"[:step])
                    for step in range(1, 10)]
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


class RepliesFileError(ValueError):
    """A replies file is missing, unreadable, or has neither a `text` nor a `score` column."""


@dataclass(frozen=True)
class RecordedReplies:
    """One replies file, loaded once per replica."""

    texts: list[str] | None
    tokens: list[int] | None
    scores: list[float] | None
    variation: str = "none"

    @property
    def size(self) -> int:
        return len(self.texts if self.texts is not None else self.scores or [])


def describe_replies_file(path: str) -> tuple[str, int]:
    """(`text` or `score`, rows) of a replies file; RepliesFileError says what is wrong."""
    try:
        schema = pq.read_schema(path)
        rows = pq.read_metadata(path).num_rows
    except (OSError, ValueError) as error:
        raise RepliesFileError(f"not a readable Parquet replies file ({error})") from None
    kind = next((c for c in (REPLY_TEXT, REPLY_SCORE) if c in schema.names), None)
    if kind is None:
        raise RepliesFileError(f"has neither a `{REPLY_TEXT}` nor a `{REPLY_SCORE}` column "
                               f"(columns: {', '.join(schema.names)})")
    if rows == 0:
        raise RepliesFileError("has no rows")
    return kind, rows


def load_replies(path: str) -> RecordedReplies:
    """The replies in `path`; a replica loads them once, in its constructor."""
    describe_replies_file(path)
    table = pq.read_table(path)
    metadata = table.schema.metadata or {}
    names = table.column_names
    return RecordedReplies(
        texts=table.column(REPLY_TEXT).to_pylist() if REPLY_TEXT in names else None,
        tokens=table.column(REPLY_TOKENS).to_pylist() if REPLY_TOKENS in names else None,
        scores=table.column(REPLY_SCORE).to_pylist() if REPLY_SCORE in names else None,
        variation=metadata.get(VARIATION, b"none").decode())


def _hash(*parts: Any) -> int:
    text = "\x1d".join(map(str, parts))
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def request_base_and_variant(request: dict[str, Any], sample_index: int | None) -> tuple[int, int]:
    """(base, variant) of one request row (see the module docstring)."""
    params = request.get("sampling_params") or {}
    index = int(sample_index or 0)
    asked = request.get("prompt") or "\x1e".join(f"{m['role']}\x1f{m['content']}"
                                                  for m in request.get("messages") or [])
    base = _hash(asked, request.get("response_schema") or "",
                 int(params.get("seed") or 0) - index, params.get("temperature"))
    if index == 0 or not params.get("temperature"):
        return base, 0
    draw = _hash(base, index) % 5
    return base, 0 if draw < AGREEING_VARIANTS else draw - AGREEING_VARIANTS + 1


def with_numbers_rewritten(text: str, seed: int) -> str:
    """`text` with every digit rotated by one of 9 steps drawn from `seed` (3 -> 5 for step 2):
    new numbers at C speed, a reply's own numbers changed alike."""
    return text.translate(_DIGIT_ROTATIONS[seed % len(_DIGIT_ROTATIONS)])


def crossed(text: str, partner: str) -> str:
    """The first half of `text`'s sentences followed by the second half of `partner`'s."""
    own, other = _SENTENCE_END.split(text), _SENTENCE_END.split(partner)
    return " ".join(own[:max(1, len(own) // 2)] + other[len(other) // 2:])


def varied(text: str, partner: str, variation: str, seed: int) -> str:
    """`text` varied as `variation` says; a JSON object field by field (its string fields)."""
    if variation == "none":
        return text
    if text.startswith("{"):
        try:
            reply, other = json.loads(text), json.loads(partner)
        except ValueError:
            reply = None
        if isinstance(reply, dict):
            other = other if isinstance(other, dict) else {}
            return json.dumps({key: varied(value, str(other.get(key, value)), variation, seed)
                               if isinstance(value, str) else value
                               for key, value in reply.items()})
    if variation == "sentences":
        text = crossed(text, partner)
    return with_numbers_rewritten(text, seed)


def replayed_text(replies: RecordedReplies, base: int, variant: int) -> tuple[str, int]:
    """The reply text for (base, variant) and its output tokens."""
    row = (base + variant) % replies.size
    partner = (row + 1 + base % max(1, replies.size - 1)) % replies.size
    text = varied(replies.texts[row], replies.texts[partner], replies.variation,
                  _hash(base, variant))
    tokens = replies.tokens[row] if replies.tokens is not None else estimated_tokens(text)
    return text, int(tokens)


def replayed_score(replies: RecordedReplies, request_text: str) -> float:
    """The recorded score for a scorer's request (its question, or question and solution)."""
    return float(replies.scores[_hash(request_text) % replies.size])


def estimated_tokens(text: str | None) -> int:
    """Tokens of `text`, estimated as characters / 4 (about right for English and LaTeX)."""
    return max(1, len(text or "") // 4)


def replies_path(model: str) -> str:
    """The replies file a role's `model` names, resolved to an absolute path."""
    return str(Path(model).expanduser().resolve())
