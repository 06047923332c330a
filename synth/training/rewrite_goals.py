"""QPO's rewrite request: one goal per question, drawn at random but reproducibly.

ScaleQuest asks a stronger model to rewrite each drafted question toward *solvability* or
*difficulty*, picking one goal at random per question. The draw is a hash of the run seed and
the question id, so a rerun (or another worker order) gives every question the same goal.
"""

from __future__ import annotations

from omegaconf import DictConfig

from synth.prompt_templates import fill_template
from synth.row_ids import derived_seed

GOALS = ("solvability", "difficulty")


def rewrite_goal(run_seed: int, question_id: str) -> str:
    """The goal of one question's rewrite, each goal equally likely."""
    return GOALS[derived_seed(run_seed, "qpo_goal", question_id) % len(GOALS)]


def rewrite_request(goal: str, question: str, rewrite: DictConfig) -> list[dict[str, str]]:
    """The optimizer's chat messages: the goal's prompt with the question filled in."""
    template = rewrite.solvability_prompt if goal == "solvability" else rewrite.difficulty_prompt
    return [{"role": "user", "content": fill_template(template, question=question)}]
