"""The run-wide provenance every final row carries: which models, which settings, which seed."""

from __future__ import annotations

import json

from omegaconf import DictConfig, OmegaConf


def model_provenance(cfg: DictConfig, role: str) -> dict[str, str]:
    """Role, engine and model of one model role."""
    return {"role": role, "engine": cfg.models[role].engine, "model": cfg.models[role].model}


def settings_json(section: DictConfig) -> str:
    """A config section as sorted JSON text (a struct column would give an empty list Arrow's
    null type, and settings differ in shape between sections)."""
    return json.dumps(OmegaConf.to_container(section, resolve=True), sort_keys=True)
