"""ScaleQuest's filter funnel in the paper's terms: the share of generated questions each
filter removed (paper, of 2M: language 20%, solvability 19%, difficulty 9%), and the share of
sampled responses reward filtering removed (best of 5 keeps one)."""

from __future__ import annotations

from typing import Any

QUESTION_FILTERS = {"language": "language_filter", "solvability": "solvability_filter",
                    "difficulty": "difficulty_filter"}
RESPONSE_FILTERS = {"reward": "best_of_n"}


def paper_filter_funnel(records: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Shares removed per filter, or None when the run has no question generation stage."""
    by_stage = {record["stage"]: record for record in records}
    generated = by_stage.get("generate_questions")
    if generated is None:
        return None
    questions = generated["rows_written"]
    funnel: dict[str, Any] = {"generated_questions": questions}
    for label, stage in QUESTION_FILTERS.items():
        if stage in by_stage:
            removed = by_stage[stage]["rows_in"] - by_stage[stage]["rows_out"]
            funnel[label] = {"removed": removed,
                             "share_of_generated": round(removed / questions, 4) if questions else None}
    for label, stage in RESPONSE_FILTERS.items():
        if stage in by_stage:
            responses = by_stage[stage]["rows_written"]
            removed = responses - by_stage[stage]["rows_out"]
            funnel[label] = {"removed": removed,
                             "share_of_responses": round(removed / responses, 4) if responses else None}
    return funnel
