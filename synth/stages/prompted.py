"""A stage that prompts a model role once per row and reads its reply.

What every such stage shares is here: the request (a chat turn, or a raw prompt started with
`response_prefix` under a `chat_template`), its seed, the reply's JSON schema where the engine
decodes under one, the round trip through the engine, and what a reply that failed says by
itself (an engine error, cut off at `max_tokens`, outside its schema). A subclass writes its
prompt and its reading of replies:

    class SolvabilityFilter(PromptedStage):
        name = "solvability_filter"
        reply_shape = SOLVABLE_SCHEMA

        def prompts(self, batch):
            return [fill_template(self.config.prompt, question=q) for q in ...]

        def read(self, batch, replies):
            return with_drop_reasons(batch.append_column("solvable", ...), reasons)
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

import pyarrow as pa
from ray.data import Dataset

from synth.config.common import PromptedSection
from synth.engines.base import Engine, finish_drop_reason
from synth.prompt_templates import append_requests, drop_request_columns, reply_texts
from synth.row_ids import derived_seed
from synth.stages.base import Stage
from synth.structured_replies import read_structured_reply, reply_mode, schema_decoded_flags


@dataclass(frozen=True)
class Reply:
    """One model reply as a prompted stage reads it."""

    text: str | None  # the reply's words (with a started `response_prefix` when kept)
    finish: str | None  # stop | length | error
    schema_decoded: bool  # decoded under the stage's JSON schema
    data: dict[str, Any] | None  # the reply read under that schema; None when free or failed

    @property
    def failure(self) -> str | None:
        """The drop reason the reply gives by itself: `engine_error`; under a schema,
        `truncated` or `schema_violation` when it could not be read; None otherwise."""
        if self.finish == "error" or (self.schema_decoded and self.data is None):
            return finish_drop_reason(self.finish) or "schema_violation"
        return None


def read_replies(texts: list[str | None], batch: pa.Table,
                 reply_schema: dict[str, Any] | None) -> list[Reply]:
    """The replies in `batch` (an engine's answered requests) as Reply records; `texts` are
    their words as the stage reads them."""
    finishes = batch.column("finish_reason").to_pylist()
    return [Reply(text, finish, bool(decoded),
                  read_structured_reply(text, reply_schema) if decoded else None)
            for text, finish, decoded in zip(texts, finishes, schema_decoded_flags(batch))]


class PromptedStage(Stage):
    """One request per input row to `engine`, built from `config` (a PromptedSection)."""

    reply_shape: ClassVar[dict[str, Any] | None] = None  # the reply's JSON schema
    seed_label: ClassVar[str | None] = None  # names the rows' seeds; None: the stage's name
    seed_column: ClassVar[str] = "id"  # the input column each row's seed is derived from
    keeps_started_reply: ClassVar[bool] = True  # read `response_prefix` + continuation, or only the continuation

    def __init__(self, config: PromptedSection, engine: Engine, run_seed: int) -> None:
        self.config = config
        self.engine = engine
        self.run_seed = run_seed
        self.reply_schema, self.reply_decoding = reply_mode(config, engine, self.shape())

    def shape(self) -> dict[str, Any] | None:
        """The JSON schema replies are decoded under where the engine can."""
        return self.reply_shape

    @abstractmethod
    def prompts(self, batch: pa.Table) -> list[str]:
        """One prompt per row of `batch`."""

    @abstractmethod
    def read(self, batch: pa.Table, replies: list[Reply]) -> pa.Table:
        """`batch` (its request columns gone) with what the replies say, and drop reasons."""

    def seeds(self, ids: list[Any]) -> list[int]:
        """The sampling seed of each row's request, from the row's id and the run's seed."""
        return [derived_seed(self.run_seed, self.seed_label or self.name, i) for i in ids]

    def reshape(self, batch: pa.Table) -> pa.Table:
        """The rows requests are built from; a subclass may add or rename columns first."""
        return batch

    def requests(self, batch: pa.Table) -> pa.Table:
        seeds = self.seeds(batch.column(self.seed_column).to_pylist())
        batch = self.reshape(batch)
        return append_requests(batch, self.prompts(batch), self.config, seeds, self.reply_schema)

    def replies(self, batch: pa.Table) -> list[Reply]:
        generated = batch.column("generated_text").to_pylist()
        texts = (reply_texts(generated, self.config.chat_template, self.config.response_prefix)
                 if self.keeps_started_reply else generated)
        return read_replies(texts, batch, self.reply_schema)

    def _read(self, batch: pa.Table) -> pa.Table:
        return self.read(drop_request_columns(batch), self.replies(batch))

    def apply(self, rows: Dataset | None) -> Dataset:
        requests = rows.map_batches(self.requests, batch_format="pyarrow")
        answered = self.engine.generate(requests, chat=not self.config.chat_template)
        return answered.map_batches(self._read, batch_format="pyarrow")
