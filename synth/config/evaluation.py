"""Config of `synth eval`: one model answers benchmark questions zero-shot."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, List

from synth.config.common import (
    SOLVE_PROMPT,
    BenchmarkConfig,
    PipelineBase,
    SamplingConfig,
    check_benchmark_names,
    packaged_benchmarks,
)
from synth.config.sections import need, need_placeholders


@dataclass
class EvalConfig(PipelineBase):
    """`synth eval`: one model answers benchmark questions zero-shot; two matching rules score it."""

    pipeline: str = "eval"
    model: str = "model"  # the role under `models` being evaluated
    prompt: str = SOLVE_PROMPT  # {question} is replaced
    sampling: SamplingConfig = field(
        default_factory=lambda: SamplingConfig(temperature=0.0, top_p=1.0, max_tokens=1024)
    )  # greedy, as benchmark numbers are reported
    benchmarks: List[BenchmarkConfig] = field(default_factory=packaged_benchmarks)
    comparison_timeout_s: float = 5.0  # limit for one math-verify comparison

    role_fields: ClassVar[tuple[str, ...]] = ("model",)

    def check(self) -> None:
        need_placeholders("prompt", self.prompt, "question")
        need(len(self.benchmarks) >= 1, "benchmarks", "name at least one benchmark", [])
        check_benchmark_names(self.benchmarks, "benchmarks")
        need(self.comparison_timeout_s > 0, "comparison_timeout_s", "must be > 0",
             self.comparison_timeout_s)
