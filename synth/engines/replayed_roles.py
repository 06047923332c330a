"""Model roles served from a recorded replies file (`engine: replayed`): a benchmark and test
tool that runs a plan at paper volume with every stage real but the model.

The completion role and the two scorer roles (difficulty, reward) answer from the file
replayed_replies.py describes, in the same actor pools, with the same request keys, request
store and accounting as a real model, so what is measured is what a real run spends outside
the model. Replayed roles skip the attempt ledger: it guards against requests that crash a
native engine, which a file lookup cannot do.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from ray.data import Dataset

from synth.config.common import EngineKind
from synth.difficulty.scorer import DIFFICULTY, DIFFICULTY_ANSWER, DifficultyScorer
from synth.engines.base import Completion, CompletionWorker, Engine
from synth.engines.model_role import ScoringWorker, on_model_replicas
from synth.engines.replayed_replies import (
    estimated_tokens,
    load_replies,
    replayed_score,
    replayed_text,
    replies_path,
    request_base_and_variant,
)
from synth.engines.request_replay import RequestStore
from synth.rewards.base import REWARD, REWARD_ANSWER, RewardScorer
from synth.structured_replies import RESPONSE_SCHEMA


class ReplayedCompletionWorker(CompletionWorker):
    """Answers each request with its recorded reply."""

    def __init__(self, replies: str, chat: bool, store: RequestStore | None = None) -> None:
        super().__init__(chat, store=store)
        self.replies = load_replies(replies)

    def complete(self, row: dict[str, Any]) -> Completion:
        base, variant = request_base_and_variant(row, row.get("sample_index"))
        text, output_tokens = replayed_text(self.replies, base, variant)
        request = (row.get("prompt") if not self.chat
                   else "".join(str(m["content"]) for m in row["messages"]))
        return Completion(text, estimated_tokens(request), output_tokens, "stop",
                          schema_decoded=True if row.get(RESPONSE_SCHEMA) else None)


class ReplayedEngine(Engine):
    """A completion role whose replies come from a recorded replies file (`model`)."""

    def _complete(self, ds: Dataset, *, chat: bool) -> Dataset:
        c = self.config
        return on_model_replicas(ds, ReplayedCompletionWorker, c, replies=replies_path(c.model),
                                 chat=chat, store=self.request_store)


class ReplayedScoringWorker(ScoringWorker):
    """Gives each row the recorded score its request text picks; rows without their text (a
    solution the solver did not write) get a null score, as the real scorers do."""

    def __init__(self, replies: str, answer_schema: pa.Schema, score_column: str,
                 text_columns: tuple[str, ...], store: RequestStore | None = None) -> None:
        super().__init__(answer_schema, store=store)
        self.replies = load_replies(replies)
        self.score_column = score_column
        self.text_columns = text_columns

    def answers(self, batch: pa.Table) -> dict[str, list[Any]]:
        columns = [batch.column(name).to_pylist() for name in self.text_columns]
        scores, tokens = [], []
        for parts in zip(*columns):
            complete = all(parts)
            text = "\n".join(parts) if complete else ""
            scores.append(replayed_score(self.replies, text) if complete else None)
            tokens.append(estimated_tokens(text) if complete else 0)
        answers = {self.score_column: scores}
        if "num_input_tokens" in self.answer_schema.names:
            answers["num_input_tokens"] = tokens
        return answers


class ReplayedDifficultyScorer(DifficultyScorer):
    """The difficulty filter's scorer, answering from recorded difficulties."""

    kind = EngineKind.replayed

    @property
    def model_identity(self) -> str:
        return f"{self.kind}:{self.config.model}"

    def _send(self, rows: Dataset) -> Dataset:
        return on_model_replicas(rows, ReplayedScoringWorker, self.config,
                                 replies=replies_path(self.config.model),
                                 answer_schema=DIFFICULTY_ANSWER, score_column=DIFFICULTY,
                                 text_columns=("question",), store=self.request_store)


class ReplayedRewardScorer(RewardScorer):
    """A reward scorer answering from recorded rewards."""

    kind = EngineKind.replayed

    def _send(self, rows: Dataset) -> Dataset:
        return on_model_replicas(rows, ReplayedScoringWorker, self.config,
                                 replies=replies_path(self.config.model),
                                 answer_schema=REWARD_ANSWER, score_column=REWARD,
                                 text_columns=("question", "solution"), store=self.request_store)
