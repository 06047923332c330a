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

import json
import re
from typing import Any

import pyarrow as pa
from omegaconf import DictConfig

RESPONSE_SCHEMA = "response_schema"  # request column: the reply's JSON schema as JSON text
SCHEMA_DECODED = "schema_decoded"  # answer column: True schema, False free-text fallback, null none
ENGINES_WITH_SCHEMAS = ("llama_cpp", "vllm", "http")  # transformers' generate has no grammar

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


def stage_reply_schema(section: DictConfig, engine: Any,
                       schema: dict[str, Any]) -> dict[str, Any] | None:
    """`schema` when the stage decodes under it (its `structured` key on, its engine able),
    else None: the stage then asks for free text and parses it leniently."""
    return schema if section.structured and engine.constrains_replies else None


def reply_decoding_line(schema: dict[str, Any] | None, section: DictConfig, engine: Any) -> str:
    """The dry run's word on how a stage's replies are decoded."""
    if schema is not None:
        return "reply: JSON schema"
    if not section.structured:
        return "reply: free text (structured: false)"
    return f"reply: free text ({engine.kind} cannot constrain decoding)"


def read_structured_reply(text: str | None, schema: dict[str, Any]) -> dict[str, Any] | None:
    """The reply as the schema's object, or None when it is not one (cut short, or a server
    that ignored the schema). LaTeX backslashes a model wrote unescaped are kept as written."""
    import jsonschema

    if not text:
        return None
    try:
        value = json.loads(_UNDEFINED_ESCAPE.sub(r"\\\\", text.strip()))
    except (ValueError, RecursionError):
        return None
    try:
        jsonschema.validate(value, schema)
    except jsonschema.ValidationError:
        return None
    return _with_latex_restored(value)


def schema_decoded_flags(batch: pa.Table) -> list[bool | None]:
    """Each answered row's `schema_decoded` (all null for rows from an engine that adds none)."""
    if SCHEMA_DECODED not in batch.column_names:
        return [None] * batch.num_rows
    return batch.column(SCHEMA_DECODED).to_pylist()


def structured_failure(finish_reason: str | None) -> str:
    """Why a constrained reply failed its schema: cut at max_tokens, or anything else."""
    return "truncated" if finish_reason == "length" else "schema_violation"


def _with_latex_restored(value: Any) -> Any:
    if isinstance(value, str):
        return _LATEX_CONTROL.sub(lambda m: _LATEX_ESCAPE[m.group(0)], value)
    if isinstance(value, list):
        return [_with_latex_restored(item) for item in value]
    if isinstance(value, dict):
        return {key: _with_latex_restored(item) for key, item in value.items()}
    return value
