"""A request that kills every replica it reaches becomes an error-table row; the rest complete.

The worker is scripted (it exits its process on a marker prompt, as a native crash would), but
the actor pool, its restarts and the retries are Ray Data's own, on a real local cluster.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow.parquet as pq
from omegaconf import OmegaConf

from synth.engines.base import Completion, CompletionWorker, replica_guard
from synth.engines.model_role import on_model_replicas
from synth.engines.request_replay import with_request_keys
from synth.run.error_table import write_error_table

POISON = "POISON"


class CrashesOnPoison(CompletionWorker):
    """Answers by upper-casing the prompt; dies outright on the poison prompt."""

    def __init__(self, **guard) -> None:
        super().__init__(chat=False, **guard)

    def complete(self, row: dict) -> Completion:
        if row["prompt"] == POISON:
            os._exit(1)
        return Completion(row["prompt"].upper(), 1, 1, "stop")


def test_poison_row_goes_to_the_error_table_and_the_rest_complete(ray_cluster,
                                                                   tmp_path: Path) -> None:
    model = OmegaConf.create({"replicas": [1, 1], "batch_size": 1, "num_cpus": 1,
                              "num_gpus": 0, "accelerator_type": None,
                              "max_attempts_per_row": 2})
    prompts = ["one", "two", POISON, "three"]
    rows = ray_cluster.data.from_items([{"id": i, "prompt": p} for i, p in enumerate(prompts)])
    rows = rows.map_batches(with_request_keys, fn_kwargs={"model_identity": "scripted"},
                            batch_format="pyarrow")  # workers get keyed rows, as generate() keys them
    answered = on_model_replicas(rows, CrashesOnPoison, model, **replica_guard(model))
    answered.write_parquet(str(tmp_path / "stage"))

    table = pq.read_table(tmp_path / "stage").sort_by("id")
    assert table.num_rows == len(prompts)  # nothing lost, nothing duplicated
    by_prompt = {row["prompt"]: row for row in table.to_pylist()}
    assert [by_prompt[p]["generated_text"] for p in ("one", "two", "three")] == [
        "ONE", "TWO", "THREE"]
    poison = by_prompt[POISON]
    assert poison["finish_reason"] == "error"
    assert poison["engine_error"].startswith("replica_died: 2 engine replicas died")

    errors = tmp_path / "errors" / "01_solve.parquet"
    assert write_error_table(tmp_path / "stage", "solve", errors) == 1
    error_rows = pq.read_table(errors).to_pylist()
    assert [(r["prompt"], r["stage"]) for r in error_rows] == [(POISON, "solve")]
