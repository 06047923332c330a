"""Stage plans, one builder per pipeline kind (the YAML's `pipeline:` key)."""

from __future__ import annotations

from typing import Callable

from omegaconf import DictConfig

from synth.pipelines.concept_methods import build_concept_method
from synth.pipelines.scalequest import build_scalequest
from synth.stages.base import Stage

PIPELINE_BUILDERS: dict[str, Callable[[DictConfig], list[Stage]]] = {
    "scalequest": build_scalequest,
    "mathscale": build_concept_method,
    "gsdp": build_concept_method,
}


def build_stages(cfg: DictConfig) -> list[Stage]:
    """The ordered stages the config describes."""
    return PIPELINE_BUILDERS[cfg.pipeline](cfg)
