"""ScaleQuest's solvability filter: a judge model says Yes or No to each question; keep on Yes.

The paper asks a solver model, greedily, whether the question can be solved (it removes ~19% of
questions). Verdicts are read leniently: the first standalone "yes" or "no" wins, so "Yes.",
"**No**" and "No, the price is missing" all count. A reply with neither word is its own drop
reason (`solvability_unparseable`), not a silent "no": a judge too weak for the format shows up
in summary.json instead of quietly emptying the dataset.

In raw-prompt mode (`chat_template` + `response_prefix`, what makes SmolLM2-135M say anything
but "No": pipelines/scalequest_cpu.yaml) the verdict is read from the model's continuation
alone, never from the started reply: a prefix such as "Solvable (yes or no):" is our text, and
reading it would turn every reply into the prefix's first word.

Where the engine can, the verdict is decoded under `SOLVABLE_SCHEMA` (`{"solvable": true}`)
and read strictly; one that fails the schema is dropped as `truncated` or `schema_violation`.
"""

from __future__ import annotations

import re

import pyarrow as pa
from omegaconf import DictConfig
from ray.data import Dataset

from synth.engines.base import Engine
from synth.prompt_templates import append_requests, drop_request_columns, fill_template
from synth.row_ids import derived_seed
from synth.stages.base import Stage, with_drop_reasons
from synth.structured_replies import (
    read_structured_reply,
    reply_mode,
    schema_decoded_flags,
    structured_failure,
)

_VERDICT = re.compile(r"\b(yes|no)\b", re.IGNORECASE)
SOLVABLE_SCHEMA = {"type": "object", "properties": {"solvable": {"type": "boolean"}},
                   "required": ["solvable"], "additionalProperties": False}


def parse_solvable(text: str | None) -> bool | None:
    """True for a Yes verdict, False for No, None when the reply states neither."""
    match = _VERDICT.search(text or "")
    return None if match is None else match.group(1).lower() == "yes"


def solvability_drop_reason(finish_reason: str, solvable: bool | None,
                            schema_decoded: bool | None = None) -> str | None:
    """Why a question is dropped, or None to keep it."""
    if finish_reason == "error":
        return "engine_error"
    if solvable is None:
        return structured_failure(finish_reason) if schema_decoded else "solvability_unparseable"
    return None if solvable else "unsolvable"


class SolvabilityFilter(Stage):
    """Adds `solvable` (null when unread); drops `unsolvable`, `solvability_unparseable`,
    `engine_error`."""

    name = "solvability_filter"
    requires = ("id", "question")

    def __init__(self, config: DictConfig, engine: Engine, run_seed: int) -> None:
        self.config = config
        self.engine = engine
        self.run_seed = run_seed
        self.reply_schema, self.reply_decoding = reply_mode(config, engine, SOLVABLE_SCHEMA)

    def _requests(self, batch: pa.Table) -> pa.Table:
        prompts = [fill_template(self.config.prompt, question=q)
                   for q in batch.column("question").to_pylist()]
        seeds = [derived_seed(self.run_seed, self.name, i) for i in batch.column("id").to_pylist()]
        return append_requests(batch, prompts, self.config, seeds, self.reply_schema)

    def _solvable(self, reply: str | None, finish: str, schema_decoded: bool | None) -> bool | None:
        """One verdict: strictly under the schema, else the first standalone yes/no."""
        if finish == "error":
            return None
        if schema_decoded:
            data = read_structured_reply(reply, self.reply_schema)
            return None if data is None else data["solvable"]
        return parse_solvable(reply)

    def _verdicts(self, batch: pa.Table) -> pa.Table:
        replies = batch.column("generated_text").to_pylist()  # the judge's words only
        finishes = batch.column("finish_reason").to_pylist()
        decoded = schema_decoded_flags(batch)
        solvable = [self._solvable(*row) for row in zip(replies, finishes, decoded)]
        batch = drop_request_columns(batch)
        batch = batch.append_column("solvable", pa.array(solvable, pa.bool_()))
        return with_drop_reasons(batch, [solvability_drop_reason(*row)
                                         for row in zip(finishes, solvable, decoded)])

    def apply(self, rows: Dataset | None) -> Dataset:
        requests = rows.map_batches(self._requests, batch_format="pyarrow")
        return self.engine.generate(requests, chat=not self.config.chat_template).map_batches(
            self._verdicts, batch_format="pyarrow")
