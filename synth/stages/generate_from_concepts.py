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

from synth.answers.extraction import extract_answer
from synth.concepts.few_shot_examples import FewShotIndex
from synth.concepts.problem_reply import (
    PROBLEM_SCHEMA,
    ProblemReply,
    parse_problem_reply,
    problem_reply_from_object,
)
from synth.config.concept_methods import ConceptGenerationConfig
from synth.engines.base import Engine, finish_drop_reason
from synth.prompt_templates import fill_template
from synth.row_ids import stable_id
from synth.stages.base import with_drop_reasons
from synth.stages.prompted import PromptedStage, Reply


def problem(reply: Reply) -> ProblemReply:
    """One reply's question and solution: strictly under the schema, else split leniently."""
    if not reply.schema_decoded:
        return parse_problem_reply(reply.text)
    if reply.data is None:
        return ProblemReply(None, None, reply.failure)
    return problem_reply_from_object(reply.data)


def to_problems(batch: pa.Table, replies: list[Reply]) -> pa.Table:
    """`batch` with each reply's `question`, `solution`, final `answer` and raw text, and why
    a reply that does not make a problem is dropped."""
    problems = [problem(reply) for reply in replies]
    answers = [extract_answer(p.solution) if p.solution else None for p in problems]
    reasons = []
    for reply, found, answer in zip(replies, problems, answers):
        if reply.finish == "error" or found.reason in ("truncated", "schema_violation"):
            reasons.append(reply.failure or found.reason)
        elif found.reason or answer is None:
            reasons.append(finish_drop_reason(reply.finish) or found.reason or "no_final_answer")
        else:
            reasons.append(None)
    batch = (batch.append_column("question", pa.array([p.question for p in problems], pa.string()))
             .append_column("solution", pa.array([p.solution for p in problems], pa.string()))
             .append_column("answer", pa.array(answers, pa.string()))
             .append_column("generation_reply",
                            pa.array([reply.text for reply in replies], pa.string())))
    return with_drop_reasons(batch, reasons)


class GenerateFromConceptsStage(PromptedStage):
    """Adds `question`, `solution`, `answer` (and keeps `combination_id`, `kind`, concepts)."""

    name = "generate_from_concepts"
    reads, writes = "combinations", "questions"
    requires = ("id", "kind", "topics", "knowledge_points")
    reply_shape = PROBLEM_SCHEMA
    seed_label = "concept_problem"
    config: ConceptGenerationConfig

    def __init__(self, config: ConceptGenerationConfig, engine: Engine, seeds_path: Path,
                 run_seed: int) -> None:
        super().__init__(config, engine, run_seed)
        self.seeds_path = seeds_path
        self.index: FewShotIndex | None = None  # loaded once per worker, at its first batch

    def examples(self, knowledge_points: list[str]) -> str:
        if self.config.num_few_shot == 0:
            return ""
        if self.index is None:
            self.index = FewShotIndex(pq.read_table(self.seeds_path).to_pylist())
        shots = self.index.closest(knowledge_points, self.config.num_few_shot)
        return "".join(f"Example:\nQuestion: {s['question']}\nSolution: {s['solution']}\n\n"
                       for s in shots)

    def reshape(self, batch: pa.Table) -> pa.Table:
        """A problem row per combination: its own id, the combination's id, its seed."""
        combination_ids = batch.column("id").to_pylist()
        return (batch.rename_columns({"id": "combination_id"})
                .append_column("id", pa.array([stable_id("problem", i) for i in combination_ids]))
                .append_column("question_seed", pa.array(self.seeds(combination_ids), pa.int64())))

    def prompts(self, batch: pa.Table) -> list[str]:
        return [fill_template(self.config.prompt, topics=", ".join(t) or "(any)",
                              knowledge_points="; ".join(k), examples=self.examples(k))
                for t, k in zip(batch.column("topics").to_pylist(),
                                batch.column("knowledge_points").to_pylist())]

    def read(self, batch: pa.Table, replies: list[Reply]) -> pa.Table:
        return to_problems(batch, replies)
