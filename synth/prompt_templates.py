"""Fill `{name}` placeholders in user-editable prompt templates.

Only the named placeholders are replaced, so a template may contain JSON braces or `\\boxed{}`
without escaping them (str.format would choke on both).

Stages that ask for a reply format can also run in raw-prompt mode: `chat_template` wraps the
prompt in the model's own template and the assistant turn is started with `response_prefix`.
A 135M model that ignores "reply in this form" still continues a reply already in that form.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from omegaconf import DictConfig

from synth.engines.base import sampling_column
from synth.structured_replies import RESPONSE_SCHEMA, with_reply_schema

# What an engine round trip adds to a row; stages drop them once the reply is parsed.
REQUEST_COLUMNS = ("messages", "prompt", "sampling_params", "sample_index", "generated_text",
                   RESPONSE_SCHEMA)


def fill_template(template: str, **values: object) -> str:
    """`template` with each `{name}` replaced by `str(values[name])`."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", str(value))
    return template


def request_column(prompts: list[str], chat_template: str | None,
                   response_prefix: str) -> tuple[str, pa.Array]:
    """(`messages`, chat requests) or, with a chat template, (`prompt`, raw started replies)."""
    if chat_template:
        raw = [fill_template(chat_template, prompt=p) + response_prefix for p in prompts]
        return "prompt", pa.array(raw, pa.string())
    return "messages", pa.array([[{"role": "user", "content": p}] for p in prompts])


def reply_texts(generated: list[str | None], chat_template: str | None,
                response_prefix: str) -> list[str | None]:
    """The model's replies, with the started part put back in raw-prompt mode."""
    prefix = response_prefix if chat_template else ""
    return [None if text is None else prefix + text for text in generated]


def append_requests(batch: pa.Table, prompts: list[str], section: DictConfig,
                    seeds: list[int], reply_schema: dict[str, Any] | None = None) -> pa.Table:
    """`batch` with one engine request per row: the prompt (chat `messages`, or a raw started
    `prompt` when `section.chat_template` is set), seeded `sampling_params`, and the reply's
    JSON schema when the stage decodes under one."""
    name, requests = request_column(prompts, section.chat_template, section.response_prefix)
    return with_reply_schema(batch.append_column(name, requests)
                             .append_column("sampling_params",
                                            sampling_column(section.sampling, seeds)),
                             reply_schema)


def drop_request_columns(batch: pa.Table) -> pa.Table:
    """`batch` without the request and raw-reply columns of an engine round trip."""
    return batch.drop_columns([c for c in REQUEST_COLUMNS if c in batch.column_names])
