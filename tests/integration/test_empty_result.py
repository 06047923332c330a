"""A run whose rows all get dropped says so plainly: it stops at the stage that kept none, with
one line naming that stage and its main drop reason, and writes an empty final dataset with
the final schema; the report and the data card say why it is empty.
Real parts: the quickstart's llama.cpp generator on a local Ray cluster."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pyarrow.dataset as pads
import pytest

from synth.stages.final_pairs import FINAL_COLUMNS, MESSAGES_TYPE

REPO = Path(__file__).resolve().parents[2]
NOTHING_KEPT = ["generate.num_questions=2", "generate.sampling.max_tokens=16",
                "models.generator.threads=1", "language_filter.min_chars=100000"]
PLAN = ["generate_questions", "language_filter", "dedup", "decontaminate", "solve", "consensus",
        "final_pairs"]


def synth_run(output_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "synth.cli", "run", "pipelines/quickstart.yaml",
                           *NOTHING_KEPT, f"run.output_dir={output_dir}", "run.name=empty"],
                          cwd=REPO, capture_output=True, text=True, timeout=600)


def test_a_run_that_keeps_no_rows_stops_there_with_an_empty_final_schema_dataset(tmp_path: Path):
    import datasets

    run = synth_run(tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    # 16 tokens: questions are mostly cut off (truncated) at generation; whatever gets through
    # is shorter than the language filter's 100,000 characters.
    line = re.compile(r"^synth: no rows left after (generate_questions|language_filter): "
                      r"'(truncated|too_short|empty)' dropped [12] of its 2 rows; not run: "
                      r"(.*); the final dataset is empty$", re.MULTILINE)
    found = line.search(run.stdout)
    assert found, run.stdout[-3000:]
    emptied = found.group(1)
    assert found.group(3).split(", ") == PLAN[PLAN.index(emptied) + 1:]
    assert "solve: running" not in run.stdout

    run_dir = tmp_path / "empty"
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["final_rows"] == 0
    assert summary["stopped_early"] == found.group(0).removeprefix("synth: ")
    assert [record["stage"] for record in summary["stages"]] == PLAN[:PLAN.index(emptied) + 1]
    final = pads.dataset(str(run_dir / "final" / "data"), format="parquet")
    assert final.count_rows() == 0
    assert tuple(final.schema.names) == FINAL_COLUMNS
    assert final.schema.field("messages").type == MESSAGES_TYPE  # typed, not null columns
    # `datasets` refuses every empty split ("corresponds to no data"), whatever the file holds.
    with pytest.raises(ValueError, match="corresponds to no data"):
        datasets.load_dataset("parquet", data_dir=str(run_dir / "final" / "data"), split="train")
    assert "The run stopped early" in (run_dir / "report" / "report.md").read_text()
    assert f"- **empty:** no rows left after {emptied}" in (run_dir / "final" / "README.md").read_text()

    again = synth_run(tmp_path)  # the same command: nothing is redone, and it says the same
    assert again.returncode == 0, again.stderr[-3000:]
    assert again.stdout.count("already complete, skipped") == PLAN.index(emptied) + 1
    assert line.search(again.stdout).group(0) == found.group(0)
