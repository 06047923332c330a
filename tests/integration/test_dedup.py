"""Dedup on real GSM8K questions with planted duplicates, through real Ray Data shuffles."""

from __future__ import annotations

import re

import pytest
from omegaconf import OmegaConf

from synth.benchmarks.benchmark_sets import packaged_benchmark
from synth.config.quality import DedupConfig
from synth.stages.dedup import DedupStage


def _questions(count: int) -> list[str]:
    questions = packaged_benchmark("gsm8k_test").column("question").to_pylist()
    return [q for q in questions if len(q.split()) >= 35][:count]  # long enough to shingle well


def _bump_first_number(text: str) -> str:
    return re.sub(r"\d+", lambda m: str(int(m.group()) + 1), text, count=1)


def _variants(question: str) -> dict[str, str]:
    return {
        "whitespace": "  " + re.sub(r" ", "   ", question) + "\n",
        "punctuation": re.sub(r"\.(\s|$)", r" !\1", question.replace(", ", " ")).replace("?", " ??"),
        "case": question.upper(),
        "number": _bump_first_number(question),
        "reworded": question.replace(" has ", " owns ", 1).replace(" buys ", " purchases ", 1),
    }


@pytest.fixture(scope="module")
def planted_rows():
    questions = _questions(300)
    rows = [{"id": f"a{i:04d}", "question": q} for i, q in enumerate(questions)]
    planted = {}
    for i in range(0, 60, 6):
        for kind, text in _variants(questions[i]).items():
            copy_id = f"b{i:04d}-{kind}"  # "b..." sorts after "a...": the original must survive
            rows.append({"id": copy_id, "question": text})
            planted[copy_id] = f"a{i:04d}"
    return rows, planted


def _dedup(ray_cluster, rows, blocks: int) -> dict[str, dict]:
    stage = DedupStage(OmegaConf.structured(DedupConfig))
    dataset = ray_cluster.data.from_items(rows).repartition(blocks)
    return {row["id"]: row for row in stage.apply(dataset).take_all()}


def test_planted_duplicates_found_and_distinct_questions_survive(ray_cluster, planted_rows):
    rows, planted = planted_rows
    out = _dedup(ray_cluster, rows, blocks=3)
    assert len(out) == len(rows)
    dropped = {i for i, row in out.items() if row["drop_reason"]}
    assert dropped == set(planted), (sorted(set(planted) - dropped), sorted(dropped - set(planted)))
    for copy_id, original in planted.items():
        assert out[copy_id]["duplicate_of"] == original
    exact_kinds = {i for i in planted if i.endswith(("whitespace", "punctuation", "case"))}
    assert {i for i in exact_kinds if out[i]["drop_reason"] == "exact_duplicate"} == exact_kinds
    assert out["b0000-number"]["drop_reason"] == "near_duplicate"


def test_result_does_not_depend_on_block_count(ray_cluster, planted_rows):
    rows, _ = planted_rows
    one = _dedup(ray_cluster, rows, blocks=1)
    many = _dedup(ray_cluster, list(reversed(rows)), blocks=8)
    assert {i: r["drop_reason"] for i, r in one.items()} == {i: r["drop_reason"] for i, r in many.items()}
    assert {i: r["duplicate_of"] for i, r in one.items()} == {i: r["duplicate_of"] for i, r in many.items()}


@pytest.mark.slow
def test_semantic_dedup_catches_paraphrases_minhash_misses(ray_cluster, tmp_path):
    rows = [
        {"id": "a1", "question": "Tom has 5 apples and buys 3 more apples. How many apples does Tom have now?"},
        {"id": "a2", "question": "Tom owns five apples, then purchases three additional apples. What is his apple count now?"},
        {"id": "a3", "question": "A train leaves at 3 pm travelling 60 miles per hour. How far has it gone by 6 pm?"},
    ]
    config = OmegaConf.structured(DedupConfig)
    config.semantic, config.semantic_threshold = True, 0.8
    first, rerun = DedupStage(config), DedupStage(config)
    for stage in (first, rerun):  # as the runner does: the embedding model's store in the run
        (role,) = stage.model_roles
        role.open_store(str(tmp_path / "requests" / role.store_name))
    out = {r["id"]: r for r in first.apply(ray_cluster.data.from_items(rows)).take_all()}
    assert out["a1"]["drop_reason"] is None and out["a3"]["drop_reason"] is None
    assert out["a2"]["drop_reason"] == "semantic_duplicate"
    stored = rerun.embedder.request_store.files()
    assert stored, "the embeddings were not persisted"
    # The rerun's embeddings come from the store: the same verdicts, and nothing re-embedded.
    texts = ray_cluster.data.from_items(rows).select_columns(["id", "question"])
    assert all(r["_replayed"] for r in rerun.embedder.embed(texts).take_all())
    again = {r["id"]: r for r in rerun.apply(ray_cluster.data.from_items(rows)).take_all()}
    assert {i: r["drop_reason"] for i, r in again.items()} == {
        i: r["drop_reason"] for i, r in out.items()}
    assert rerun.embedder.request_store.files() == stored
