"""Any OpenAI-compatible endpoint through a `ray.data.llm` HTTP processor.

`url` is the API base (e.g. `http://127.0.0.1:8000/v1`); chat rows go to `/chat/completions`,
raw prompts to `/completions`. The API key is read from the environment variable named by
`api_key_env` at run time and is never written to the config, the run directory or a log.
"""

from __future__ import annotations

import os
from functools import partial

from ray.data import Dataset

from synth.engines.base import Engine
from synth.engines.llm_rows import http_request, http_result


class HttpEngine(Engine):
    """Rate-limited concurrent requests to a remote model server."""

    def processor_config(self, chat: bool):
        """The `HttpRequestProcessorConfig` for this role."""
        from ray.data.llm import HttpRequestProcessorConfig

        c = self.config
        headers = None
        if c.api_key_env:
            headers = {"Authorization": f"Bearer {os.environ[c.api_key_env]}"}
        endpoint = "/chat/completions" if chat else "/completions"
        return HttpRequestProcessorConfig(
            url=c.url.rstrip("/") + endpoint,
            headers=headers,
            qps=int(c.qps) if c.qps else None,
            max_retries=c.max_retries,
            batch_size=c.batch_size,
            concurrency=tuple(c.replicas),
        )

    def _complete(self, ds: Dataset, *, chat: bool) -> Dataset:
        from ray.data.llm import build_processor

        processor = build_processor(self.processor_config(chat),
                                    preprocess=partial(http_request, chat=chat, model=self.config.model))
        return processor(ds).map(http_result)
