"""Parse an LLM's concept-extraction reply into topics and knowledge points, robustly.

Small models wrap JSON in code fences, add chatter before and after it, stop mid-object, use
single quotes, or skip JSON and write "Topics: ..." lines or numbered lists under a heading.
Each of those still yields concepts when it can (list items are cut to their name, items
without a letter are discarded); otherwise the reply is rejected with a reason that
summary.json counts.

The reply's shape is also declared here as a JSON schema (`concept_reply_schema`), for engines
that decode under it: each concept a short phrase that starts with a letter (a `pattern` with
a length limit), so a constrained model writes "prime factorization", not a sentence.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass

_FENCE = re.compile(r"```(?:json)?\s*(.*?)(?:```|$)", re.DOTALL | re.IGNORECASE)
_HEADING = re.compile(r"^\W*(topics?|knowledge[ _]points?|kps?)\W*[:\-]\s*(.*)$", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s*(?:\d+[.)]|[-*\u2022])\s*(.*)$")
MAX_CONCEPT_CHARS = 80
MAX_SCHEMA_CONCEPT_CHARS = 48
# A short noun phrase of words: letters, spaces, hyphens and apostrophes. No digits: with them
# SmolLM2 wrote problem-specific items ("n-1", "multiplication by 2") that never recur.
CONCEPT_PHRASE = {"type": "string",
                  "pattern": f"^[A-Za-z][A-Za-z '-]{{2,{MAX_SCHEMA_CONCEPT_CHARS - 1}}}$"}
TOPIC_KEYS = ("topics", "topic")
KP_KEYS = ("knowledge_points", "knowledge points", "knowledgepoints", "kps", "knowledge_point")


@dataclass(frozen=True)
class ConceptReply:
    """Concepts found in one reply, or the reason none were."""

    topics: list[str]
    knowledge_points: list[str]
    reason: str | None = None  # bad_json | no_concepts | None when usable


def parse_concept_reply(text: str | None, max_topics: int, max_knowledge_points: int) -> ConceptReply:
    """Topics and KPs from `text` (at most the configured numbers, in the model's order)."""
    if not text or not text.strip():
        return ConceptReply([], [], "no_concepts")
    data = _json_object(text)
    if data is None:
        data = _line_fields(text)
        if data is None:
            return ConceptReply([], [], "bad_json")
    topics = _strings(_pick(data, TOPIC_KEYS))[:max_topics]
    kps = _strings(_pick(data, KP_KEYS))[:max_knowledge_points]
    if not kps:
        return ConceptReply(topics, [], "no_concepts")
    return ConceptReply(topics, kps)


def concept_reply_schema(max_topics: int, max_knowledge_points: int,
                         name_topics: bool = True) -> dict:
    """The reply as a JSON schema: 1..max_topics topics (only when the model names them; seeds
    with their own topic label do not ask) and 1..max_knowledge_points knowledge points."""
    properties = {}
    if name_topics:
        properties["topics"] = {"type": "array", "items": CONCEPT_PHRASE,
                                "minItems": 1, "maxItems": max_topics}
    properties["knowledge_points"] = {"type": "array", "items": CONCEPT_PHRASE,
                                      "minItems": 1, "maxItems": max_knowledge_points}
    return {"type": "object", "properties": properties, "required": list(properties),
            "additionalProperties": False}


def concept_reply_from_object(data: dict) -> ConceptReply:
    """Topics and KPs of a reply already read and validated under `concept_reply_schema`
    (repeated items once, in the model's order)."""
    return ConceptReply(_strings(data.get("topics", [])), _strings(data["knowledge_points"]))


def _json_object(text: str) -> dict | None:
    fenced = _FENCE.search(text)
    candidate = fenced.group(1) if fenced else text
    start = candidate.find("{")
    if start < 0:
        return None
    body = candidate[start:]
    for attempt in (body[: body.rfind("}") + 1], _closed(body)):
        for loader in (json.loads, ast.literal_eval):
            try:
                value = loader(attempt)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue
            if isinstance(value, dict):
                return {str(k).lower(): v for k, v in value.items()}
    return None


def _closed(body: str) -> str:
    """A truncated JSON object closed after its last complete item (a cut-off string is dropped)."""
    if body.count('"') % 2:
        body = body[: body.rfind('"')]
    body = body.rstrip().rstrip(",").rstrip()
    if body.endswith(":"):  # a key whose value never came
        body = body[: body.rfind('"', 0, body.rfind('"'))].rstrip().rstrip(",")
    stack = []
    in_string = False
    for char in body:
        if char == '"':
            in_string = not in_string
        elif not in_string and char in "[{":
            stack.append("]" if char == "[" else "}")
        elif not in_string and char in "]}" and stack:
            stack.pop()
    return body.rstrip(",") + "".join(reversed(stack))


def _line_fields(text: str) -> dict | None:
    """Items under "Topics:" / "Knowledge points:" headings: inline (a; b) or listed below."""
    found: dict[str, list[str]] = {}
    section = None
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            section = "topics" if heading.group(1).lower().startswith("topic") else "knowledge_points"
            found.setdefault(section, []).extend(re.split(r"[;,]", heading.group(2)))
            continue
        item = _LIST_ITEM.match(line)
        if section and item:
            found[section].append(item.group(1))
        elif line.strip():
            section = None  # prose ends a list
    found = {key: [c for c in map(_concept_name, items) if c] for key, items in found.items()}
    return found or None  # a heading with no usable item is no_concepts, not bad_json


def _concept_name(item: str) -> str:
    """A list item cut to its name: text before a colon, at most MAX_CONCEPT_CHARS; "" if no letter."""
    name = item.split(":")[0].strip().strip(".").strip()
    if len(name) > MAX_CONCEPT_CHARS:
        name = name[:MAX_CONCEPT_CHARS].rsplit(" ", 1)[0]
    return name if re.search(r"[^\W\d_]", name) else ""


def _pick(data: dict, keys: tuple[str, ...]) -> object:
    return next((data[k] for k in keys if k in data), [])


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    out = []
    for item in value:
        if isinstance(item, dict):  # {"name": ...} objects some models emit
            item = item.get("name") or item.get("text") or next(iter(item.values()), "")
        text = str(item).strip()
        if text and text not in out:
            out.append(text)
    return out
