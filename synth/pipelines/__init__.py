"""Stage plans: each `synth run` kind's builder (registered in synth/kinds/) lives here."""

from __future__ import annotations

from omegaconf import DictConfig

from synth.config.errors import ConfigError
from synth.kinds import Command, kind_named
from synth.stages.base import Stage


def build_stages(cfg: DictConfig) -> list[Stage]:
    """The ordered stages a `synth run` config describes, from its kind's builder; a
    ConfigError naming the right command for a kind that is not a stage plan."""
    kind = kind_named(cfg.pipeline)
    if kind.command != Command.run:
        raise ConfigError(f"pipeline: a `pipeline: {kind.name}` config is no stage plan; "
                          f"run it with `{kind.command_line('CONFIG')}`")
    return kind.entry_point()(cfg)
