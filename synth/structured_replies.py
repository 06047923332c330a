"""Replies with a shape: how a stage's JSON schema travels with its requests, and how a reply
decoded under it is read back.

A stage whose reply has a fixed shape (concept extraction, judges, solvability, concept
generation, QPO rewrites) declares that shape as a JSON schema next to its prompt. When the
stage's `structured` key is on and its engine can constrain decoding, every request carries the
schema as canonical JSON text in `response_schema` (part of the request's content key, so
switching the mode never replays an answer given under the other one), and the engine decodes
under it: llama.cpp through a grammar built from the schema, vLLM through the structured-output
field of its sampling parameters, an OpenAI-compatible server through `response_format`.

Each answer says how it was decoded in `schema_decoded`: True under the schema, False when a
server refused every schema dialect and answered in free text, null when no schema was asked.
A constrained reply is read strictly (JSON, then validated against the schema with
`jsonschema`); one that still fails (cut at `max_tokens`) is a counted drop reason
(`truncated` or `schema_violation`), never a crash. Free-text replies go to the stage's lenient
parser, as in unconstrained mode.
"""

from __future__ import annotations

import functools
import json
import re
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from omegaconf import DictConfig

from synth.config.common import EngineKind

if TYPE_CHECKING:
    from synth.engines.base import Engine

RESPONSE_SCHEMA = "response_schema"  # request column: the reply's JSON schema as JSON text
SCHEMA_DECODED = "schema_decoded"  # answer column: True schema, False free-text fallback, null none
# transformers' generate has no grammar; recorded replies (`replayed`) were decoded under one
ENGINES_WITH_SCHEMAS = (EngineKind.llama_cpp, EngineKind.vllm, EngineKind.http, EngineKind.replayed)

# A backslash JSON does not define (LaTeX's `\frac`, `\(`): the model meant a literal backslash.
_UNDEFINED_ESCAPE = re.compile(r'\\(?=[^"\\/bfnrtu])')
# Control characters a JSON escape turned a LaTeX command into (`\boxed` -> backspace + "oxed").
_LATEX_CONTROL = re.compile(r"[\x08\x0c]|[\t\r](?=[a-z])|\n(?=(?:eq|abla|ot|u|i|ewline)\b)")
_LATEX_ESCAPE = {"\x08": "\\b", "\x0c": "\\f", "\t": "\\t", "\r": "\\r", "\n": "\\n"}


def schema_text(schema: dict[str, Any]) -> str:
    """The schema as compact JSON text, keys in declaration order: a grammar makes the model
    write properties in the order the text lists them (a question before its solution), and
    one declaration always gives one text, so the same schema keys the same requests."""
    return json.dumps(schema, separators=(",", ":"))


def engine_decodes_under_schema(engine_kind: str) -> bool:
    """Whether an engine can constrain its decoding to a JSON schema."""
    return engine_kind in ENGINES_WITH_SCHEMAS


def reply_mode(section: DictConfig, engine: Engine,
               schema: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """How a stage asks for its replies: (`schema` when it decodes under it, its `structured`
    key on and its engine able, else None: free text, parsed leniently; and the dry run's word
    on it)."""
    if section.structured and engine.constrains_replies:
        return schema, "reply: JSON schema"
    if not section.structured:
        return None, "reply: free text (structured: false)"
    return None, f"reply: free text ({engine.kind} cannot constrain decoding)"


def with_reply_schema(batch: pa.Table, schema: dict[str, Any] | None) -> pa.Table:
    """Requests `batch` with the reply's schema in `response_schema`; unchanged without one
    (a free-text request keeps the content key it always had)."""
    if schema is None:
        return batch
    return batch.append_column(RESPONSE_SCHEMA,
                               pa.array([schema_text(schema)] * batch.num_rows, pa.string()))


def read_structured_reply(text: str | None, schema: dict[str, Any]) -> dict[str, Any] | None:
    """The reply as the schema's object, or None when it is not one (cut short, or a server
    that ignored the schema). LaTeX backslashes a model wrote unescaped are kept as written."""
    if not text:
        return None
    try:
        value = json.loads(_UNDEFINED_ESCAPE.sub(r"\\\\", text.strip()))
    except (ValueError, RecursionError):
        return None
    if not _validator(schema_text(schema)).is_valid(value):
        return None
    return _with_latex_restored(value)


@functools.lru_cache(maxsize=32)
def _validator(schema: str):
    """One validator per schema, checked once: `jsonschema.validate` re-checks the schema
    itself on every call, which a stage would pay once per row."""
    import jsonschema

    parsed = json.loads(schema)
    validator = jsonschema.validators.validator_for(parsed)
    validator.check_schema(parsed)
    return validator(parsed)


def schema_decoded_flags(batch: pa.Table) -> list[bool | None]:
    """Each answered row's `schema_decoded` (all null for rows from an engine that adds none)."""
    if SCHEMA_DECODED not in batch.column_names:
        return [None] * batch.num_rows
    return batch.column(SCHEMA_DECODED).to_pylist()


def _with_latex_restored(value: Any) -> Any:
    if isinstance(value, str):
        return _LATEX_CONTROL.sub(lambda m: _LATEX_ESCAPE[m.group(0)], value)
    if isinstance(value, list):
        return [_with_latex_restored(item) for item in value]
    if isinstance(value, dict):
        return {key: _with_latex_restored(item) for key, item in value.items()}
    return value
