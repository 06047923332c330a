"""Structured replies: every stage's reply schema compiles to a llama.cpp grammar, constrained
replies are read strictly (a truncated one is a counted drop reason), free-text fallbacks go to
the lenient parsers, the schema keys the request, and each engine carries it its own way."""

from __future__ import annotations

import json
import threading
from collections import Counter
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pyarrow as pa
import pytest
import ray
from omegaconf import OmegaConf

from synth.concepts.concept_reply import concept_reply_schema
from synth.concepts.problem_reply import PROBLEM_SCHEMA
from synth.config.common import ModelConfig
from synth.config.concept_methods import (
    ConceptExtractionConfig,
    ConceptGenerationConfig,
    JudgeFilterConfig,
)
from synth.config.errors import ConfigError
from synth.config.loading import load_config
from synth.config.scalequest import SolvabilityConfig
from synth.engines import build_engine
from synth.engines.base import Completion
from synth.engines.http_engine import HttpWorker
from synth.engines.llm_rows import vllm_request, vllm_result
from synth.engines.request_replay import request_keys
from synth.stages.extract_concepts import ExtractConceptsStage
from synth.stages.generate_from_concepts import to_problems
from synth.stages.judge_problems import VERDICT_SCHEMA, JudgeStage
from synth.stages.prompted import read_replies
from synth.stages.solvability_filter import SOLVABLE_SCHEMA, SolvabilityFilter
from synth.structured_replies import (
    RESPONSE_SCHEMA,
    SCHEMA_DECODED,
    read_structured_reply,
    schema_text,
)
from synth.training.preference_pairs import REWRITE_SCHEMA, read_rewrite, rewrite_failure
from tests.scripted_engine import ScriptedEngine

SCHEMAS = {"concepts": concept_reply_schema(2, 5), "kps_only": concept_reply_schema(2, 10, False),
           "verdict": VERDICT_SCHEMA, "solvable": SOLVABLE_SCHEMA, "problem": PROBLEM_SCHEMA,
           "rewrite": REWRITE_SCHEMA}


@pytest.mark.parametrize("name", SCHEMAS)
def test_each_reply_schema_compiles_to_a_llama_cpp_grammar(name):
    from llama_cpp import LlamaGrammar

    assert LlamaGrammar.from_json_schema(schema_text(SCHEMAS[name]), verbose=False) is not None


@pytest.mark.parametrize("name, text, expected", [
    ("kps_only", '{"knowledge_points": ["prime factorization", "gcd"]}',
     {"knowledge_points": ["prime factorization", "gcd"]}),
    ("kps_only", ('{"knowledge_points": ["The problem requires a combination of logic and '
                  'probability reasoning"]}'), None),  # a sentence, not a short phrase
    ("kps_only", '{"knowledge_points": []}', None),
    ("kps_only", '{"knowledge_points": ["prime fac', None),  # cut at max_tokens
    ("concepts", '{"knowledge_points": ["gcd"]}', None),  # topics asked for and missing
    ("verdict", '{"score": 7, "correct": true}', {"score": 7, "correct": True}),
    ("verdict", '{"score": 11, "correct": true}', None),
    ("verdict", '{"score": 7, "correct": "yes"}', None),
    ("verdict", '{"score": 7, "correct": false, "reason": "2+2 is not 5"}',
     {"score": 7, "correct": False, "reason": "2+2 is not 5"}),
    ("solvable", '{"solvable": false}', {"solvable": False}),
    ("solvable", 'Yes', None),
    ("problem", ('{"question": "What is 2 + 2 apples?", "solution": "2 + 2 = 4", '
                 '"final_answer": "4", "note": "x"}'), None),  # no other keys
    ("problem", (r'{"question": "Find \frac{1}{2} of 8.", "solution": "\boxed{4}, as \sqrt{16} '
                 r'= 4 \times 1", "final_answer": "4"}'),
     {"question": "Find \\frac{1}{2} of 8.", "solution": "\\boxed{4}, as \\sqrt{16} = 4 \\times 1",
      "final_answer": "4"}),  # LaTeX written with single backslashes is kept as written
    ("problem", None, None), ("problem", "", None),
])
def test_a_constrained_reply_is_read_strictly(name, text, expected):
    assert read_structured_reply(text, SCHEMAS[name]) == expected


def constraining(script):
    return ScriptedEngine("model", script, constrains_replies=True)


def rows_of(stage, items: list[dict]) -> dict[str, dict]:
    return {row["id"]: row for row in stage.apply(ray.data.from_items(items)).take_all()}


EXTRACTION_REPLIES = {  # seed id -> (reply, finish reason, decoded under the schema?)
    "good": ('{"knowledge_points": ["prime factorization", "gcd", "gcd"]}', "stop", True),
    "cut": ('{"knowledge_points": ["prime factor', "length", True),
    "odd": ('{"knowledge_points": ["x"]}', "stop", True),  # too short for the schema
    "fallback": ("Knowledge points:\n1. prime numbers\n2. divisibility", "stop", False),
}


def extraction_script(prompt: str, params: dict) -> Completion:
    reply, finish, decoded = next(v for k, v in EXTRACTION_REPLIES.items() if f"[{k}]" in prompt)
    return Completion(reply, 40, 12, finish, schema_decoded=decoded)


def test_extraction_reads_constrained_replies_strictly_and_fallbacks_leniently(ray_cluster):
    config = OmegaConf.structured(ConceptExtractionConfig(max_knowledge_points=5))
    stage = ExtractConceptsStage(config, constraining(extraction_script), 0, name_topics=False)
    assert stage.reply_decoding == "reply: JSON schema"
    items = [{"id": key, "question": f"[{key}] problem", "solution": None, "seed_topics": ["t"]}
             for key in EXTRACTION_REPLIES]
    rows = rows_of(stage, items)
    assert rows["good"]["knowledge_points"] == ["prime factorization", "gcd"]
    assert rows["good"]["drop_reason"] is None and rows["good"]["topics"] == ["t"]
    assert rows["cut"]["drop_reason"] == "truncated" and rows["cut"]["knowledge_points"] == []
    assert rows["odd"]["drop_reason"] == "schema_violation"
    assert rows["fallback"]["knowledge_points"] == ["prime numbers", "divisibility"]
    assert rows["fallback"]["drop_reason"] is None
    assert {row[SCHEMA_DECODED] for row in rows.values()} == {True, False}
    assert RESPONSE_SCHEMA not in rows["good"]


def test_the_same_stage_works_unconstrained(ray_cluster):
    config = OmegaConf.structured(ConceptExtractionConfig(structured=False))
    seen = []

    def free_text(prompt: str, params: dict) -> Completion:
        seen.append(prompt)
        return Completion('Sure: {"topics": ["algebra"], "knowledge_points": ["linear '
                          'equations"]}', 40, 12, "stop")

    stage = ExtractConceptsStage(config, constraining(free_text), 0)
    assert stage.reply_decoding == "reply: free text (structured: false)"
    rows = rows_of(stage, [{"id": "a", "question": "Solve x + 1 = 2.", "solution": None,
                            "seed_topics": None}])
    assert rows["a"]["knowledge_points"] == ["linear equations"]
    assert rows["a"]["topics"] == ["algebra"] and rows["a"][SCHEMA_DECODED] is None


def test_an_engine_that_cannot_constrain_gets_free_text_requests(ray_cluster):
    config = OmegaConf.structured(JudgeFilterConfig())
    stage = JudgeStage(config, "judge", ScriptedEngine("judge", lambda p, s: Completion(
        "Score: 8\nCorrect: Yes", 40, 6, "stop")), 0)
    assert stage.reply_decoding == "reply: free text (scripted cannot constrain decoding)"
    rows = rows_of(stage, [{"id": "a", "question": "1+1?", "solution": "2"}])
    assert rows["a"]["judge_judge_score"] == 0.8 and rows["a"]["judge_judge_correct"] is True


JUDGE_REPLIES = {"ok": ('{"score": 9, "correct": true}', "stop", True),
                 "wrong": ('{"score": 3, "correct": false, "reason": "off by one"}', "stop", True),
                 "cut": ('{"score": 9, "corr', "length", True),
                 "fallback": ("Score: 6\nCorrect: No", "stop", False)}


def test_judge_verdicts_under_the_schema_and_their_shapes(ray_cluster):
    def judge(prompt: str, params: dict) -> Completion:
        reply, finish, decoded = next(v for k, v in JUDGE_REPLIES.items() if f"[{k}]" in prompt)
        return Completion(reply, 40, 12, finish, schema_decoded=decoded)

    stage = JudgeStage(OmegaConf.structured(JudgeFilterConfig()), "j", constraining(judge), 0)
    rows = rows_of(stage, [{"id": k, "question": f"[{k}]", "solution": "s"} for k in JUDGE_REPLIES])
    verdicts = {k: (r["judge_j_score"], r["judge_j_correct"], r["judge_j_verdict"])
                for k, r in rows.items()}
    assert verdicts == {"ok": (0.9, True, "ok"), "wrong": (0.3, False, "ok"),
                        "cut": (None, None, "truncated"), "fallback": (0.6, False, "ok")}


def test_solvability_under_the_schema(ray_cluster):
    replies = {"yes": ('{"solvable": true}', "stop"), "no": ('{"solvable": false}', "stop"),
               "cut": ('{"solv', "length"), "bad": ('{"solvable": "maybe"}', "stop")}

    def judge(prompt: str, params: dict) -> Completion:
        reply, finish = next(v for k, v in replies.items() if f"[{k}]" in prompt)
        return Completion(reply, 40, 5, finish)

    stage = SolvabilityFilter(OmegaConf.structured(SolvabilityConfig()), constraining(judge), 0)
    rows = rows_of(stage, [{"id": k, "question": f"[{k}] q"} for k in replies])
    assert {k: (r["solvable"], r["drop_reason"]) for k, r in rows.items()} == {
        "yes": (True, None), "no": (False, "unsolvable"), "cut": (None, "truncated"),
        "bad": (None, "schema_violation")}


def test_a_generated_problem_under_the_schema_gets_its_answer_boxed():
    replies = [(('{"question": "What is 3 times 4?", "solution": "3 * 4 = 12.", '
                 '"final_answer": "12"}'), "stop", True),
               (('{"question": "What is 2^5?", "solution": "2^5 = \\\\boxed{32}", '
                 '"final_answer": "32"}'), "stop", True),
               ('{"question": "What is 3 times', "length", True),
               ("Question: What is 1+1?\nSolution: \\boxed{2}", "stop", False)]
    batch = pa.table({"generated_text": [r[0] for r in replies],
                      "finish_reason": [r[1] for r in replies],
                      SCHEMA_DECODED: pa.array([r[2] for r in replies], pa.bool_())})
    replies = read_replies(batch.column("generated_text").to_pylist(), batch, PROBLEM_SCHEMA)
    rows = to_problems(batch, replies).to_pylist()
    assert rows[0]["solution"] == "3 * 4 = 12.\n\nThe final answer is $\\boxed{12}$."
    assert rows[0]["answer"] == "12" and rows[0]["drop_reason"] is None
    assert rows[1]["solution"] == "2^5 = \\boxed{32}" and rows[1]["answer"] == "32"
    assert rows[2]["drop_reason"] == "truncated"
    assert rows[3]["question"] == "What is 1+1?" and rows[3]["answer"] == "2"


@pytest.mark.parametrize("text, decoded, finish, rewrite, failure", [
    ('{"question": "What is 3 times 4 apples?"}', True, "stop", "What is 3 times 4 apples?", None),
    ('{"question": "What', True, "length", None, "rewrite_truncated"),
    ('{"question": "short"}', True, "stop", None, "rewrite_schema_violation"),
    ("Rewritten question: How many pens?", False, "stop", "How many pens?", None),
])
def test_a_qpo_rewrite_under_the_schema(text, decoded, finish, rewrite, failure):
    assert read_rewrite(text, decoded) == rewrite
    assert rewrite_failure("What is 1 + 1?", read_rewrite(text, decoded), finish) == failure


def test_the_reply_schema_is_part_of_the_request_key():
    row = {"messages": [[{"role": "user", "content": "1+1?"}]],
           "sampling_params": [{"temperature": 0.0, "max_tokens": 8}]}
    plain = pa.table(row)
    constrained = plain.append_column(RESPONSE_SCHEMA, pa.array([schema_text(SOLVABLE_SCHEMA)]))
    assert request_keys(plain, "llama_cpp:m") != request_keys(constrained, "llama_cpp:m")


def test_vllm_requests_carry_the_schema_as_guided_decoding(tmp_path):
    from ray.data.llm import build_processor

    engine = build_engine("judge", OmegaConf.merge(OmegaConf.structured(ModelConfig),
                                                    {"engine": "vllm", "model": str(tmp_path)}))
    assert engine.constrains_replies
    processor = build_processor(engine.processor_config(chat=False),
                                preprocess=partial(vllm_request, chat=False))
    assert any("vLLM" in name for name in processor.list_stage_names())
    row = {"id": "q", "prompt": "Is 1+1 solvable?", RESPONSE_SCHEMA: schema_text(SOLVABLE_SCHEMA),
           "sampling_params": {"temperature": 0.0, "top_p": 1.0, "max_tokens": 8, "stop": [],
                               "seed": 1, "n": 1}}
    request = vllm_request(row, chat=False)
    assert request["sampling_params"]["structured_outputs"] == {"json": row[RESPONSE_SCHEMA]}
    result = vllm_result({**request, "generated_text": '{"solvable": true}',
                          "num_generated_tokens": 5, "num_input_tokens": 9})
    assert result[SCHEMA_DECODED] is True and result["finish_reason"] == "stop"
    plain = vllm_request({k: v for k, v in row.items() if k != RESPONSE_SCHEMA}, chat=False)
    assert "structured_outputs" not in plain["sampling_params"]


class SchemaServer(BaseHTTPRequestHandler):
    """An OpenAI-style server that refuses the `response_format` dialects in `refused`."""

    refused: tuple[str, ...] = ()
    refusal_status = 400
    seen: ClassVar[list] = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        dialect = (body.get("response_format") or {}).get("type")
        type(self).seen.append(dialect)
        if dialect in type(self).refused:
            self._reply(type(self).refusal_status,
                        {"error": f"response_format type {dialect} is not supported"})
        else:
            text = '{"solvable": true}' if dialect else "Yes"
            self._reply(200, {"choices": [{"message": {"content": text}, "finish_reason": "stop"}],
                              "usage": {"prompt_tokens": 9, "completion_tokens": 5}})

    def _reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("refused, status, decoded, dialects_sent", [
    ((), 400, True, ["json_schema", "json_schema"]),
    (("json_schema",), 400, True, ["json_schema", "json_object", "json_object"]),
    (("json_schema",), 500, True, ["json_schema", "json_object", "json_object"]),
    (("json_schema", "json_object"), 422, False, ["json_schema", "json_object", None, None]),
])
def test_http_offers_the_schema_in_each_dialect_then_falls_back_to_free_text(
        refused, status, decoded, dialects_sent):
    handler = type("Handler", (SchemaServer,), {"refused": refused, "refusal_status": status,
                                                "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        worker = HttpWorker(f"http://127.0.0.1:{server.server_port}/v1", "m", None, None, 0, 1,
                            5.0, 0.01, chat=True)
        row = {"messages": [{"role": "user", "content": "Solvable?"}],
               RESPONSE_SCHEMA: schema_text(SOLVABLE_SCHEMA),
               "sampling_params": {"temperature": 0.0, "top_p": 1.0, "max_tokens": 8,
                                   "stop": [], "seed": 1, "n": 1}}
        answers = [worker.complete(row), worker.complete(row)]  # the refusal is remembered
    finally:
        server.shutdown()
    assert [a.schema_decoded for a in answers] == [decoded, decoded]
    assert all(a.finish_reason == "stop" and a.error is None for a in answers)
    assert handler.seen == dialects_sent


def write_config(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_started_free_text_reply_cannot_precede_a_schema(tmp_path):
    base = ("pipeline: gsdp\nmodels:\n  m: {engine: ENGINE, model: smollm2-135m-instruct}\n"
            "seeds: {packaged: champ}\nextract: {model: m}\ngenerate: {model: m}\n"
            "judge: {judges: [{model: m}], response_prefix: 'Score:'}\n")
    with pytest.raises(ConfigError) as error:
        load_config(write_config(tmp_path, "a.yaml", base.replace("ENGINE", "llama_cpp")))
    assert str(error.value) == ("judge.response_prefix: starts a free-text reply, which a "
                                "JSON-schema reply cannot follow; set judge.structured: false "
                                "to keep raw-prompt mode (got 'Score:')")
    load_config(write_config(tmp_path, "b.yaml", base.replace("ENGINE", "llama_cpp").replace(
        "response_prefix", "structured: false, response_prefix")))
    load_config(write_config(tmp_path, "c.yaml", base.replace(
        "ENGINE", "transformers")))  # no constrained decoding there: free text it is


def test_structured_is_on_by_default_in_every_stage_section():
    for section in (ConceptExtractionConfig, ConceptGenerationConfig, JudgeFilterConfig,
                    SolvabilityConfig):
        assert OmegaConf.structured(section).structured is True
    assert Counter(json.dumps(s, sort_keys=True) for s in SCHEMAS.values()).most_common(1)[0][1] == 1
