"""ScaleQuest's reward filtering: score every sampled solution, then keep the best per question.

`RewardScoringStage` adds `reward` to every solution row the solve stage wrote (one row per
sample). `BestOfNStage` then keeps, per question, the answered sample with the highest reward
(the paper: best of 5 by internlm2-7b-reward); the others stay as `not_best_of_n`, and a
question none of whose samples states a final answer is dropped whole as `no_final_answer`.
Ties go to the lower `sample_index`, so a rerun keeps the same row whatever the block order.

Instead of best-of-N, the consensus stage can follow the reward stage: it then picks the
highest-reward member of the majority answer class.
"""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa
from ray.data import Dataset

from synth.rewards.base import REWARD, RewardScorer
from synth.stages.base import Stage, with_drop_reasons
from synth.stages.grouped_blocks import map_group_blocks

SAMPLE_COLUMNS = ("id", "question", "question_seed", "sample_index", "solution", "answer",
                  "response_status")


def best_sample_index(samples: list[dict[str, Any]]) -> int | None:
    """`sample_index` of the highest-reward answered sample (ties: the lower index); None when
    no sample states a final answer. A missing reward ranks below every scored one."""
    answered = [s for s in samples if s["response_status"] == "ok"]
    if not answered:
        return None

    def rank(sample: dict[str, Any]) -> tuple[float, int]:
        reward = sample[REWARD]
        return (-math.inf if reward is None else reward, -sample["sample_index"])

    return max(answered, key=rank)["sample_index"]


def best_of_n_reasons(samples: list[dict[str, Any]]) -> list[str | None]:
    """One drop reason per sample of one question (None for the one kept)."""
    best = best_sample_index(samples)
    if best is None:
        return ["no_final_answer"] * len(samples)
    return [None if s["sample_index"] == best else "not_best_of_n" for s in samples]


class RewardScoringStage(Stage):
    """Adds `reward` to every solution row (null where the solver produced no text)."""

    name = "reward_scoring"
    reads, writes = "samples", "samples"
    requires = ("id", "question", "solution")

    def __init__(self, scorer: RewardScorer) -> None:
        self.scorer = scorer

    @property
    def model_roles(self) -> tuple[RewardScorer, ...]:
        return (self.scorer,)

    def apply(self, rows: Dataset | None) -> Dataset:
        return self.scorer.score(rows)


class BestOfNStage(Stage):
    """Keeps one sample per question, the best by reward; adds `num_samples` and `num_answered`."""

    name = "best_of_n"
    funnel_label = "reward"
    reads, writes = "samples", "questions"
    requires = (*SAMPLE_COLUMNS, REWARD)

    def _choose(self, block: pa.Table, bounds: list[tuple[int, int]]) -> pa.Table:
        samples = block.select(["sample_index", "response_status", REWARD]).to_pylist()
        sizes, answered, reasons = [], [], []
        for start, end in bounds:
            group = samples[start:end]
            size = end - start
            sizes += [size] * size
            answered += [sum(s["response_status"] == "ok" for s in group)] * size
            reasons += best_of_n_reasons(group)
        block = (block.append_column("num_samples", pa.array(sizes, pa.int64()))
                 .append_column("num_answered", pa.array(answered, pa.int64())))
        return with_drop_reasons(block, reasons)

    def apply(self, rows: Dataset | None) -> Dataset:
        return map_group_blocks(rows, "id", self._choose)
