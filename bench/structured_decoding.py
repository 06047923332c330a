"""Structured decoding: llama.cpp's tokens/s under a reply's JSON-schema grammar against the
same prompts decoded freely.

    python -m bench.structured_decoding [--quick]

The prompts are the CPU MathScale config's concept-extraction and problem-generation requests
(CHAMP seeds; KP lists for generation), sent to one llama.cpp model in this process, greedy for
extraction and seeded for generation. Each reply is streamed and only its decoding is timed
(first token to last), so the prompt's evaluation and the reply's length do not enter the
rate. Target: the grammar costs at most 15% (ratio >= 0.85).
"""

from __future__ import annotations

import time
from pathlib import Path

from bench.figures import Figure, benchmark_main

REPO = Path(__file__).resolve().parents[1]


def decoding_rate(llm, prompts: list[str], sampling, grammar) -> tuple[int, float]:
    """(tokens decoded after the first, seconds they took) over `prompts`."""
    tokens, seconds = 0, 0.0
    for index, prompt in enumerate(prompts):
        stamps = []
        for _ in llm.create_completion(prompt=prompt, temperature=sampling.temperature,
                                       top_p=sampling.top_p, max_tokens=sampling.max_tokens,
                                       stop=list(sampling.stop) or None, seed=index,
                                       grammar=grammar, stream=True):
            stamps.append(time.perf_counter())
        if len(stamps) > 1:
            tokens += len(stamps) - 1
            seconds += stamps[-1] - stamps[0]
    return tokens, seconds


def stage_prompts(quick: bool) -> dict[str, tuple[list[str], object, dict]]:
    """Per stage: its raw prompts, its sampling section and its reply schema."""
    from synth.concepts.champ_seeds import champ_seed_records
    from synth.concepts.concept_reply import concept_reply_schema
    from synth.concepts.problem_reply import PROBLEM_SCHEMA
    from synth.config.loading import load_config
    from synth.prompt_templates import fill_template

    cfg = load_config(REPO / "pipelines" / "mathscale_cpu.yaml")
    count = 4 if quick else 24
    seeds = champ_seed_records()[:count]
    extract, generate = cfg.extract, cfg.generate
    extraction = [fill_template(extract.chat_template, prompt=fill_template(
        extract.prompt, question=seed["question"], solution="")) for seed in seeds]
    kp_lists = [seed["concepts"][:2] or [seed["category"]] for seed in seeds]
    generation = [fill_template(generate.chat_template, prompt=fill_template(
        generate.prompt, knowledge_points="; ".join(kps), topics="", examples=""))
        for kps in kp_lists]
    return {"extract_concepts": (extraction, extract.sampling,
                                 concept_reply_schema(extract.max_topics,
                                                      extract.max_knowledge_points, False)),
            "generate_from_concepts": (generation, generate.sampling, PROBLEM_SCHEMA)}


def run(quick: bool) -> list[Figure]:
    from llama_cpp import LlamaGrammar

    from synth.engines.llama_cpp_engine import load_llama
    from synth.engines.packaged_models import resolve_gguf
    from synth.structured_replies import schema_text

    llm = load_llama(str(resolve_gguf("smollm2-135m-instruct")), 2, 2048)
    figures = []
    for stage, (prompts, sampling, schema) in stage_prompts(quick).items():
        grammar = LlamaGrammar.from_json_schema(schema_text(schema), verbose=False)
        free_tokens, free_seconds = decoding_rate(llm, prompts, sampling, None)
        schema_tokens, schema_seconds = decoding_rate(llm, prompts, sampling, grammar)
        note = (f"{len(prompts)} prompts; free: {free_tokens} tokens in {free_seconds:.1f} s; "
                f"schema: {schema_tokens} tokens in {schema_seconds:.1f} s")
        figures.append(Figure("structured_decoding", f"{stage} tokens/s under its schema",
                              schema_tokens / schema_seconds, "tokens/s", "free decoding",
                              free_tokens / free_seconds, "ratio", ">=", 0.85, note))
    return figures


if __name__ == "__main__":
    benchmark_main(__doc__.splitlines()[0], run)
