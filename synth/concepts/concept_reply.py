"""Parse an LLM's concept-extraction reply into topics and knowledge points, robustly.

Small models wrap JSON in code fences, add chatter before and after it, stop mid-object, use
single quotes, or skip JSON and write "Topics: ..." lines. Each of those still yields concepts
when it can; otherwise the reply is rejected with a reason that summary.json counts.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass

_FENCE = re.compile(r"```(?:json)?\s*(.*?)(?:```|$)", re.DOTALL | re.IGNORECASE)
_LINE_FIELD = re.compile(r"^\W*(topics?|knowledge[ _]points?|kps?)\W*[:\-]\s*(.+)$",
                         re.IGNORECASE | re.MULTILINE)
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
    found = {}
    for key, value in _LINE_FIELD.findall(text):
        name = "topics" if key.lower().startswith("topic") else "knowledge_points"
        found.setdefault(name, [v.strip() for v in re.split(r"[;,]", value) if v.strip()])
    return found or None


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
