"""Load a pipeline YAML, apply `key=value` overrides, and return a validated config.

Everything here runs before Ray starts, so a typo costs a second, not a GPU allocation:

    cfg = load_config("pipelines/quickstart.yaml", ["generate.num_questions=8"])
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Sequence

import yaml
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from synth.config.errors import ConfigError
from synth.config.validation import validate
from synth.kinds import kind_named

# OmegaConf's words for a value outside an Enum field's choices.
_NOT_A_CHOICE = re.compile(r"Invalid value '(?P<value>.*)', expected one of \[(?P<choices>.*)\]")


def load_config(path: str | Path, overrides: Sequence[str] = ()) -> DictConfig:
    """Read `path`, merge it and `overrides` onto its schema, validate, and return it read-only."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    raw = _read_yaml(path)
    override_cfg = _parse_overrides(overrides)
    kind = kind_named(OmegaConf.select(override_cfg, "pipeline", default=None)
                      or raw.get("pipeline"))
    try:
        cfg = OmegaConf.merge(OmegaConf.structured(kind.schema), raw, override_cfg)
        if OmegaConf.is_missing(cfg.run, "name"):
            cfg.run.name = path.stem
        OmegaConf.resolve(cfg)
        validate(cfg, kind.checks)
    except OmegaConfBaseException as error:
        raise ConfigError(_describe_omegaconf_error(error)) from None
    OmegaConf.set_readonly(cfg, True)
    return cfg


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML ({error.__class__.__name__}: {error})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of keys at the top level")
    return raw


def _parse_overrides(overrides: Sequence[str]) -> DictConfig:
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"override {item!r}: expected key=value")
    try:
        return OmegaConf.from_dotlist(list(overrides))
    except OmegaConfBaseException as error:
        raise ConfigError(f"overrides: {error}") from None


def _describe_omegaconf_error(error: OmegaConfBaseException) -> str:
    """One line naming the key, instead of OmegaConf's multi-line report; a value outside an
    Enum field's choices reads like every other check's line."""
    key = getattr(error, "full_key", None) or "config"
    message = str(error).splitlines()[0]
    not_a_choice = _NOT_A_CHOICE.fullmatch(message)
    if not_a_choice:
        choices = not_a_choice["choices"].split(", ")
        wanted = f"one of {', '.join(choices)}" if len(choices) > 1 else choices[0]
        return f"{key}: must be {wanted} (got {not_a_choice['value']!r})"
    return f"{key}: {message}"
