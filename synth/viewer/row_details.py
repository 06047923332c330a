"""Everything the run knows about one row: the row itself, every solution sampled for its
question with its extracted answer, its answer class and the vote, the judges' verdicts, and
the concept combination it was written from.

Answer classes are not stored per sample (consensus keeps only their sizes), so they are
recomputed for the one question shown, with the same equivalence the vote used.
"""

from __future__ import annotations

from typing import Any

from synth.stages.consensus import answer_classes
from synth.viewer.run_tables import FINAL, RunTables

COMPARISON_TIMEOUT_S = 5.0


def row_details(tables: RunTables, view: str, row_id: str) -> dict[str, Any] | None:
    """The row `row_id` of `view` (the final dataset or a stage) with what explains it."""
    row = tables.row(view, row_id)
    if row is None:
        return None
    details: dict[str, Any] = {"row": row, "view": view}
    solve, consensus = tables.stage("solve"), tables.stage("consensus")
    if solve is not None:
        chosen = None
        if consensus is not None:
            vote = tables.row(consensus.view, row_id)
            chosen = vote.get("chosen_sample_index") if vote else None
            details["vote"] = vote and {k: vote.get(k) for k in (
                "agreement", "num_samples", "num_answered", "answer_class_sizes",
                "chosen_sample_index", "drop_reason")}
        details["samples"] = classified_samples(tables.rows_with_id(solve.view, row_id), chosen)
    judges = []
    for stage in tables.stages:
        if stage.name.startswith("judge_by_"):
            verdict = tables.row(stage.view, row_id)
            role = stage.name.removeprefix("judge_by_")
            if verdict is not None:
                judges.append({"judge": role, "score": verdict.get(f"judge_{role}_score"),
                               "correct": verdict.get(f"judge_{role}_correct"),
                               "verdict": verdict.get(f"judge_{role}_verdict")})
    if judges:
        details["judges"] = judges
    generation = tables.stage("generate_from_concepts")
    if generation is not None and view != generation.view:
        written = tables.row(generation.view, row_id)
        if written is not None:
            details["combination"] = {k: written.get(k) for k in (
                "combination_id", "kind", "topics", "knowledge_points", "generation_reply")}
    details["dropped_by"] = None if view == FINAL else row.get("drop_reason")
    return details


def classified_samples(samples: list[dict[str, Any]], chosen: int | None) -> list[dict[str, Any]]:
    """Each sample with `answer_class` (1 = the largest class, as the vote ranks them; null for
    samples without a usable answer) and `chosen` (the solution the dataset kept)."""
    answered = [s for s in samples if s.get("response_status") == "ok" and s.get("answer")]
    classes = answer_classes([s["answer"] for s in answered], COMPARISON_TIMEOUT_S)
    ranked = sorted(classes, key=len, reverse=True)  # sorted() is stable: first-seen wins ties
    class_of = {answered[i]["sample_index"]: rank + 1
                for rank, members in enumerate(ranked) for i in members}
    return [{**s, "answer_class": class_of.get(s.get("sample_index")),
             "class_size": len(ranked[class_of[s["sample_index"]] - 1])
             if s.get("sample_index") in class_of else None,
             "chosen": chosen is not None and s.get("sample_index") == chosen}
            for s in samples]
