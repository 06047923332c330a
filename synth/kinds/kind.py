"""What a pipeline kind is: a config schema, its checks, and the command that runs it."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from omegaconf import DictConfig


class Command(StrEnum):
    """The `synth` command that runs a kind."""

    run = "run"  # a stage plan through the runner; `synth submit` sends it to a cluster
    eval = "eval"  # scores one model on benchmark sets
    train = "train"  # `synth train KIND`: produces a checkpoint


def no_checks(cfg: DictConfig, typed: Any) -> None:
    """For a kind whose sections' own and the shared checks say everything."""


@dataclass(frozen=True)
class PipelineKind:
    """One value of a config's `pipeline:` key.

    `entry` is "module:function", imported only when the command runs (a trainer pulls in
    torch): for `run`, `build(cfg) -> list[Stage]`; for `eval`, `run_eval(cfg)`; for `train`,
    `train(cfg) -> TrainingOutcome`. `checks(cfg, typed)` are the kind's checks that span its
    own sections (`typed` is the config as its schema's dataclasses)."""

    name: str
    schema: type
    command: Command
    entry: str
    checks: Callable[[DictConfig, Any], None] = no_checks

    def entry_point(self) -> Callable[..., Any]:
        module, function = self.entry.split(":")
        return getattr(importlib.import_module(module), function)

    def command_line(self, config: str) -> str:
        """The command that runs a config of this kind."""
        if self.command == Command.train:
            return f"synth train {self.name} {config}"
        return f"synth {self.command} {config}"
