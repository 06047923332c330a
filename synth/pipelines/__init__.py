"""Stage plans: each `synth run` kind's builder (registered in synth/kinds/) lives here."""

from __future__ import annotations

from omegaconf import DictConfig

from synth.kinds import kind_named
from synth.stages.base import Stage


def build_stages(cfg: DictConfig) -> list[Stage]:
    """The ordered stages a `synth run` config describes, from its kind's builder."""
    return kind_named(cfg.pipeline).entry_point()(cfg)
