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

from synth.config.scalequest import SolvabilityConfig
from synth.prompt_templates import fill_template
from synth.stages.base import with_drop_reasons
from synth.stages.prompted import PromptedStage, Reply

_VERDICT = re.compile(r"\b(yes|no)\b", re.IGNORECASE)
SOLVABLE_SCHEMA = {"type": "object", "properties": {"solvable": {"type": "boolean"}},
                   "required": ["solvable"], "additionalProperties": False}


def parse_solvable(text: str | None) -> bool | None:
    """True for a Yes verdict, False for No, None when the reply states neither."""
    match = _VERDICT.search(text or "")
    return None if match is None else match.group(1).lower() == "yes"


def solvable(reply: Reply) -> bool | None:
    """One verdict: strictly under the schema, else the first standalone yes/no."""
    if reply.finish == "error":
        return None
    if reply.schema_decoded:
        return None if reply.data is None else reply.data["solvable"]
    return parse_solvable(reply.text)


def solvability_drop_reason(reply: Reply, verdict: bool | None) -> str | None:
    """Why a question is dropped, or None to keep it."""
    if verdict is None:
        return reply.failure or "solvability_unparseable"
    return None if verdict else "unsolvable"


class SolvabilityFilter(PromptedStage):
    """Adds `solvable` (null when unread); drops `unsolvable`, `solvability_unparseable`,
    `engine_error` (and, under the schema, `truncated`, `schema_violation`)."""

    name = "solvability_filter"
    requires = ("id", "question")
    funnel_label = "solvability"
    reply_shape = SOLVABLE_SCHEMA
    keeps_started_reply = False  # the verdict is the judge's words, never the started prefix
    config: SolvabilityConfig

    def prompts(self, batch: pa.Table) -> list[str]:
        return [fill_template(self.config.prompt, question=q)
                for q in batch.column("question").to_pylist()]

    def read(self, batch: pa.Table, replies: list[Reply]) -> pa.Table:
        verdicts = [solvable(reply) for reply in replies]
        batch = batch.append_column("solvable", pa.array(verdicts, pa.bool_()))
        return with_drop_reasons(batch, [solvability_drop_reason(reply, verdict)
                                         for reply, verdict in zip(replies, verdicts)])
