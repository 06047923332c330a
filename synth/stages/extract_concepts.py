"""An LLM, acting as a math teacher, names the topics and knowledge points each seed tests.

Replies are parsed leniently (`synth.concepts.concept_reply`). With `chat_template` set the
stage sends a raw prompt whose assistant turn is already started with `response_prefix`: a
135M model that ignores "reply as JSON" still continues a started list. Seeds that carry their
own topic label (`seeds.topic_field`) keep it as their topic. A reply that yields no
knowledge point stays in the stage's Parquet with its raw text and a reason (`bad_json`,
`no_concepts`, `truncated`, `engine_error`), never an exception.
"""

from __future__ import annotations

import pyarrow as pa
from omegaconf import DictConfig
from ray.data import Dataset

from synth.concepts.concept_reply import parse_concept_reply
from synth.engines.base import Engine
from synth.prompt_templates import (
    append_requests,
    drop_request_columns,
    fill_template,
    reply_texts,
)
from synth.row_ids import derived_seed
from synth.stages.base import Stage, with_drop_reasons

STRINGS = pa.list_(pa.string())


class ConceptExtractionStage(Stage):
    """Adds `topics`, `knowledge_points` and the raw `extraction_reply`."""

    name = "extract_concepts"
    reads, writes = "seeds", "seeds"
    requires = ("id", "question", "solution", "seed_topics")

    def __init__(self, config: DictConfig, engine: Engine, run_seed: int) -> None:
        self.config = config
        self.engine = engine
        self.run_seed = run_seed

    def prompt(self, question: str, solution: str | None) -> str:
        use_solution = self.config.use_solution and bool(solution)
        return fill_template(
            self.config.prompt, question=question,
            solution=f"\n\nSolution: {solution}" if use_solution else "",
            solution_hint=" and its solution" if use_solution else "",
            max_topics=self.config.max_topics,
            max_knowledge_points=self.config.max_knowledge_points)

    def _requests(self, batch: pa.Table) -> pa.Table:
        questions = batch.column("question").to_pylist()
        solutions = batch.column("solution").to_pylist()
        prompts = [self.prompt(q, s) for q, s in zip(questions, solutions)]
        seeds = [derived_seed(self.run_seed, "extract", i) for i in batch.column("id").to_pylist()]
        return append_requests(batch, prompts, self.config, seeds)

    def _parse(self, batch: pa.Table) -> pa.Table:
        texts = reply_texts(batch.column("generated_text").to_pylist(), self.config.chat_template,
                            self.config.response_prefix)
        finishes = batch.column("finish_reason").to_pylist()
        replies = [parse_concept_reply(t, self.config.max_topics, self.config.max_knowledge_points)
                   for t in texts]
        labels = batch.column("seed_topics").to_pylist()
        reasons = ["engine_error" if finish == "error"
                   else ("truncated" if finish == "length" and reply.reason else reply.reason)
                   for finish, reply in zip(finishes, replies)]
        batch = drop_request_columns(batch)
        topics = [label or reply.topics for label, reply in zip(labels, replies)]
        batch = (batch.append_column("topics", pa.array(topics, STRINGS))
                 .append_column("knowledge_points",
                                pa.array([r.knowledge_points for r in replies], STRINGS))
                 .append_column("extraction_reply", pa.array(texts, pa.string())))
        return with_drop_reasons(batch, reasons)

    def apply(self, rows: Dataset | None) -> Dataset:
        requests = rows.map_batches(self._requests, batch_format="pyarrow")
        chat = not self.config.chat_template
        return self.engine.generate(requests, chat=chat).map_batches(self._parse,
                                                                     batch_format="pyarrow")
