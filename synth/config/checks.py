"""The checks every config validator shares; each failure names its key in one line:

    ConfigError("<key>: <what is wrong> (got <value>)")
"""

from __future__ import annotations

from typing import Any

from omegaconf import DictConfig

from synth.config.errors import ConfigError
from synth.prompt_templates import placeholders_missing
from synth.structured_replies import engine_decodes_under_schema


def fail(key: str, problem: str, value: Any) -> None:
    raise ConfigError(f"{key}: {problem} (got {value!r})")


def require(condition: bool, key: str, problem: str, value: Any) -> None:
    if not condition:
        fail(key, problem, value)


def check_role(key: str, role: str, models: DictConfig) -> None:
    require(role in models, key, f"names no role under models (have: {', '.join(models)})", role)


def check_sampling(key: str, sampling: DictConfig) -> None:
    require(sampling.temperature >= 0, f"{key}.temperature", "must be >= 0", sampling.temperature)
    require(0 < sampling.top_p <= 1, f"{key}.top_p", "must be in (0, 1]", sampling.top_p)
    require(sampling.max_tokens >= 1, f"{key}.max_tokens", "must be >= 1", sampling.max_tokens)


def check_prompt(key: str, template: str, *names: str) -> None:
    missing = placeholders_missing(template, *names)
    require(not missing, key, f"must contain {', '.join('{' + n + '}' for n in missing)}",
            template[:60] + ("..." if len(template) > 60 else ""))


def check_reply_mode(key: str, section: DictConfig, engine_kinds: list[str]) -> None:
    """A started free-text reply (`response_prefix`) cannot precede a schema-constrained one."""
    constrained = section.structured and any(map(engine_decodes_under_schema, engine_kinds))
    require(not (constrained and section.response_prefix), f"{key}.response_prefix",
            f"starts a free-text reply, which a JSON-schema reply cannot follow; set "
            f"{key}.structured: false to keep raw-prompt mode", section.response_prefix)
