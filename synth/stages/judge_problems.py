"""GSDP's scoring filter: judge models score each problem and vote on its solution.

One `JudgeStage` per judge role (so tokens are accounted per model) adds
`judge_<role>_score` (0-1, from a 0-10 rating) and `judge_<role>_correct` (Yes/No). Then
`JudgeFilter` keeps a problem when no judge voted its solution wrong and the weighted score
reaches the threshold (GSDP: 0.85). A verdict that cannot be read is its own drop reason.

Where the engine can, the verdict is decoded under `VERDICT_SCHEMA` (an integer score 0-10 as
an enum, `correct` a boolean, an optional short reason) and read strictly; a verdict that
fails it is counted by shape (`truncated`, `schema_violation`) and dropped as unparseable.
Otherwise "score" and "correct" are read leniently from the text (`Score: 7`, `"correct": true`,
`Correct: Yes`).
"""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa

from synth.config.concept_methods import JudgeFilterConfig
from synth.engines.base import Engine
from synth.prompt_templates import fill_template
from synth.stages.base import RowFilter, with_drop_reasons
from synth.stages.prompted import PromptedStage, Reply

_SCORE = re.compile(r"score\W*(\d+(?:\.\d+)?)", re.IGNORECASE)
_CORRECT = re.compile(r"correct\W*(yes|no|true|false)\b", re.IGNORECASE)
VERDICT_SCHEMA = {
    "type": "object",
    "properties": {"score": {"enum": list(range(11))}, "correct": {"type": "boolean"},
                   "reason": {"type": "string", "maxLength": 60}},
    "required": ["score", "correct"],
    "additionalProperties": False,
}


def parse_verdict(text: str | None) -> tuple[float | None, bool | None]:
    """(score in 0-1, solution correct) from a judge reply; None for a part it did not state."""
    if not text:
        return None, None
    score = _SCORE.search(text)
    correct = _CORRECT.search(text)
    value = None if score is None else min(max(float(score.group(1)), 0.0), 10.0) / 10
    return value, None if correct is None else correct.group(1).lower() in ("yes", "true")


def verdict_from_object(data: dict[str, Any]) -> tuple[float, bool]:
    """(score in 0-1, solution correct) from a verdict validated under VERDICT_SCHEMA."""
    return data["score"] / 10, data["correct"]


def score_column(role: str) -> str:
    return f"judge_{role}_score"


def correct_column(role: str) -> str:
    return f"judge_{role}_correct"


def verdict(reply: Reply) -> tuple[float | None, bool | None, str]:
    """(score, correct, shape) of one reply: strictly under the schema, else leniently."""
    if reply.failure:
        return None, None, reply.failure
    if reply.schema_decoded:
        return (*verdict_from_object(reply.data), "ok")
    score, correct = parse_verdict(reply.text)
    return score, correct, "unparseable" if score is None or correct is None else "ok"


class JudgeStage(PromptedStage):
    """Adds one judge's `score` and `correct` columns; counts its verdict shapes, drops nothing."""

    requires = ("id", "question", "solution")
    reply_shape = VERDICT_SCHEMA
    config: JudgeFilterConfig

    def __init__(self, config: JudgeFilterConfig, role: str, engine: Engine, run_seed: int) -> None:
        self.role = role
        self.name = f"judge_by_{role}"
        self.count_columns = (f"judge_{role}_verdict",)
        super().__init__(config, engine, run_seed)

    def prompts(self, batch: pa.Table) -> list[str]:
        return [fill_template(self.config.prompt, question=q, solution=s) for q, s in
                zip(batch.column("question").to_pylist(), batch.column("solution").to_pylist())]

    def read(self, batch: pa.Table, replies: list[Reply]) -> pa.Table:
        judged = [verdict(reply) for reply in replies]
        return (batch.append_column(score_column(self.role),
                                    pa.array([score for score, _, _ in judged], pa.float64()))
                .append_column(correct_column(self.role),
                               pa.array([correct for _, correct, _ in judged], pa.bool_()))
                .append_column(f"judge_{self.role}_verdict",
                               pa.array([shape for _, _, shape in judged], pa.string())))


class JudgeFilter(RowFilter):
    """Adds `judge_score` (weighted); drops `judged_wrong`, `judge_unparseable`, `low_judge_score`."""

    name = "judge_filter"

    def __init__(self, config: JudgeFilterConfig) -> None:
        self.weights = {judge.model: float(judge.weight) for judge in config.judges}
        self.threshold = float(config.threshold)
        self.requires = tuple(c for role in self.weights for c in (score_column(role), correct_column(role)))

    def weighted_score(self, row: dict[str, Any]) -> float | None:
        scores = [row[score_column(role)] for role in self.weights]
        if any(s is None for s in scores):
            return None
        total = sum(self.weights.values())
        return sum(w * s for w, s in zip(self.weights.values(), scores)) / total if total else 0.0

    def reason(self, row: dict[str, Any]) -> str | None:
        votes = [row[correct_column(role)] for role in self.weights]
        if any(vote is False for vote in votes):
            return "judged_wrong"  # GSDP: one judge voting the solution wrong rejects it
        score = self.weighted_score(row)
        if score is None or any(vote is None for vote in votes):
            return "judge_unparseable"
        return None if score >= self.threshold else "low_judge_score"

    def _mark(self, batch: pa.Table) -> pa.Table:
        rows = batch.select(list(self.requires)).to_pylist()
        scores = pa.array([self.weighted_score(r) for r in rows], pa.float64())
        batch = batch.append_column("judge_score", scores)
        return with_drop_reasons(batch, [self.reason(r) for r in rows])
