"""Engines: one interface (`Engine.generate`), one module per backend.

    engine = build_engine("solver", cfg.models.solver)
    completions = engine.generate(requests, chat=True)
"""

from __future__ import annotations

from omegaconf import DictConfig

from synth.engines.base import Engine


def build_engine(role: str, config: DictConfig) -> Engine:
    """The engine serving `role`; backends are imported lazily so optional extras stay optional."""
    if config.engine == "llama_cpp":
        from synth.engines.llama_cpp_engine import LlamaCppEngine as engine_class
    elif config.engine == "transformers":
        from synth.engines.transformers_engine import TransformersEngine as engine_class
    elif config.engine == "vllm":
        from synth.engines.vllm_engine import VLLMEngine as engine_class
    elif config.engine == "http":
        from synth.engines.http_engine import HttpEngine as engine_class
    elif config.engine == "replayed":  # recorded replies: benchmarks and tests only
        from synth.engines.replayed_roles import ReplayedEngine as engine_class
    else:
        raise ValueError(f"unknown engine {config.engine!r}")
    return engine_class(role, config)


__all__ = ["Engine", "build_engine"]
