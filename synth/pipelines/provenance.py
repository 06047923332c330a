"""The run-wide provenance every final row carries: which models, which settings, which seed."""

from __future__ import annotations

import dataclasses
import json

from synth.config.common import PipelineBase
from synth.config.sections import Section


def model_provenance(cfg: PipelineBase, role: str) -> dict[str, str]:
    """Role, engine and model of one model role."""
    model = cfg.models[role]
    return {"role": role, "engine": str(model.engine), "model": model.model}


def settings_json(section: Section) -> str:
    """A config section as sorted JSON text (a struct column would give an empty list Arrow's
    null type, and settings differ in shape between sections)."""
    return json.dumps(dataclasses.asdict(section), sort_keys=True)
