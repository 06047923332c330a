"""The longest context a model was trained for, where synth knows it before loading the model:
packaged models carry it in their table, a Hugging Face checkpoint in its config.json
(`max_position_embeddings`). A role's `context_length` beyond it is a config error, since the
model would read positions it never learned. HTTP servers and hub ids are not looked into:
their `context_length` is trusted.
"""

from __future__ import annotations

import json
from pathlib import Path

from synth.engines.packaged_models import PACKAGED_CONTEXT_LENGTHS


def trained_context_length(engine: str, model: str) -> int | None:
    """Tokens `model` (as `engine` serves it) was trained to attend to, or None if unknown."""
    if model in PACKAGED_CONTEXT_LENGTHS:
        return PACKAGED_CONTEXT_LENGTHS[model]
    config = Path(model).expanduser() / "config.json"
    if engine == "http" or not config.is_file():
        return None
    try:
        limit = json.loads(config.read_text()).get("max_position_embeddings")
    except (OSError, ValueError):  # the engine's own load says what is wrong with it
        return None
    return limit if isinstance(limit, int) else None
