"""`synth train qpo`: ScaleQuest's question preference optimisation of the QFT generator."""

from __future__ import annotations

from synth.config.training import QPOConfig
from synth.kinds import register_kind
from synth.kinds.kind import Command, PipelineKind
from synth.kinds.qft import check_base_model

register_kind(PipelineKind("qpo", QPOConfig, Command.train, "synth.training.qpo:train",
                           check_base_model))
