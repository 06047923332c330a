"""Run directories on a URI filesystem (fsspec's in-memory one here) behave like local ones:
stages are written in place, the record alone marks completion, bookkeeping reads the Parquet."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from omegaconf import OmegaConf
from upath import UPath

from synth.config.common import check_storage_scheme
from synth.config.errors import ConfigError
from synth.run.directory import RunDirectory
from synth.run.error_table import write_error_table
from synth.run.stage_counts import count_stage_output
from synth.run.storage import is_local, remove_tree, run_path

CONFIG = OmegaConf.create({"pipeline": "scalequest", "run": {"name": "r", "resume": True,
                                                            "output_dir": "memory://runs"}})


def write_parquet(path: Path, table: pa.Table) -> None:
    with path.open("wb") as sink:
        pq.write_table(table, sink)


@pytest.fixture
def memory_run() -> RunDirectory:
    root = run_path("memory://runs") / "r"
    remove_tree(root)
    run_dir = RunDirectory(root)
    run_dir.prepare(CONFIG)
    return run_dir


def test_local_paths_and_file_uris_are_pathlib_paths(tmp_path: Path) -> None:
    assert type(run_path(str(tmp_path))) is type(tmp_path)
    assert run_path(f"file://{tmp_path}") == tmp_path
    assert is_local(run_path("runs")) and not is_local(run_path("memory://runs"))
    assert isinstance(run_path("memory://runs"), UPath)


def test_stage_on_object_storage_is_written_in_place_and_marked_by_its_record(
        memory_run: RunDirectory) -> None:
    stage = memory_run.stage_path(1, "solve")
    partial = memory_run.partial_path(stage)
    assert partial == stage  # no rename on object storage
    record_path = memory_run.record_path(1, "solve")
    assert memory_run.read_record(record_path) is None
    write_parquet(stage / "part-0.parquet", pa.table({
        "id": ["a", "b", "c"], "drop_reason": [None, "unsolvable", None],
        "num_generated_tokens": [5, 6, 7],
        "engine_error": [None, None, "replica_died: 3 engine replicas died"]}))
    stats = count_stage_output(stage)
    assert (stats["rows_written"], stats["rows_out"], stats["tokens_out"]) == (3, 2, 18)
    memory_run.commit(partial, stage, record_path, {"stage": "solve", **stats})
    assert memory_run.read_record(record_path)["rows_out"] == 2

    errors = memory_run.error_path(1, "solve")
    assert write_error_table(stage, "solve", errors) == 1
    with errors.open("rb") as source:
        assert pq.read_table(source).column("id").to_pylist() == ["c"]


def test_resume_refuses_a_different_config_on_object_storage(memory_run: RunDirectory) -> None:
    assert "memory://runs" in (memory_run.root / "config.yaml").read_text()
    changed = OmegaConf.merge(CONFIG, {"pipeline": "mathscale"})
    with pytest.raises(ConfigError, match="different config"):
        RunDirectory(memory_run.root).prepare(changed)
    memory_run.write_summary({"final_rows": 0})
    assert json.loads(memory_run.summary_path.read_text()) == {"final_rows": 0}
    remove_tree(memory_run.root)
    assert not memory_run.root.exists()


def test_unknown_storage_scheme_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"run.output_dir: 'nosuch://bucket/runs'"):
        check_storage_scheme("nosuch://bucket/runs")
    check_storage_scheme("memory://runs")
    check_storage_scheme("runs")
