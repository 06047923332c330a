"""GPU figures, when a GPU is present: vLLM tokens/s per replica and projected GPU-hours per 1M pairs.

    python -m bench.gpu_throughput [--quick] [--model Qwen/Qwen2-Math-7B-Instruct]

Skipped (reported as such) without a CUDA GPU and vLLM. With them, synth's `vllm` engine
(one replica, through `ray.data.llm`) writes ScaleQuest solutions for GSM8K test questions with
the paper's sampling; the same-run baseline is vLLM's own `LLM.generate` on the same prompts.
The projection prices the paper's recipe at the measured speed: per final pair, one question
(measured length) and five solutions (measured length), divided by the share of questions the
paper's filters keep (language 20%, solvability 19%, difficulty 9% removed), next to
ScaleQuest's reported 523 A100-40G hours for 1M pairs. The model must be on local disk or
reachable from the machine; nothing else in synth needs a hub.
"""

from __future__ import annotations

import argparse
import sys
import time

from bench.figures import Figure, emit
from synth.benchmarks.benchmark_sets import packaged_benchmark

PAPER_GPU_HOURS_PER_MILLION = 523
PAPER_KEPT_SHARE = (1 - 0.20) * (1 - 0.19) * (1 - 0.09)  # language, solvability, difficulty
SOLUTIONS_PER_QUESTION = 5
SOLVE_SUFFIX = "\nPlease reason step by step, and put your final answer within \\boxed{}."


def gpu_missing() -> str | None:
    """Why the GPU figures cannot be measured here, or None when they can."""
    try:
        import torch
    except ImportError:
        return "torch is not installed"
    if not torch.cuda.is_available():
        return "no CUDA GPU"
    try:
        import vllm  # noqa: F401
    except ImportError:
        return "vLLM is not installed (pip install -e '.[gpu]')"
    return None


def projected_gpu_hours_per_million(question_tokens: float, solution_tokens: float,
                                    tokens_per_gpu_second: float) -> float:
    """GPU-hours for 1M final pairs: every kept pair costs 1/kept-share generated questions,
    each with its question and five solutions, at the measured decode speed."""
    tokens_per_pair = (question_tokens + SOLUTIONS_PER_QUESTION * solution_tokens) / PAPER_KEPT_SHARE
    return 1_000_000 * tokens_per_pair / tokens_per_gpu_second / 3600


def measure(model: str, prompts: list[str], max_tokens: int) -> tuple[dict, dict]:
    """(synth's vllm engine, bare vLLM): generated tokens and seconds for the same prompts."""
    import pyarrow as pa
    import ray
    from omegaconf import OmegaConf
    from vllm import LLM, SamplingParams

    from synth.config.common import ModelConfig
    from synth.engines import build_engine
    from synth.engines.base import SAMPLING_TYPE

    params = {"temperature": 0.7, "top_p": 0.95, "max_tokens": max_tokens, "stop": [],
              "n": 1}
    ray.init(include_dashboard=False, logging_level="ERROR")
    engine = build_engine("solver", OmegaConf.structured(ModelConfig(
        engine="vllm", model=model, num_gpus=1, batch_size=64, context_length=4096)))
    requests = ray.data.from_arrow(pa.table({
        "messages": [[{"role": "user", "content": p}] for p in prompts],
        "sampling_params": pa.array([{**params, "seed": i} for i in range(len(prompts))],
                                    SAMPLING_TYPE)}))
    started = time.perf_counter()
    rows = engine.generate(requests, chat=True).select_columns(["num_generated_tokens"]).take_all()
    pipeline = {"tokens": sum(r["num_generated_tokens"] or 0 for r in rows),
                "seconds": time.perf_counter() - started}
    ray.shutdown()
    llm = LLM(model=model, max_model_len=4096)
    started = time.perf_counter()
    outputs = llm.chat([[{"role": "user", "content": p}] for p in prompts],
                       SamplingParams(temperature=0.7, top_p=0.95, max_tokens=max_tokens))
    bare = {"tokens": sum(len(o.outputs[0].token_ids) for o in outputs),
            "seconds": time.perf_counter() - started}
    return pipeline, bare


def run(quick: bool, model: str) -> list[Figure]:
    missing = gpu_missing()
    if missing:
        print(f"gpu_throughput skipped: {missing}", file=sys.stderr)
        return []
    questions = packaged_benchmark("gsm8k_test").column("question").to_pylist()
    prompts = [q + SOLVE_SUFFIX for q in questions[: 64 if quick else 512]]
    pipeline, bare = measure(model, prompts, 256 if quick else 2048)
    rate = pipeline["tokens"] / pipeline["seconds"]
    solution_tokens = pipeline["tokens"] / len(prompts)
    hours = projected_gpu_hours_per_million(question_tokens=solution_tokens / 4,
                                            solution_tokens=solution_tokens,
                                            tokens_per_gpu_second=rate)
    note = f"{model}, {len(prompts)} prompts, {solution_tokens:.0f} tokens per solution"
    return [
        Figure("gpu_throughput", "vLLM tokens/s per replica (synth engine)", rate, "tokens/s",
               "bare vLLM LLM.chat", bare["tokens"] / bare["seconds"], "ratio", ">=", 0.9, note),
        Figure("gpu_throughput", "projected GPU-hours per 1M pairs", hours, "GPU-hours",
               "ScaleQuest paper (A100-40G)", PAPER_GPU_HOURS_PER_MILLION, "ratio", "<=", 1.0,
               note + "; question length assumed a quarter of a solution's"),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: checks, not figures")
    parser.add_argument("--model", default="Qwen/Qwen2-Math-7B-Instruct")
    arguments = parser.parse_args()
    emit(run(arguments.quick, arguments.model))
