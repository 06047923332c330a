"""An LLM, acting as a math teacher, names the topics and knowledge points each seed tests.

Where the engine can, the reply is decoded under its JSON schema (`structured: true`,
`synth.concepts.concept_reply.concept_reply_schema`) and read strictly. Otherwise it is parsed
leniently; with `chat_template` set the stage then sends a raw prompt whose assistant turn is
already started with `response_prefix`, since a small model that ignores "reply as JSON" still
continues a started list. Seeds that carry their own topic label (`seeds.topic_field`) keep it
as their topic, and the model is not asked for one. A reply that yields no knowledge point
stays in the stage's Parquet with its raw text and a reason (`bad_json`, `no_concepts`,
`truncated`, `schema_violation`, `engine_error`), never an exception.
"""

from __future__ import annotations

from dataclasses import replace

import pyarrow as pa
from omegaconf import DictConfig
from ray.data import Dataset

from synth.concepts.concept_reply import (
    ConceptReply,
    concept_reply_from_object,
    concept_reply_schema,
    parse_concept_reply,
)
from synth.engines.base import Engine
from synth.prompt_templates import (
    append_requests,
    drop_request_columns,
    fill_template,
    reply_texts,
)
from synth.row_ids import derived_seed
from synth.stages.base import Stage, with_drop_reasons
from synth.structured_replies import (
    read_structured_reply,
    reply_mode,
    schema_decoded_flags,
    structured_failure,
)

STRINGS = pa.list_(pa.string())


class ConceptExtractionStage(Stage):
    """Adds `topics`, `knowledge_points` and the raw `extraction_reply`."""

    name = "extract_concepts"
    reads, writes = "seeds", "seeds"
    requires = ("id", "question", "solution", "seed_topics")

    def __init__(self, config: DictConfig, engine: Engine, run_seed: int,
                 name_topics: bool = True) -> None:
        self.config = config
        self.engine = engine
        self.run_seed = run_seed
        shape = concept_reply_schema(config.max_topics, config.max_knowledge_points, name_topics)
        self.reply_schema, self.reply_decoding = reply_mode(config, engine, shape)

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
        return append_requests(batch, prompts, self.config, seeds, self.reply_schema)

    def _reply(self, text: str | None, finish: str, schema_decoded: bool | None) -> ConceptReply:
        """One reply's concepts: read strictly when decoded under the schema, else leniently."""
        if schema_decoded:
            data = read_structured_reply(text, self.reply_schema)
            if data is None:
                return ConceptReply([], [], structured_failure(finish))
            return concept_reply_from_object(data)
        reply = parse_concept_reply(text, self.config.max_topics, self.config.max_knowledge_points)
        return replace(reply, reason="truncated") if finish == "length" and reply.reason else reply

    def _parse(self, batch: pa.Table) -> pa.Table:
        texts = reply_texts(batch.column("generated_text").to_pylist(), self.config.chat_template,
                            self.config.response_prefix)
        finishes = batch.column("finish_reason").to_pylist()
        decoded = schema_decoded_flags(batch)
        replies = [self._reply(t, f, d) for t, f, d in zip(texts, finishes, decoded)]
        labels = batch.column("seed_topics").to_pylist()
        reasons = ["engine_error" if finish == "error" else reply.reason
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
