"""The viewer's queries on a small run directory written here: filters, sorting and pages are
DuckDB queries over the Parquet files; one row comes with its samples (answer classes and the
vote recomputed), its judges' verdicts and its concept combination; the API serves them."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from synth.viewer.row_details import classified_samples, row_details
from synth.viewer.run_tables import FINAL, RowFilter, RunTables

FINAL_ROWS = [
    {"id": f"q{i}", "question": f"Question {i} about apples" if i % 2 else f"Question {i} on pears",
     "solution": f"so \\boxed{{{i}}}", "answer": str(i), "method": "gsdp" if i < 3 else "scalequest",
     "agreement": i / 10, "judge_score": 0.5 + i / 20,
     "knowledge_points": ["prime factorization", "gcd"] if i % 3 == 0 else ["fractions"]}
    for i in range(10)]


def write(folder: Path, rows: list[dict], name: str = "part-0.parquet") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), folder / name)


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    root = tmp_path / "run"
    write(root / "final" / "data", FINAL_ROWS[:5], "part-0.parquet")
    write(root / "final" / "data", FINAL_ROWS[5:], "part-1.parquet")
    samples = [{"id": "q4", "sample_index": k, "solution": f"s{k}", "answer": answer,
                "response_status": status}
               for k, (answer, status) in enumerate([("4", "ok"), ("1/2", "ok"), ("0.5", "ok"),
                                                     (None, "truncated"), ("4.0", "ok")])]
    write(root / "stages" / "01_solve", samples)
    write(root / "stages" / "02_consensus", [
        {"id": "q4", "agreement": 0.4, "num_samples": 5, "num_answered": 4,
         "answer_class_sizes": [2, 2], "chosen_sample_index": 0, "drop_reason": None},
        {"id": "q99", "agreement": 0.2, "num_samples": 5, "num_answered": 1,
         "answer_class_sizes": [1], "chosen_sample_index": 3, "drop_reason": "low_agreement"}])
    write(root / "stages" / "03_judge_by_a", [
        {"id": "q4", "judge_a_score": 0.9, "judge_a_correct": True, "judge_a_verdict": "ok",
         "drop_reason": None}])
    write(root / "stages" / "04_generate_from_concepts", [
        {"id": "q4", "combination_id": "c7", "kind": "two_hop", "topics": ["algebra"],
         "knowledge_points": ["fractions"], "generation_reply": "{}", "drop_reason": None}])
    (root / "summary.json").write_text(json.dumps({"run": "run", "pipeline": "gsdp",
                                                   "final_rows": 10, "stages": []}))
    return root


def test_pages_filters_and_sorting_are_queries(run_dir):
    tables = RunTables(run_dir)
    page = tables.page(FINAL, RowFilter(), "agreement", True, 0, 3)
    assert page["total"] == 10 and [r["id"] for r in page["rows"]] == ["q9", "q8", "q7"]
    second = tables.page(FINAL, RowFilter(), "agreement", True, 1, 3)
    assert [r["id"] for r in second["rows"]] == ["q6", "q5", "q4"]
    cases = {RowFilter(method="gsdp"): {"q0", "q1", "q2"},
             RowFilter(agreement_min=0.3, agreement_max=0.5): {"q3", "q4", "q5"},
             RowFilter(judge_min=0.9): {"q8", "q9"},
             RowFilter(concept="PRIME"): {"q0", "q3", "q6", "q9"},
             RowFilter(text="apples", agreement_min=0.5): {"q5", "q7", "q9"},
             # no difficulty column in this run: that filter does not apply
             RowFilter(difficulty_min=0.5): {f"q{i}" for i in range(10)}}
    for row_filter, ids in cases.items():
        found = tables.page(FINAL, row_filter, None, False, 0, 50)
        assert {r["id"] for r in found["rows"]} == ids and found["total"] == len(ids), row_filter


def test_difficulty_comes_from_the_difficulty_filter(run_dir):
    write(run_dir / "stages" / "00_difficulty_filter",
          [{"id": f"q{i}", "difficulty": i / 10, "drop_reason": None} for i in range(10)])
    tables = RunTables(run_dir)
    found = tables.page(FINAL, RowFilter(difficulty_min=0.35, difficulty_max=0.55), "id", False,
                        0, 50)
    assert [(r["id"], r["difficulty"]) for r in found["rows"]] == [("q4", 0.4), ("q5", 0.5)]


def test_dropped_rows_by_reason(run_dir):
    tables = RunTables(run_dir)
    consensus = tables.stage("consensus")
    assert tables.drop_reasons(consensus.view) == {"low_agreement": 1}
    found = tables.page(consensus.view, RowFilter(drop_reason="low_agreement"), None, False, 0, 10)
    assert [r["id"] for r in found["rows"]] == ["q99"]
    assert tables.page(consensus.view, RowFilter(drop_reason="*"), None, False, 0, 10)["total"] == 1


def test_one_row_with_its_samples_vote_judges_and_combination(run_dir):
    details = row_details(RunTables(run_dir), FINAL, "q4")
    samples = details["samples"]
    assert [s["answer_class"] for s in samples] == [1, 2, 2, None, 1]  # 4 = 4.0; 1/2 = 0.5
    assert [s["chosen"] for s in samples] == [True, False, False, False, False]
    assert details["vote"]["answer_class_sizes"] == [2, 2]
    assert details["judges"] == [{"judge": "a", "score": 0.9, "correct": True, "verdict": "ok"}]
    assert details["combination"]["kind"] == "two_hop"
    assert details["dropped_by"] is None
    assert row_details(RunTables(run_dir), FINAL, "nope") is None


def test_samples_without_an_answer_have_no_class():
    samples = classified_samples([{"sample_index": 0, "answer": None,
                                   "response_status": "truncated"}], None)
    assert samples[0]["answer_class"] is None and samples[0]["chosen"] is False


def test_the_api_serves_the_page_rows_and_one_row(run_dir):
    from fastapi.testclient import TestClient

    from synth.viewer.server import create_app

    client = TestClient(create_app(run_dir))
    assert "synth view" in client.get("/").text
    overview = client.get("/api/overview").json()
    assert overview["summary"]["pipeline"] == "gsdp"
    assert overview["methods"] == ["gsdp", "scalequest"]
    assert {s["folder"] for s in overview["stages"]} >= {"02_consensus", "03_judge_by_a"}
    rows = client.get("/api/rows/final", params={"concept": "gcd", "sort": "id"}).json()
    assert [r["id"] for r in rows["rows"]] == ["q0", "q3", "q6", "q9"]
    dropped = client.get("/api/rows/02_consensus", params={"reason": "low_agreement"}).json()
    assert dropped["total"] == 1
    assert client.get("/api/row/final/q4").json()["judges"][0]["judge"] == "a"
    assert client.get("/api/row/final/missing").status_code == 404
    assert client.get("/api/rows/99_nothing").status_code == 404


def test_viewing_a_folder_that_is_no_run_is_one_line(tmp_path):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "synth.cli", "view", str(tmp_path / "nothing")],
                            capture_output=True, text=True, timeout=120, check=False)
    err = result.stderr.strip()
    assert result.returncode == 2 and err.splitlines() == [err] and "Traceback" not in err
    assert err == (f"synth: config error: run_dir: {tmp_path / 'nothing'} is not a run "
                   "directory (no summary.json and no stages/)")
