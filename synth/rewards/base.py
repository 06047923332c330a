"""What a reward scorer is: it adds a `reward` column to rows carrying `question` + `solution`.

Two kinds sit behind this one interface (`synth.rewards.build_reward_scorer`): a generative
judge that any chat model can play (probability of "Yes"), and a reward/classifier model served
through `ray.data.llm`. A row without a solution (the solver's engine failed) gets a null
reward, never an exception. Scorers may also add the stage-local `num_input_tokens` and engine
cost columns, which the runner sums into summary.json.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from omegaconf import DictConfig
from ray.data import Dataset

REWARD = "reward"


class RewardScorer(ABC):
    """Scores candidate solutions for one model role."""

    def __init__(self, role: str, model_config: DictConfig) -> None:
        self.role = role
        self.model_config = model_config

    @abstractmethod
    def score(self, rows: Dataset) -> Dataset:
        """`rows` with a float `reward` column added (higher = more likely correct)."""

    def resource_plan(self) -> str:
        """One line for the dry run: kind, model, replicas and resources per replica."""
        c = self.model_config
        low, high = c.replicas
        gpus = f", {c.num_gpus:g} GPU" if c.num_gpus else ""
        return (f"{self.role}: {type(self).__name__} {c.model}, replicas {low}..{high}, "
                f"{c.num_cpus:g} CPU{gpus} per replica")
