"""`synth eval`: one model answers benchmark questions zero-shot; two matching rules score it."""

from __future__ import annotations

from synth.config.evaluation import EvalConfig
from synth.kinds import register_kind
from synth.kinds.kind import Command, PipelineKind

register_kind(PipelineKind("eval", EvalConfig, Command.eval,
                           "synth.evaluation.eval_runner:run_eval"))
