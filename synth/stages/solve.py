"""Sample several solutions per question with a boxed-answer prompt and extract each answer.

One output row per (question, sample). Nothing is dropped here: every response keeps a
`response_status` (ok, no_final_answer, truncated, engine_error) that summary.json counts, and
the consensus stage decides per question.
"""

from __future__ import annotations

import pyarrow as pa
from ray.data import Dataset

from synth.answers.extraction import extract_answer
from synth.config.scalequest import SolveConfig
from synth.engines.base import Engine, finish_drop_reason, sampling_column
from synth.row_ids import derived_seed
from synth.stages.base import Stage


def response_status(finish_reason: str, answer: str | None) -> str:
    """Classify one response; only `ok` responses take part in the vote."""
    if finish_reason == "error" or answer is None:
        return finish_drop_reason(finish_reason) or "no_final_answer"
    return "ok"


class SolveStage(Stage):
    """Adds `sample_index`, `solution`, `answer`, `response_status` (n rows per question)."""

    name = "solve"
    reads, writes = "questions", "samples"
    requires = ("id", "question")
    count_columns = ("response_status",)

    def __init__(self, config: SolveConfig, engine: Engine, run_seed: int) -> None:
        self.config = config
        self.engine = engine
        self.run_seed = run_seed

    def _requests(self, batch: pa.Table) -> pa.Table:
        ids = batch.column("id").to_pylist()
        questions = batch.column("question").to_pylist()
        prompt = self.config.prompt
        messages = [[{"role": "user", "content": prompt.replace("{question}", q)}] for q in questions]
        seeds = [derived_seed(self.run_seed, "solve", i) for i in ids]
        return batch.append_column("messages", pa.array(messages)).append_column(
            "sampling_params", sampling_column(self.config.sampling, seeds, self.config.num_samples))

    def apply(self, rows: Dataset | None) -> Dataset:
        requests = rows.map_batches(self._requests, batch_format="pyarrow")
        responses = self.engine.generate(requests, chat=True)
        return responses.map_batches(_to_solutions, batch_format="pyarrow")


def _to_solutions(batch: pa.Table) -> pa.Table:
    texts = batch.column("generated_text").to_pylist()
    answers = [extract_answer(text) for text in texts]
    statuses = [response_status(finish, answer) for finish, answer
                in zip(batch.column("finish_reason").to_pylist(), answers)]
    batch = batch.drop_columns(["messages", "sampling_params", "generated_text"])
    return (batch.append_column("solution", pa.array(texts, pa.string()))
            .append_column("answer", pa.array(answers, pa.string()))
            .append_column("response_status", pa.array(statuses, pa.string())))
