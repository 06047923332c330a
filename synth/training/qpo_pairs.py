"""QPO steps (a)-(c) on Ray Data: draft K questions, rewrite each toward one goal, write pairs.

    generator = build_engine("generator", cfg.models.generator)
    optimizer = build_engine("optimizer", cfg.models.optimizer)
    report = build_preference_pairs(cfg, generator, optimizer, run_dir / "qpo_pairs")

Both models are ordinary engine roles (`synth.engines`): the QFT checkpoint on `transformers`
or `vllm`, the optimizer on any engine, in autoscaling actor pools like any pipeline stage.
Drafts that failed never reach the optimizer. Only usable pairs are written (Parquet columns
id, goal, prompt, chosen, rejected); every other question is counted by its reason in
`pairs_summary.json` next to the pairs.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

import pyarrow as pa
import ray
from omegaconf import DictConfig
from ray.data import Dataset, SaveMode
from ray.data.expressions import col

from synth.engines.base import Engine, sampling_column
from synth.row_ids import derived_seed, stable_id
from synth.structured_replies import reply_mode, schema_decoded_flags, with_reply_schema
from synth.training.preference_pairs import (
    PAIR_COLUMNS,
    REWRITE_SCHEMA,
    draft_failure,
    preference_pair,
    read_rewrite,
    rewrite_failure,
)
from synth.training.rewrite_goals import rewrite_goal, rewrite_request

USABLE = col("failure").is_null()  # rows that can go on: a draft to rewrite, a pair to write


@dataclass(frozen=True)
class PairsReport:
    """What step (c) produced: where the pairs are and why the other questions made none."""

    pairs_dir: str
    num_questions: int
    num_pairs: int
    failures: dict[str, int]  # reason -> questions that made no pair
    goals: dict[str, int]  # goal -> pairs
    rewrite_reply: str  # how the optimizer's rewrites were decoded (JSON schema or free text)


def build_preference_pairs(cfg: DictConfig, generator: Engine, optimizer: Engine,
                           pairs_dir: Path) -> PairsReport:
    """Draft, rewrite and pair as `cfg` (pipeline: qpo) says; writes `pairs_dir` and its summary."""
    seed = cfg.run.seed
    reply_schema, rewrite_reply = reply_mode(cfg.rewrite, optimizer, REWRITE_SCHEMA)
    requests = ray.data.range(cfg.generate.num_questions).map_batches(
        partial(_draft_requests, prefix=cfg.template.prefix, sampling=cfg.generate.sampling,
                seed=seed), batch_format="pyarrow")
    drafts = generator.generate(requests, chat=False).map_batches(
        partial(_rewrite_requests, rewrite=cfg.rewrite, seed=seed, reply_schema=reply_schema),
        batch_format="pyarrow",
    ).materialize()  # read twice: failed drafts are counted, the rest rewritten
    rewrites = optimizer.generate(drafts.filter(expr=USABLE), chat=True).map_batches(
        partial(_pairs, prefix=cfg.template.prefix, end_of_turn=cfg.template.end_of_turn),
        batch_format="pyarrow",
    ).materialize()  # read twice: pairs are written, failed rewrites counted
    rewrites.filter(expr=USABLE).select_columns(list(PAIR_COLUMNS)).write_parquet(
        str(pairs_dir), mode=SaveMode.OVERWRITE)
    failures = _failure_counts(drafts) + _failure_counts(rewrites)
    pairs = rewrites.filter(expr=USABLE).select_columns(["goal"]).iter_rows()
    goals = Counter(row["goal"] for row in pairs)
    report = PairsReport(str(pairs_dir), cfg.generate.num_questions,
                         num_pairs=sum(goals.values()), failures=dict(failures), goals=dict(goals),
                         rewrite_reply=rewrite_reply)
    pairs_dir.parent.mkdir(parents=True, exist_ok=True)  # no pair written: no pairs_dir either
    (pairs_dir.parent / "pairs_summary.json").write_text(json.dumps(asdict(report), indent=2))
    return report


def _draft_requests(batch: pa.Table, *, prefix: str, sampling: DictConfig, seed: int) -> pa.Table:
    """Generation from scratch: the bare template prefix, one seed per question."""
    indices = batch.column("id").to_pylist()
    return pa.table({
        "id": pa.array([stable_id(seed, "qpo_question", i) for i in indices], pa.string()),
        "prompt": pa.array([prefix] * len(indices), pa.string()),
        "sampling_params": sampling_column(
            sampling, [derived_seed(seed, "qpo_question", i) for i in indices]),
    })


def _rewrite_requests(batch: pa.Table, *, rewrite: DictConfig, seed: int,
                      reply_schema: dict | None) -> pa.Table:
    """Each draft with its goal, its failure (if any) and the optimizer's chat request (with
    the rewrite's reply schema when the optimizer decodes under one)."""
    ids = batch.column("id").to_pylist()
    questions = [(text or "").strip() for text in batch.column("generated_text").to_pylist()]
    goals = [rewrite_goal(seed, question_id) for question_id in ids]
    failures = [draft_failure(question, finish) for question, finish
                in zip(questions, batch.column("finish_reason").to_pylist())]
    return with_reply_schema(pa.table({
        "id": pa.array(ids, pa.string()),
        "question": pa.array(questions, pa.string()),
        "goal": pa.array(goals, pa.string()),
        "failure": pa.array(failures, pa.string()),
        "messages": pa.array([rewrite_request(goal, question, rewrite)
                              for goal, question in zip(goals, questions)]),
        "sampling_params": sampling_column(
            rewrite.sampling, [derived_seed(seed, "qpo_rewrite", question_id) for question_id in ids]),
    }), reply_schema)


def _pairs(batch: pa.Table, *, prefix: str, end_of_turn: str) -> pa.Table:
    """Each rewrite as a preference pair, or with the reason it makes none."""
    questions = batch.column("question").to_pylist()
    rewrites = [read_rewrite(text, decoded) for text, decoded
                in zip(batch.column("generated_text").to_pylist(), schema_decoded_flags(batch))]
    failures = [rewrite_failure(question, rewrite, finish) for question, rewrite, finish
                in zip(questions, rewrites, batch.column("finish_reason").to_pylist())]
    pairs = [preference_pair(question, rewrite, prefix, end_of_turn)
             for question, rewrite in zip(questions, rewrites)]
    columns = {name: batch.column(name) for name in ("id", "goal")}
    columns.update({side: pa.array([pair[side] for pair in pairs], pa.string())
                    for side in ("prompt", "chosen", "rejected")})
    columns["failure"] = pa.array(failures, pa.string())
    return pa.table(columns)


def _failure_counts(rows: Dataset) -> Counter:
    reasons = (row["failure"] for row in rows.select_columns(["failure"]).iter_rows())
    return Counter(reason for reason in reasons if reason is not None)
