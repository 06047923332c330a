"""MathScale and GSDP `_cpu` pipelines end to end through the CLI: a real local Ray cluster,
real SmolLM2 (llama.cpp) and, for GSDP, real all-MiniLM-L6-v2 embeddings; CHAMP seeds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest

from synth.stages.final_pairs import CONCEPT_COLUMNS, FINAL_COLUMNS

REPO = Path(__file__).resolve().parents[2]
# Enough seeds that SmolLM2's concepts repeat: MathScale keeps concepts seen twice or more;
# GSDP keeps every KP, so fewer seeds already give a connected graph.
SEEDS = {"mathscale_cpu": 40, "gsdp_cpu": 24}


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "synth.cli", *args], capture_output=True,
                          text=True, timeout=900, cwd=REPO)


def _rows(path: Path) -> int:
    files = sorted(str(p) for p in path.glob("*.parquet"))
    return pads.dataset(files, format="parquet").count_rows() if files else 0


@pytest.fixture(scope="module", params=["mathscale_cpu", "gsdp_cpu"])
def concept_run(request, tmp_path_factory):
    output = tmp_path_factory.mktemp(request.param)
    result = _run("run", str(REPO / "pipelines" / f"{request.param}.yaml"),
                  f"seeds.limit={SEEDS[request.param]}", "sample.num_combinations=10",
                  f"run.output_dir={output}")
    assert result.returncode == 0, result.stderr[-3000:]
    return request.param, output / request.param


def test_graph_is_saved_and_inspectable(concept_run):
    name, run_dir = concept_run
    graph = run_dir / "graph"
    nodes = pq.read_table(graph / "nodes.parquet")
    edges = pq.read_table(graph / "edges.parquet")
    stats = json.loads((graph / "stats.json").read_text())
    assert stats["nodes"] == nodes.num_rows > 0 and stats["edges"] == edges.num_rows
    if name == "mathscale_cpu":
        assert set(nodes.column("kind").to_pylist()) == {"topic", "kp"}
        assert min(nodes.column("count").to_pylist()) >= 2  # MathScale drops concepts seen once
    else:
        mapping = pq.read_table(graph / "kp_mapping.parquet")
        assert mapping.num_rows >= nodes.num_rows  # every raw KP maps onto a merged one
    inspected = _run("graph", "inspect", str(run_dir))
    assert inspected.returncode == 0, inspected.stderr[-2000:]
    assert "most frequent concepts" in inspected.stdout and "sample" in inspected.stdout


def test_funnel_matches_parquet_and_final_rows_carry_concepts(concept_run):
    name, run_dir = concept_run
    summary = json.loads((run_dir / "summary.json").read_text())
    assert (run_dir / "report" / "funnel.png").stat().st_size > 5000
    for record, stage_dir in zip(summary["stages"], sorted(
            p for p in (run_dir / "stages").iterdir() if p.is_dir())):
        assert _rows(stage_dir) == record["rows_written"], stage_dir
    records = {r["stage"]: r for r in summary["stages"]}
    extraction = records["extract_concepts"]
    assert extraction["rows_in"] == SEEDS[name]
    assert extraction["rows_out"] + sum(extraction["dropped"].values()) == SEEDS[name]
    # The shipped CPU configs decode extraction, generation and judges under their schemas.
    for record in summary["stages"]:
        if record["stage"] in ("extract_concepts", "generate_from_concepts") or \
                record["stage"].startswith("judge_by_"):
            assert record["reply_decoding"] == "reply: JSON schema", record["stage"]
            assert record["replies_decoded"] == {"schema": record["rows_written"],
                                                 "free_text_fallback": 0}, record["stage"]
    assert set(extraction["dropped"]) <= {"truncated"}
    assert extraction["rows_out"] >= 0.9 * SEEDS[name]
    assert records["generate_from_concepts"]["rows_written"] > 0, "the graph yields combinations"
    assert _rows(run_dir / "final" / "data") == summary["final_rows"]
    if summary["final_rows"] == 0:  # a 135M model may write nothing usable; the funnel says why
        assert sum(records["generate_from_concepts"]["dropped"].values()) > 0
        return
    final = pads.dataset(str(run_dir / "final" / "data"), format="parquet").to_table()
    columns = (*FINAL_COLUMNS, *CONCEPT_COLUMNS, *(("judge_score",) if name == "gsdp_cpu" else ()))
    assert tuple(final.column_names) == columns
    for row in final.to_pylist():
        assert row["knowledge_points"] and row["answer"]
        assert row["messages"][0]["content"] == row["question"]
    assert (run_dir / "final" / "README.md").read_text().count(f"- rows: **{final.num_rows}**") == 1
    assert (run_dir / "report" / "concept_coverage.png").stat().st_size > 5000


def test_graph_build_then_run_resumes_the_graph_stages(tmp_path):
    config = str(REPO / "pipelines" / "mathscale_cpu.yaml")
    tiny = ["seeds.limit=8", "sample.num_combinations=2", "generate.sampling.max_tokens=64",
            f"run.output_dir={tmp_path}"]
    built = _run("graph", "build", config, *tiny)
    assert built.returncode == 0, built.stderr[-2000:]
    assert "most frequent concepts" in built.stdout
    assert not (tmp_path / "mathscale_cpu" / "final" / "README.md").exists()
    run = _run("run", config, *tiny)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.count("already complete, skipped") == 3
