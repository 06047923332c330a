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
from typing import Any

import pyarrow as pa

from synth.concepts.concept_reply import (
    ConceptReply,
    concept_reply_from_object,
    concept_reply_schema,
    parse_concept_reply,
)
from synth.config.concept_methods import ConceptExtractionConfig
from synth.engines.base import Engine, finish_drop_reason
from synth.prompt_templates import fill_template
from synth.stages.base import with_drop_reasons
from synth.stages.prompted import PromptedStage, Reply

STRINGS = pa.list_(pa.string())


class ExtractConceptsStage(PromptedStage):
    """Adds `topics`, `knowledge_points` and the raw `extraction_reply`."""

    name = "extract_concepts"
    reads, writes = "seeds", "seeds"
    requires = ("id", "question", "solution", "seed_topics")
    seed_label = "extract"
    config: ConceptExtractionConfig

    def __init__(self, config: ConceptExtractionConfig, engine: Engine, run_seed: int,
                 name_topics: bool = True) -> None:
        self.name_topics = name_topics
        super().__init__(config, engine, run_seed)

    def shape(self) -> dict[str, Any]:
        return concept_reply_schema(self.config.max_topics, self.config.max_knowledge_points,
                                    self.name_topics)

    def prompt(self, question: str, solution: str | None) -> str:
        use_solution = self.config.use_solution and bool(solution)
        return fill_template(
            self.config.prompt, question=question,
            solution=f"\n\nSolution: {solution}" if use_solution else "",
            solution_hint=" and its solution" if use_solution else "",
            max_topics=self.config.max_topics,
            max_knowledge_points=self.config.max_knowledge_points)

    def prompts(self, batch: pa.Table) -> list[str]:
        return [self.prompt(q, s) for q, s in zip(batch.column("question").to_pylist(),
                                                  batch.column("solution").to_pylist())]

    def concepts(self, reply: Reply) -> ConceptReply:
        """One reply's concepts: read strictly when decoded under the schema, else leniently."""
        if reply.schema_decoded:
            if reply.data is None:
                return ConceptReply([], [], reply.failure)
            return concept_reply_from_object(reply.data)
        parsed = parse_concept_reply(reply.text, self.config.max_topics,
                                     self.config.max_knowledge_points)
        if parsed.reason and reply.finish == "length":
            return replace(parsed, reason=finish_drop_reason(reply.finish))
        return parsed

    def read(self, batch: pa.Table, replies: list[Reply]) -> pa.Table:
        found = [self.concepts(reply) for reply in replies]
        reasons = [finish_drop_reason(reply.finish) if reply.finish == "error" else concepts.reason
                   for reply, concepts in zip(replies, found)]
        labels = batch.column("seed_topics").to_pylist()
        topics = [label or concepts.topics for label, concepts in zip(labels, found)]
        batch = (batch.append_column("topics", pa.array(topics, STRINGS))
                 .append_column("knowledge_points",
                                pa.array([c.knowledge_points for c in found], STRINGS))
                 .append_column("extraction_reply",
                                pa.array([reply.text for reply in replies], pa.string())))
        return with_drop_reasons(batch, reasons)
