"""MathScale and GSDP (`synth run`): seeds -> concepts -> concept graph -> combinations ->
problems -> (GSDP: judges) -> quality -> final pairs. Their sections' own checks and the
shared ones cover them."""

from __future__ import annotations

from synth.config.concept_methods import GSDPPipelineConfig, MathScalePipelineConfig
from synth.kinds import register_kind
from synth.kinds.kind import Command, PipelineKind

BUILDER = "synth.pipelines.concept_methods:build_concept_method"

register_kind(PipelineKind("mathscale", MathScalePipelineConfig, Command.run, BUILDER))
register_kind(PipelineKind("gsdp", GSDPPipelineConfig, Command.run, BUILDER))
