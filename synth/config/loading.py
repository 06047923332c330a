"""Load a pipeline YAML, apply `key=value` overrides, and return a validated config.

Everything here runs before Ray starts, so a typo costs a second, not a GPU allocation:

    cfg = load_config("pipelines/quickstart.yaml", ["generate.num_questions=8"])
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import yaml
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from synth.config.errors import ConfigError
from synth.config.scalequest_filters_schema import DifficultyTrainingPipelineConfig
from synth.config.schema import (
    EvalConfig,
    GSDPPipelineConfig,
    MathScalePipelineConfig,
    ScaleQuestPipelineConfig,
)
from synth.config.training_schema import QFTConfig, QPOConfig
from synth.config.validation import validate

# Pipeline kind (the YAML's `pipeline:` key) -> the structured config it must match.
PIPELINE_SCHEMAS: dict[str, type] = {
    "scalequest": ScaleQuestPipelineConfig,
    "eval": EvalConfig,
    "mathscale": MathScalePipelineConfig,
    "gsdp": GSDPPipelineConfig,
    "difficulty": DifficultyTrainingPipelineConfig,
    "qft": QFTConfig,
    "qpo": QPOConfig,
}


def load_config(path: str | Path, overrides: Sequence[str] = ()) -> DictConfig:
    """Read `path`, merge it and `overrides` onto its schema, validate, and return it read-only."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    raw = _read_yaml(path)
    override_cfg = _parse_overrides(overrides)
    kind = OmegaConf.select(override_cfg, "pipeline", default=None) or raw.get("pipeline")
    if kind not in PIPELINE_SCHEMAS:
        known = ", ".join(sorted(PIPELINE_SCHEMAS))
        raise ConfigError(f"pipeline: unknown pipeline {kind!r} (expected one of: {known})")
    schema = OmegaConf.structured(PIPELINE_SCHEMAS[kind])
    try:
        cfg = OmegaConf.merge(schema, raw, override_cfg)
        if OmegaConf.is_missing(cfg.run, "name"):
            cfg.run.name = path.stem
        OmegaConf.resolve(cfg)
    except OmegaConfBaseException as error:
        raise ConfigError(_describe_omegaconf_error(error)) from None
    validate(cfg)
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
    """One line naming the key, instead of OmegaConf's multi-line report."""
    key = getattr(error, "full_key", None) or "config"
    message = str(error).splitlines()[0]
    return f"{key}: {message}"
