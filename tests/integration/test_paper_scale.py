"""`python -m bench.paper_scale --quick`: every pipeline kind's real plan at 10K and 100K
questions (ScaleQuest: 100K generated, 5 samples each for those its filters keep) with every
model role replayed from bench/replies/.
A smoke test of the benchmark and of the plans at volume, not a timing: it checks that each
plan finishes, every stage is measured at both sizes, the final rows say their replies were
replayed, and each figure has its target."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PLANS = {"scalequest": ["generate_questions", "language_filter", "dedup", "decontaminate",
                        "solvability_filter", "difficulty_filter", "solve", "reward_scoring",
                        "consensus", "final_pairs"],
         "mathscale": ["load_seeds", "extract_concepts", "concept_graph", "sample_combinations",
                       "generate_from_concepts", "dedup", "decontaminate", "final_pairs"],
         "gsdp": ["load_seeds", "extract_concepts", "concept_graph", "sample_combinations",
                  "generate_from_concepts", "judge_by_judge_a", "judge_filter", "dedup",
                  "decontaminate", "final_pairs"]}


def test_every_plan_runs_at_100k_with_replayed_models():
    result = subprocess.run([sys.executable, "-m", "bench.paper_scale", "--quick"], cwd=REPO,
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stderr[-4000:]
    figures = {f["name"]: f for f in json.loads(result.stdout.strip().splitlines()[-1])}
    for plan, stages in PLANS.items():
        assert f"## {plan} at 100,000:" in result.stderr
        for stage in stages:
            timing = figures[f"{plan} {stage}: s per 1M rows at 100,000"]
            seeds = stage in ("load_seeds", "extract_concepts", "concept_graph")
            assert timing["value"] > 0 and timing["target"] == (None if seeds else 300)
            memory = figures[f"{plan} {stage}: driver peak RSS at 100,000"]
            assert memory["baseline"] == "at 10,000" and memory["target_op"] == "<="
        pairs = figures[f"{plan}: non-model core-s per 1M final pairs"]
        assert pairs["value"] > 0 and "final pairs from 100,000" in pairs["note"]
        assert f"{plan} provenance engines: ['replayed']" in result.stderr
    solve = figures["scalequest solve: s per 1M rows at 100,000"]
    rows_in, rows_out = (int(n.replace(",", "")) for n in solve["note"].split(" out")[0].split(" in, "))
    assert rows_out == 5 * rows_in  # five samples per question reached the vote
