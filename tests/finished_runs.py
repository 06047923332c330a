"""Finished runs shared by the tests that read them: one small quickstart run per session
(the quickstart's own tests and the viewer's browser test read the same run directory)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SMALL = ["generate.num_questions=6", "solve.num_samples=3", "solve.sampling.max_tokens=160",
         "consensus.min_agreement=0.3", "consensus.min_votes=1", "run.name=small"]


@pytest.fixture(scope="session")
def quickstart_run(tmp_path_factory):
    output = tmp_path_factory.mktemp("runs")
    result = subprocess.run(
        [sys.executable, "-m", "synth.cli", "run", str(REPO / "pipelines" / "quickstart.yaml"),
         *SMALL, f"run.output_dir={output}"],
        capture_output=True, text=True, timeout=900, cwd=REPO)
    assert result.returncode == 0, result.stderr[-3000:]
    return output / "small", result.stdout
