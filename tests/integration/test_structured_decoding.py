"""Structured replies on the real model: SmolLM2 decodes concept extraction and judge verdicts
under their JSON schemas through llama.cpp and through the loopback OpenAI-compatible server.
At least 98% of replies parse as the schema (the rest are counted as truncated), knowledge
points come back as short phrases, and the same stages still work unconstrained."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
import ray
from omegaconf import OmegaConf

from synth.concepts.champ_seeds import champ_seed_records
from synth.concepts.concept_reply import MAX_SCHEMA_CONCEPT_CHARS, concept_reply_schema
from synth.concepts.problem_reply import PROBLEM_SCHEMA
from synth.config.common import ModelConfig
from synth.config.loading import load_config
from synth.engines import build_engine
from synth.engines.llama_cpp_engine import load_llama
from synth.engines.packaged_models import resolve_gguf
from synth.stages.extract_concepts import ExtractConceptsStage
from synth.stages.judge_problems import VERDICT_SCHEMA, JudgeStage
from synth.stages.solvability_filter import SOLVABLE_SCHEMA
from synth.structured_replies import SCHEMA_DECODED, read_structured_reply, schema_text
from synth.training.preference_pairs import REWRITE_SCHEMA

REPO = Path(__file__).resolve().parents[2]
MODEL = "smollm2-135m-instruct"
NUM_ROWS = 24
PHRASE = re.compile(r"^[A-Za-z][A-Za-z '-]*$")


def gsdp_cpu_sections():
    """The shipped CPU config's extraction and judge sections, as users run them."""
    cfg = load_config(REPO / "pipelines" / "gsdp_cpu.yaml")
    return cfg.extract, cfg.judge


def engine_for(kind: str, url: str | None):
    fields = {"engine": kind, "model": MODEL, "batch_size": 4}
    if kind == "http":
        fields |= {"model": "smollm2", "url": url, "api_key_env": "SYNTH_TEST_API_KEY"}
    return build_engine("model", OmegaConf.merge(OmegaConf.structured(ModelConfig), fields))


def seeds() -> ray.data.Dataset:
    return ray.data.from_items([
        {"id": s["id"], "question": s["question"], "solution": s["solution"], "seed_topics": None}
        for s in champ_seed_records()[:NUM_ROWS]])


def judged_items() -> ray.data.Dataset:
    lines = (REPO / "tests" / "data" / "gsm8k_test_head.jsonl").read_text().splitlines()
    return ray.data.from_items([{"id": f"g{i}", "question": item["question"],
                                 "solution": item["answer"]}
                                for i, item in enumerate(map(json.loads, lines[:NUM_ROWS]))])


@pytest.fixture(scope="module", params=["llama_cpp", "http"])
def constrained(request, ray_cluster, llama_server, tmp_path_factory):
    """Extraction and judge rows of one engine decoding under the schemas: the shipped CPU
    sections on llama.cpp; in chat mode on the server (its `/completions` ignores
    `response_format`, its `/chat/completions` honours it)."""
    extract, judge = gsdp_cpu_sections()
    if request.param == "http":
        extract, judge = (OmegaConf.merge(s, {"chat_template": None}) for s in (extract, judge))
    engine = engine_for(request.param, llama_server)
    extraction = ExtractConceptsStage(extract, engine, 0, name_topics=False)
    judging = JudgeStage(OmegaConf.merge(judge, {"structured": True}), "j", engine, 0)
    assert extraction.reply_decoding == judging.reply_decoding == "reply: JSON schema"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SYNTH_TEST_API_KEY", "test-key")
        yield (request.param, extraction.apply(seeds()).take_all(),
               judging.apply(judged_items()).take_all())


def test_constrained_extraction_parses_as_the_schema_with_short_phrases(constrained):
    _, rows, _ = constrained
    assert len(rows) == NUM_ROWS and all(row[SCHEMA_DECODED] for row in rows)
    reasons = Counter(row["drop_reason"] for row in rows)
    assert set(reasons) <= {None, "truncated"}, reasons
    assert reasons[None] / NUM_ROWS >= 0.98, reasons
    points = [kp for row in rows for kp in row["knowledge_points"]]
    assert points and all(len(kp) <= MAX_SCHEMA_CONCEPT_CHARS and PHRASE.match(kp)
                          for kp in points), points


def test_constrained_judges_parse_as_the_schema(constrained):
    _, _, rows = constrained
    assert len(rows) == NUM_ROWS and all(row[SCHEMA_DECODED] for row in rows)
    shapes = Counter(row["judge_j_verdict"] for row in rows)
    assert set(shapes) <= {"ok", "truncated"} and shapes["ok"] / NUM_ROWS >= 0.98, shapes
    for row in rows:
        if row["judge_j_verdict"] == "ok":
            assert 0 <= row["judge_j_score"] <= 1 and row["judge_j_correct"] in (True, False)


def test_the_same_stages_work_unconstrained(ray_cluster):
    extract, judge = gsdp_cpu_sections()
    engine = engine_for("llama_cpp", None)
    extraction = ExtractConceptsStage(OmegaConf.merge(extract, {"structured": False}), engine,
                                        0, name_topics=False)
    rows = extraction.apply(seeds().limit(8)).take_all()
    assert all(row[SCHEMA_DECODED] is None for row in rows)
    lenient = {None, "bad_json", "no_concepts", "truncated"}
    assert {row["drop_reason"] for row in rows} <= lenient
    assert any(row["knowledge_points"] for row in rows)  # the JSON-shaped few-shot still parses
    judging = JudgeStage(OmegaConf.merge(judge, {"structured": False}), "j", engine, 0)
    verdicts = judging.apply(judged_items().limit(8)).take_all()
    assert {row["judge_j_verdict"] for row in verdicts} <= {"ok", "unparseable"}


@pytest.mark.parametrize("name, schema", [
    ("concepts", concept_reply_schema(2, 10)), ("verdict", VERDICT_SCHEMA),
    ("solvable", SOLVABLE_SCHEMA), ("problem", PROBLEM_SCHEMA), ("rewrite", REWRITE_SCHEMA)])
def test_every_reply_schema_decodes_on_llama_cpp(name, schema):
    """llama.cpp takes each grammar at sampling time (an oversized one kills the process)."""
    from llama_cpp import LlamaGrammar

    llm = load_llama(str(resolve_gguf(MODEL)), 2, 512)
    grammar = LlamaGrammar.from_json_schema(schema_text(schema), verbose=False)
    reply = llm.create_completion(prompt="Reply in JSON:", temperature=0.0, max_tokens=200,
                                  grammar=grammar, seed=0)["choices"][0]
    assert reply["finish_reason"] == "length" or read_structured_reply(reply["text"], schema)
