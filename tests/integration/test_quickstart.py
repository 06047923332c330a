"""The quickstart pipeline end to end through the `synth` CLI: a real local Ray cluster, the
real SmolLM2 model, at a small size; assertions read the Parquet outputs and summary.json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.dataset as pads
import pytest

from synth.stages.final_pairs import FINAL_COLUMNS
from tests.finished_runs import SMALL

REPO = Path(__file__).resolve().parents[2]


def read(path: Path):
    return pads.dataset(sorted(str(p) for p in path.glob("*.parquet")), format="parquet").to_table()


def test_run_directory_layout(quickstart_run):
    run_dir, stdout = quickstart_run
    assert (run_dir / "config.yaml").is_file()
    stage_dirs = sorted(p.name for p in (run_dir / "stages").iterdir() if p.is_dir())
    assert stage_dirs == ["01_generate_questions", "02_language_filter", "03_dedup",
                          "04_decontaminate", "05_solve", "06_consensus"]
    records = sorted(p.stem for p in (run_dir / "stages").glob("*.json"))
    assert records == [*stage_dirs, "07_final_pairs"]
    assert list((run_dir / "final" / "data").glob("*.parquet"))
    assert "final rows:" in stdout


def test_counts_match_parquet_and_summary(quickstart_run):
    run_dir, _ = quickstart_run
    summary = json.loads((run_dir / "summary.json").read_text())
    records = {r["stage"]: r for r in summary["stages"]}
    for stage_dir in filter(Path.is_dir, (run_dir / "stages").iterdir()):
        record = records[stage_dir.name.split("_", 1)[1]]
        table = read(stage_dir)
        assert table.num_rows == record["rows_written"]
        if "drop_reason" in table.column_names:
            kept = table.column("drop_reason").null_count
            assert kept == record["rows_out"]
    assert records["generate_questions"]["rows_written"] == 6
    assert records["solve"]["rows_written"] == 3 * records["solve"]["rows_in"]
    assert read(run_dir / "final" / "data").num_rows == summary["final_rows"] == records["final_pairs"]["rows_out"]
    generated = records["generate_questions"]
    assert summary["tokens_by_role"]["generator"]["tokens_out"] == generated["tokens_out"] > 0
    assert summary["tokens_by_role"]["solver"]["tokens_out"] > 0
    for record in summary["stages"]:
        assert record["wall_seconds"] > 0 and record["cpu_seconds"] >= 0


def test_final_rows_are_sft_ready(quickstart_run):
    run_dir, _ = quickstart_run
    table = read(run_dir / "final" / "data")
    assert tuple(table.column_names) == FINAL_COLUMNS
    assert table.num_rows >= 1, "seeded run: SmolLM2 agrees with itself on at least one question"
    rows = table.to_pylist()
    assert len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        assert row["answer"] and row["answer"] in row["solution"]
        assert row["question"].isascii()
        assert row["messages"][0] == {"role": "user", "content": row["question"]}
        assert row["messages"][1] == {"role": "assistant", "content": row["solution"]}
        assert row["method"] == "scalequest" and row["agreement"] >= 0.3
        assert row["provenance"]["solver"]["model"] == "smollm2-135m-instruct"
        assert json.loads(row["provenance"]["solve_sampling"])["max_tokens"] == 160


def test_hugging_face_datasets_reads_the_final_dataset(quickstart_run):
    datasets = pytest.importorskip("datasets")
    run_dir, _ = quickstart_run
    loaded = datasets.load_dataset(str(run_dir / "final"), split="train")  # card + data/
    assert "messages" in loaded.column_names
    assert loaded[0]["messages"][0]["role"] == "user"


def test_same_command_again_resumes_everything(quickstart_run):
    run_dir, _ = quickstart_run
    before = sorted(read(run_dir / "final" / "data").column("id").to_pylist())
    result = subprocess.run(
        [sys.executable, "-m", "synth.cli", "run", str(REPO / "pipelines" / "quickstart.yaml"),
         *SMALL, f"run.output_dir={run_dir.parent}"],
        capture_output=True, text=True, timeout=600, cwd=REPO)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.count("already complete, skipped") == 7
    assert sorted(read(run_dir / "final" / "data").column("id").to_pylist()) == before


def test_report_has_plots_and_the_data_card_matches_the_parquet(quickstart_run):
    run_dir, _ = quickstart_run
    report_dir = run_dir / "report"
    for name in ("funnel.png", "agreement.png"):
        png = (report_dir / name).read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 5000, name
    report = json.loads((report_dir / "report.json").read_text())
    summary = json.loads((run_dir / "summary.json").read_text())
    assert [r["rows_out"] for r in report["funnel"]] == [r["rows_out"] for r in summary["stages"]]
    assert report["cost"]["cpu_hours"] > 0
    assert "![funnel](funnel.png)" in (report_dir / "report.md").read_text()

    card = (run_dir / "final" / "README.md").read_text()
    final_rows = read(run_dir / "final" / "data").num_rows
    assert f"- rows: **{final_rows}** in" in card
    assert "license: other" in card and "data_files: \"data/*.parquet\"" in card
    for stage_dir in filter(Path.is_dir, (run_dir / "stages").iterdir()):
        table = read(stage_dir)
        kept = table.column("drop_reason").null_count if "drop_reason" in table.column_names \
            else table.num_rows
        assert f"| {stage_dir.name.split('_', 1)[1]} | " in card
        assert any(line.startswith(f"| {stage_dir.name.split('_', 1)[1]} |")
                   and line.split("|")[3].strip() == str(kept) for line in card.splitlines())
    decontaminated = read(next((run_dir / "stages").glob("*_decontaminate")))
    removed = sum(1 for b in decontaminated.column("contaminated_by").to_pylist() if b)
    assert f"{removed} removed." in card
    assert "| gsm8k | gsm8k_test |" in card and "| math | math_test |" in card
