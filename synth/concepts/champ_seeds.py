"""CHAMP's 270 competition problems as seed records, with their human concept labels.

CHAMP (Mao et al., 2024) annotates each problem with the concepts ("C_" ids) and hints
("H_" ids) that solve it. The concept labels are a human-made stand-in for MathScale's
LLM extraction, so graphs built from them test the graph code without a model, and the
problems double as a small seed set that ships as a package (`champ-dataset`).
"""

from __future__ import annotations


def champ_seed_records() -> list[dict]:
    """One dict per problem: id, question, solution, answer, category, concepts.

    `concepts` lists the texts of the problem's concept annotations in annotation order
    (hints are left out: they are problem-specific steps, not reusable concepts).
    `concept_ids` keeps the CHAMP ids, since two ids can share one text.
    """
    import champ_dataset  # lazy: only runs that seed from CHAMP need it

    dataset = champ_dataset.load("v0")
    records = []
    for problem in dataset.problems.values():
        concept_ids = [item for item in problem.ch_list if item.startswith("C_")]
        records.append({
            "id": problem.identifier,
            "question": problem.text,
            "solution": "\n".join(step.text for step in problem.solution.steps),
            "answer": problem.answer,
            "category": problem.category,
            "concepts": [dataset.concepts[item].text for item in concept_ids],
            "concept_ids": concept_ids,
        })
    return records
