"""One call writes a new question and its solution from a concept combination (MathScale, GSDP).

The prompt lists the combination's topics and KPs, with few-shot seed problems whose KP sets
are closest by Jaccard similarity (read from the run's graph/seeds.parquet). The reply is split
into `question` and `solution`; the final answer is extracted from the solution. Replies that do
not split, have no final answer, or were cut off are kept with a drop reason.

Where the engine can, the reply is decoded under `PROBLEM_SCHEMA` (question, solution, final
answer) and read strictly; one that fails it is dropped as `truncated` or `schema_violation`.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from omegaconf import DictConfig
from ray.data import Dataset

from synth.answers.extraction import extract_answer
from synth.concepts.few_shot_examples import FewShotIndex
from synth.concepts.problem_reply import (
    PROBLEM_SCHEMA,
    ProblemReply,
    parse_problem_reply,
    problem_reply_from_object,
)
from synth.engines.base import Engine
from synth.prompt_templates import (
    append_requests,
    drop_request_columns,
    fill_template,
    reply_texts,
)
from synth.row_ids import derived_seed, stable_id
from synth.stages.base import Stage, with_drop_reasons
from synth.structured_replies import (
    read_structured_reply,
    reply_mode,
    schema_decoded_flags,
    structured_failure,
)


class ConceptPrompter:
    """Builds chat requests for combinations; loads the few-shot pool once per worker."""

    def __init__(self, config: DictConfig, seeds_path: Path, run_seed: int,
                 reply_schema: dict | None = None) -> None:
        self.config = config
        self.seeds_path = seeds_path
        self.run_seed = run_seed
        self.reply_schema = reply_schema
        self.index: FewShotIndex | None = None

    def examples(self, knowledge_points: list[str]) -> str:
        if self.config.num_few_shot == 0:
            return ""
        if self.index is None:
            self.index = FewShotIndex(pq.read_table(self.seeds_path).to_pylist())
        shots = self.index.closest(knowledge_points, self.config.num_few_shot)
        return "".join(f"Example:\nQuestion: {s['question']}\nSolution: {s['solution']}\n\n"
                       for s in shots)

    def __call__(self, batch: pa.Table) -> pa.Table:
        combination_ids = batch.column("id").to_pylist()
        topics = batch.column("topics").to_pylist()
        kps = batch.column("knowledge_points").to_pylist()
        prompts = [fill_template(self.config.prompt, topics=", ".join(t) or "(any)",
                                 knowledge_points="; ".join(k), examples=self.examples(k))
                   for t, k in zip(topics, kps)]
        seeds = [derived_seed(self.run_seed, "concept_problem", i) for i in combination_ids]
        batch = (batch.rename_columns({"id": "combination_id"})
                 .append_column("id", pa.array([stable_id("problem", i) for i in combination_ids]))
                 .append_column("question_seed", pa.array(seeds, pa.int64())))
        return append_requests(batch, prompts, self.config, seeds, self.reply_schema)


def _problem_reply(text: str | None, finish: str, schema_decoded: bool | None,
                   reply_schema: dict | None) -> ProblemReply:
    """One reply's question and solution: strictly under the schema, else split leniently."""
    if not schema_decoded:
        return parse_problem_reply(text)
    data = read_structured_reply(text, reply_schema)
    if data is None:
        return ProblemReply(None, None, structured_failure(finish))
    return problem_reply_from_object(data)


def _to_problems(batch: pa.Table, chat_template: str | None, response_prefix: str,
                 reply_schema: dict | None) -> pa.Table:
    texts = reply_texts(batch.column("generated_text").to_pylist(), chat_template, response_prefix)
    finishes = batch.column("finish_reason").to_pylist()
    replies = [_problem_reply(t, f, d, reply_schema)
               for t, f, d in zip(texts, finishes, schema_decoded_flags(batch))]
    answers = [extract_answer(r.solution) if r.solution else None for r in replies]
    reasons = []
    for finish, reply, answer in zip(finishes, replies, answers):
        if finish == "error":
            reasons.append("engine_error")
        elif reply.reason in ("truncated", "schema_violation"):
            reasons.append(reply.reason)
        elif reply.reason or answer is None:
            reasons.append("truncated" if finish == "length" else reply.reason or "no_final_answer")
        else:
            reasons.append(None)
    batch = drop_request_columns(batch)
    batch = (batch.append_column("question", pa.array([r.question for r in replies], pa.string()))
             .append_column("solution", pa.array([r.solution for r in replies], pa.string()))
             .append_column("answer", pa.array(answers, pa.string()))
             .append_column("generation_reply", pa.array(texts, pa.string())))
    return with_drop_reasons(batch, reasons)


class ConceptGenerationStage(Stage):
    """Adds `question`, `solution`, `answer` (and keeps `combination_id`, `kind`, concepts)."""

    name = "generate_from_concepts"
    reads, writes = "combinations", "questions"
    requires = ("id", "kind", "topics", "knowledge_points")

    def __init__(self, config: DictConfig, engine: Engine, seeds_path: Path, run_seed: int) -> None:
        self.config = config
        self.engine = engine
        self.seeds_path = seeds_path
        self.run_seed = run_seed
        self.reply_schema, self.reply_decoding = reply_mode(config, engine, PROBLEM_SCHEMA)

    def apply(self, rows: Dataset | None) -> Dataset:
        prompter = ConceptPrompter(self.config, self.seeds_path, self.run_seed, self.reply_schema)
        requests = rows.map_batches(prompter, batch_format="pyarrow")
        return self.engine.generate(requests, chat=not self.config.chat_template).map_batches(
            _to_problems, fn_args=(self.config.chat_template, self.config.response_prefix,
                                   self.reply_schema), batch_format="pyarrow")
