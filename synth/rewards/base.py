"""What a reward scorer is: it adds a `reward` column to rows carrying `question` + `solution`.

Two kinds sit behind this one interface (`synth.rewards.build_reward_scorer`): a generative
judge that any chat model can play (probability of "Yes"), and a reward/classifier model served
through `ray.data.llm`. A row without a solution (the solver's engine failed) gets a null
reward, never an exception. A scorer is a model role (model_role.py): its rewards are persisted
in the run's request store and replayed by a rerun, and its `num_input_tokens` and measured
seconds are summed into summary.json under its role.
"""

from __future__ import annotations

from abc import abstractmethod

import pyarrow as pa
from ray.data import Dataset

from synth.engines.model_role import ModelRole

REWARD = "reward"
REWARD_ANSWER = pa.schema([(REWARD, pa.float64()), ("num_input_tokens", pa.int64())])


class RewardScorer(ModelRole):
    """Scores candidate solutions for one model role; a (question, solution) pair is a
    request, so a rerun replays every reward already computed."""

    request_columns = ("question", "solution")
    answer_schema = REWARD_ANSWER

    def score(self, rows: Dataset) -> Dataset:
        """`rows` with a float `reward` column added (higher = more likely correct)."""
        return self.answered(rows, self._send)

    @abstractmethod
    def _send(self, rows: Dataset) -> Dataset:
        """Rewards for keyed rows none of which the store has; workers persist them."""
