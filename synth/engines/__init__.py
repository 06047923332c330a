"""Engines: one interface (`Engine.generate`), one module per backend.

    engine = build_engine("solver", cfg.models.solver)
    completions = engine.generate(requests, chat=True)
"""

from __future__ import annotations

import importlib

from omegaconf import DictConfig

from synth.config.common import EngineKind
from synth.engines.base import Engine

# What serves each engine kind, imported only when a role uses it (optional extras stay optional).
ENGINE_CLASSES = {
    EngineKind.llama_cpp: "synth.engines.llama_cpp_engine:LlamaCppEngine",
    EngineKind.transformers: "synth.engines.transformers_engine:TransformersEngine",
    EngineKind.vllm: "synth.engines.vllm_engine:VLLMEngine",
    EngineKind.http: "synth.engines.http_engine:HttpEngine",
    EngineKind.replayed: "synth.engines.replayed_roles:ReplayedEngine",  # benchmarks and tests
}


def build_engine(role: str, config: DictConfig) -> Engine:
    """The engine serving `role`."""
    if config.engine not in ENGINE_CLASSES:
        raise ValueError(f"unknown engine {config.engine!r}")
    module, name = ENGINE_CLASSES[config.engine].split(":")
    return getattr(importlib.import_module(module), name)(role, config)


__all__ = ["Engine", "build_engine"]
