"""A run's filter funnel in the paper's terms: the share of generated questions each question
filter removed (ScaleQuest, of 2M: language 20%, solvability 19%, difficulty 9%), and the share
of sampled responses each response filter removed (best of 5 keeps one).

A stage joins the funnel by naming itself (`Stage.funnel_label`); its record carries the label.
"""

from __future__ import annotations

from typing import Any


def filter_funnel(records: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Shares removed per labelled filter, or None when no stage of the run is one."""
    filters = [record for record in records if record.get("funnel_label")]
    if not filters:
        return None
    generated = records[0]["rows_written"]
    funnel: dict[str, Any] = {"generated_questions": generated}
    for record in filters:
        removed = record["rows_written"] - record["rows_out"]
        if record["rows_in_are"] == "samples":
            responses = record["rows_written"]
            funnel[record["funnel_label"]] = {
                "removed": removed,
                "share_of_responses": round(removed / responses, 4) if responses else None}
        else:
            funnel[record["funnel_label"]] = {
                "removed": removed,
                "share_of_generated": round(removed / generated, 4) if generated else None}
    return funnel
