"""Any OpenAI-compatible endpoint, from an autoscaling pool of request workers.

`url` is the API base (e.g. `http://127.0.0.1:8000/v1`); chat rows go to `/chat/completions`,
raw prompts to `/completions`. The API key is read by the driver from the environment variable
named by `api_key_env` (workers on other nodes need not have it) and handed to the workers in
memory; it is never written to the config, the run directory or a log: error text is redacted
before it is stored, even when a server echoes the header back.

Ray's `HttpRequestProcessorConfig` was the first implementation; it raises once its retries
run out (`Reached maximum retries`), which ends the whole run at the first refused connection
or a long 429 spell. A remote server failing is data for synth, so the worker retries
connection errors, timeouts, 429 and 5xx with exponential backoff (honouring `Retry-After`),
keeps to `qps`, and returns what still fails as an error row.

A request with a reply schema offers it as `response_format`, first in OpenAI's `json_schema`
dialect, then as llama-cpp-python's `json_object` + `schema`. A server that refuses both (an
error that names the schema: `refuses_schema`) is asked in free text, once per replica found
out: those answers say `schema_decoded` False, the stage parses them leniently, and its record
counts them.
"""

from __future__ import annotations

import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from ray.data import Dataset

from synth.engines.base import Completion, CompletionWorker, Engine, replica_guard
from synth.engines.llm_rows import engine_sampling
from synth.engines.model_role import on_model_replicas
from synth.structured_replies import RESPONSE_SCHEMA

REDACTED = "[redacted]"
MAX_BACKOFF_S = 30.0


def redact(text: str, secret: str | None) -> str:
    """`text` with every occurrence of `secret` replaced."""
    return text.replace(secret, REDACTED) if secret else text


def completion_from_response(body: dict[str, Any]) -> Completion:
    """One engine answer from an OpenAI-style response body (or its error body)."""
    choices = body.get("choices") or []
    if not choices:
        return Completion(None, 0, 0, "error", f"response without choices: {body.get('error') or body}")
    choice = choices[0]
    text = (choice.get("message") or {}).get("content") if "message" in choice else choice.get("text")
    usage = body.get("usage") or {}
    return Completion(text, int(usage.get("prompt_tokens") or 0),
                      int(usage.get("completion_tokens") or 0), choice.get("finish_reason") or "stop")


class SchemaRefused(Exception):
    """The server refused a request because of its `response_format`."""


def schema_formats(schema: str) -> list[dict[str, Any]]:
    """The `response_format` dialects a reply schema is offered in, in order: OpenAI's
    `json_schema` (OpenAI, vLLM, SGLang), then `json_object` with a `schema` (llama-cpp-python's
    server, which refuses the first)."""
    parsed = json.loads(schema)
    return [{"type": "json_schema", "json_schema": {"name": "reply", "schema": parsed}},
            {"type": "json_object", "schema": parsed}]


def refuses_schema(status: int, body: str) -> bool:
    """Whether an error response refuses the reply schema rather than the request: a 400/422
    naming it, or a 500 naming `response_format` (llama-cpp-python's server answers its own
    validation errors with 500)."""
    text = body.lower()
    if status in (400, 422):
        return "response_format" in text or "schema" in text
    return status == 500 and "response_format" in text


def retry_wait(attempt: int, retry_after: str | None, base_s: float) -> float:
    """Seconds before retry `attempt` (0-based): the server's Retry-After, else doubling."""
    if retry_after:
        try:
            return min(float(retry_after), MAX_BACKOFF_S)
        except ValueError:
            pass
    return min(base_s * 2 ** attempt, MAX_BACKOFF_S)


class HttpWorker(CompletionWorker):
    """Sends one batch's requests, `concurrency` at a time, paced to `qps` for this replica."""

    def __init__(self, url: str, model: str, api_key: str | None, qps: float | None,
                 max_retries: int, concurrency: int, timeout_s: float, retry_base_s: float,
                 chat: bool, **guard: Any) -> None:
        super().__init__(chat, **guard)
        import requests

        self.session = requests.Session()
        self.url = url.rstrip("/") + ("/chat/completions" if chat else "/completions")
        self.model = model
        self.api_key = api_key
        self.interval = 1.0 / qps if qps else 0.0
        self.max_retries, self.max_concurrency = max_retries, max(1, concurrency)
        self.timeout_s, self.retry_base_s = timeout_s, retry_base_s
        self._pace_lock, self._next_send = threading.Lock(), 0.0
        self.pool = ThreadPoolExecutor(self.max_concurrency)
        self.refused_dialects: set[int] = set()  # schema dialects this server refused

    def complete_all(self, rows: list[dict[str, Any]]) -> list[Completion]:
        """A batch's requests side by side: each mostly waits on the network."""
        return list(self.pool.map(self._guarded_complete, rows))

    def complete(self, row: dict[str, Any]) -> Completion:
        payload = {"model": self.model, **engine_sampling(row["sampling_params"])}
        payload["messages" if self.chat else "prompt"] = row["messages" if self.chat else "prompt"]
        schema = row.get(RESPONSE_SCHEMA)
        if not schema:
            return self._send(payload)
        for dialect, response_format in enumerate(schema_formats(schema)):
            if dialect in self.refused_dialects:
                continue
            try:
                return replace(self._send({**payload, "response_format": response_format}),
                               schema_decoded=True)
            except SchemaRefused:
                self.refused_dialects.add(dialect)  # this server will not take it: ask the next way
        return replace(self._send(payload), schema_decoded=False)

    def _send(self, payload: dict[str, Any]) -> Completion:
        """One request, retried on connection errors, timeouts, 429 and 5xx; what still fails
        is an error row. An answer that refuses the reply schema raises SchemaRefused."""
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        failure = "no attempt made"
        for attempt in range(self.max_retries + 1):
            self._wait_for_turn()
            retry_after = None
            try:
                response = self.session.post(self.url, json=payload, headers=headers,
                                             timeout=self.timeout_s)
            except Exception as error:  # refused, reset, timed out: the server may come back
                failure = f"{type(error).__name__}: {error}"
            else:
                if response.status_code == 200:
                    try:
                        return completion_from_response(response.json())
                    except ValueError:
                        return Completion(None, 0, 0, "error", redact(
                            f"HTTP 200 with a body that is not JSON: {response.text[:200]}",
                            self.api_key))
                if "response_format" in payload and refuses_schema(response.status_code,
                                                                   response.text):
                    raise SchemaRefused(response.text[:300])
                failure = f"HTTP {response.status_code}: {response.text[:300]}"
                if response.status_code != 429 and response.status_code < 500:
                    break  # 4xx other than 429: asking again will not help
                retry_after = response.headers.get("Retry-After")
            if attempt < self.max_retries:
                time.sleep(retry_wait(attempt, retry_after, self.retry_base_s))
        tries = f" after {attempt + 1} attempts" if attempt else ""
        return Completion(None, 0, 0, "error", redact(f"{failure}{tries} ({self.url})",
                                                      self.api_key))

    def _wait_for_turn(self) -> None:
        """Keep this replica under `qps` requests a second, across its threads."""
        if not self.interval:
            return
        with self._pace_lock:
            now = time.monotonic()
            start = max(now, self._next_send)
            self._next_send = start + self.interval
        if start > now:
            time.sleep(start - now)


class HttpEngine(Engine):
    """Rate-limited concurrent requests to a remote model server."""

    def _complete(self, ds: Dataset, *, chat: bool) -> Dataset:
        c = self.config
        return on_model_replicas(ds, HttpWorker, c, url=c.url, model=c.model,
                                 api_key=os.environ.get(c.api_key_env) if c.api_key_env else None,
                                 qps=c.qps, max_retries=c.max_retries,
                                 concurrency=c.concurrency, timeout_s=c.request_timeout_s,
                                 retry_base_s=c.retry_base_s, chat=chat, **replica_guard(c, self.request_store))
