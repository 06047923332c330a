"""Keep questions whose sampled answers agree, and choose one solution for each.

Answers are grouped into equivalence classes (normalised text and numbers first, math-verify
for the rest). Agreement = size of the largest class / samples drawn, so a response with no
answer counts against the question. A question is kept only when its majority class holds at
least `min_votes` samples (default 2) and `min_agreement` of the samples drawn: a lone
answered sample agrees with nothing, so it is `too_few_votes`, never "agreed". Ties go to the class whose first member came first, and
the chosen solution is the first majority member: every choice is deterministic, so a rerun
keeps the same row. When the solutions carry a `reward` column (a reward-model stage ran
before), the chosen solution is the majority member with the highest reward instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa
from ray.data import Dataset

from synth.answers.equivalence import EQUAL, UNSURE, compare_answers
from synth.config.scalequest import ConsensusConfig
from synth.stages.base import DROP_REASON, Stage
from synth.stages.grouped_blocks import map_group_blocks

GROUP_COLUMNS = ("id", "question", "question_seed", "sample_index", "solution", "answer",
                 "response_status")
REWARD = "reward"
# True when some comparison of the question's answers was "not sure" (counted in summary.json).
ANSWERS_UNSURE = "answers_unsure"


def answer_classes(answers: list[str], timeout_s: float,
                   unsure: list[int] | None = None) -> list[list[int]]:
    """Indices of `answers` grouped by equivalence, in order of first appearance. Comparisons
    math-verify could only settle on a partial reading count as different, and are counted
    in `unsure` (one list element: the count) when it is given."""
    classes: list[list[int]] = []
    for index, answer in enumerate(answers):
        for members in classes:
            verdict = compare_answers(answers[members[0]], answer, timeout_s)
            if unsure is not None and verdict == UNSURE:
                unsure[0] += 1
            if verdict == EQUAL:
                members.append(index)
                break
        else:
            classes.append([index])
    return classes


def vote(samples: list[dict[str, Any]], num_samples: int, min_agreement: float,
         timeout_s: float, min_votes: int = 2) -> dict[str, Any]:
    """One output row for one question from its sampled responses."""
    samples = sorted(samples, key=lambda s: s["sample_index"])
    answered = [s for s in samples if s["response_status"] == "ok"]
    first = samples[0]
    row = {"id": first["id"], "question": first["question"], "question_seed": first["question_seed"],
           "solution": None, "answer": None, "agreement": 0.0, "num_samples": num_samples,
           "num_answered": len(answered), "answer_class_sizes": [], "chosen_sample_index": None,
           ANSWERS_UNSURE: False, DROP_REASON: "no_final_answer"}
    if not answered:
        return row
    unsure = [0]
    classes = answer_classes([s["answer"] for s in answered], timeout_s, unsure)
    row[ANSWERS_UNSURE] = unsure[0] > 0
    majority = max(classes, key=len)  # max keeps the first of equally large classes
    chosen = _choose(answered[i] for i in majority)
    agreement = len(majority) / num_samples
    row.update(solution=chosen["solution"], answer=chosen["answer"], agreement=agreement,
               answer_class_sizes=sorted((len(c) for c in classes), reverse=True),
               chosen_sample_index=chosen["sample_index"],
               **{DROP_REASON: consensus_verdict(len(majority), agreement, min_votes,
                                                 min_agreement)})
    return row


def consensus_verdict(votes: int, agreement: float, min_votes: int,
                      min_agreement: float) -> str | None:
    """None to keep; else why not: too few samples in the majority, or too small a share."""
    if votes < min_votes:
        return "too_few_votes"
    return None if agreement >= min_agreement else "low_agreement"


def _choose(members: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The highest-reward member when rewards exist, else the first; ties go to the earlier one."""
    members = list(members)
    rewarded = [m for m in members if m.get(REWARD) is not None]
    if not rewarded:
        return members[0]
    return max(rewarded, key=lambda m: (m[REWARD], -m["sample_index"]))


OUTPUT_SCHEMA = pa.schema([
    ("id", pa.string()), ("question", pa.string()), ("question_seed", pa.int64()),
    ("solution", pa.string()), ("answer", pa.string()), ("agreement", pa.float64()),
    ("num_samples", pa.int64()), ("num_answered", pa.int64()),
    ("answer_class_sizes", pa.list_(pa.int64())), ("chosen_sample_index", pa.int64()),
    (ANSWERS_UNSURE, pa.bool_()), (DROP_REASON, pa.string()),
])


class ConsensusStage(Stage):
    """One row per question with `agreement`; drops `no_final_answer`, `too_few_votes` and
    `low_agreement`."""

    name = "consensus"
    reads, writes = "samples", "questions"
    requires = GROUP_COLUMNS
    count_columns = (ANSWERS_UNSURE,)

    def __init__(self, config: ConsensusConfig, num_samples: int) -> None:
        self.min_agreement = float(config.min_agreement)
        self.min_votes = int(config.min_votes)
        self.timeout_s = float(config.comparison_timeout_s)
        self.num_samples = num_samples

    def _vote_groups(self, block: pa.Table, bounds: list[tuple[int, int]]) -> pa.Table:
        columns = [*GROUP_COLUMNS, *([REWARD] if REWARD in block.column_names else [])]
        samples = block.select(columns).to_pylist()
        return pa.Table.from_pylist([vote(samples[start:end], self.num_samples, self.min_agreement,
                                          self.timeout_s, self.min_votes)
                                     for start, end in bounds], schema=OUTPUT_SCHEMA)

    def apply(self, rows: Dataset | None) -> Dataset:
        return map_group_blocks(rows, "id", self._vote_groups)
