"""A small finished run directory written without running anything: the quickstart's real
config, Parquet written with pyarrow, summary records shaped as the runner writes them, a
report/ folder, and the data card from the real card code. No Ray, no model."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from omegaconf import DictConfig

from synth.config.loading import load_config
from synth.report.data_card import write_data_card
from synth.run.directory import RunDirectory
from synth.stages.final_pairs import MESSAGES_TYPE, FinalPairsStage

QUESTIONS = [f"Question {n}: what is {n} + {n}?" for n in range(10)]
AGREEMENT = [0.5, 0.5, 0.75, 0.75, 0.75, 1.0, 1.0, 1.0, 1.0, 1.0]
DIFFICULTY = [0.1, 0.3, 0.7, 0.9]  # the last one is dropped by the difficulty filter
LONG_SOLUTION = "Add the numbers step by step. " * 40 + "\\boxed{0}"
# What the runner writes an empty final dataset with (a run that kept nothing).
FINAL_SCHEMA = FinalPairsStage("scalequest", {"run_seed": 0}).output_schema()
REPORT_FILES = {"report.md": b"# Run report\n", "report.json": b"{}\n",
                "funnel.png": b"\x89PNG\r\n\x1a\n fake plot"}


def record(stage: str, rows_in: int, rows_out: int, dropped: dict | None = None,
           counts: dict | None = None) -> dict:
    return {"stage": stage, "model_role": None, "rows_in": rows_in, "rows_written": rows_in,
            "rows_out": rows_out, "dropped": dropped or {}, "counts": counts or {},
            "tokens_in": 0, "tokens_out": 0, "wall_seconds": 0.1, "cpu_seconds": 0.1,
            "gpu_seconds": 0.0, "resumed": False}


SUMMARY = {"stopped_early": None, "stages": [
    record("generate_questions", 12, 12),
    record("decontaminate", 12, 9, {"contamination": 3},
           {"contaminated_by": {"gsm8k": 2, "math": 1},
            "contamination": {"gsm8k/ngram": 1, "gsm8k/masked_ngram": 1,
                              "math/masked_ngram": 1}}),
    record("difficulty_filter", 4, 3, {"too_hard": 1}),
    record("consensus", 9, 10),
    record("final_pairs", 10, 10),
]}


def config(root: Path) -> DictConfig:
    return load_config("pipelines/quickstart.yaml",
                       [f"run.output_dir={root.parent}", f"run.name={root.name}"])


def final_table(questions: list[str], agreement: list[float]) -> pa.Table:
    solutions = [LONG_SOLUTION if n == 0 else f"{n} + {n} = {2 * n}. \\boxed{{{2 * n}}}"
                 for n in range(len(questions))]
    return pa.table({
        "id": [f"id-{n}" for n in range(len(questions))], "question": questions,
        "solution": solutions, "answer": [str(2 * n) for n in range(len(questions))],
        "messages": pa.array([[{"role": "user", "content": q}, {"role": "assistant", "content": s}]
                              for q, s in zip(questions, solutions)], MESSAGES_TYPE),
        "method": ["scalequest"] * len(questions),
        "agreement": pa.array(agreement, pa.float64()),
        "num_samples": pa.array([4] * len(questions), pa.int64())})


def write_parquet(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as sink:  # an open file: works for object-storage paths too
        pq.write_table(table, sink)


def finished_run(root: Path) -> tuple[DictConfig, RunDirectory]:
    """Ten final rows in two Parquet files, a difficulty stage, report/ and the real card."""
    cfg = config(root)
    run_dir = RunDirectory(root)
    run_dir.prepare(cfg)  # writes config.yaml as the runner does
    table = final_table(QUESTIONS, AGREEMENT)
    write_parquet(table.slice(0, 6), run_dir.final_path / "part-0.parquet")
    write_parquet(table.slice(6), run_dir.final_path / "part-1.parquet")
    write_parquet(pa.table({"id": [f"q{n}" for n in range(4)], "difficulty": DIFFICULTY,
                            "drop_reason": [None, None, None, "too_hard"]}),
                  run_dir.stage_path(3, "difficulty_filter") / "part-0.parquet")
    run_dir.report_dir.mkdir(parents=True, exist_ok=True)
    for name, content in REPORT_FILES.items():
        (run_dir.report_dir / name).write_bytes(content)
    write_data_card(cfg, run_dir, SUMMARY)
    return cfg, run_dir
