"""Difficulty labels: how often a solver fails each seed question whose answer is known.

ScaleQuest samples a solver on GSM8K/MATH train questions and labels each question with its
fail rate, which the scorer then learns to predict for new questions. Here the solver is any
engine role, sampled `num_samples` times per seed on Ray with the pipeline's boxed-answer
prompt; a sample passes when its final answer is equivalent to the known one (a truncated
sample or one without an answer fails). Samples whose request failed measure the engine, not
the question, so they are left out of the rate; a seed with none left gets no label.

    synth train difficulty pipelines/difficulty_cpu.yaml   # labels/ then checkpoint/

Labels are written as Parquet: id, question, known_answer, num_graded, num_failed, fail_rate.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import ray
from omegaconf import DictConfig
from ray.data import Dataset

from synth.answers.equivalence import answers_equivalent
from synth.answers.extraction import extract_answer
from synth.benchmarks.benchmark_sets import load_benchmark
from synth.engines import build_engine
from synth.engines.base import Engine, sampling_column
from synth.prompt_templates import fill_template
from synth.ray_session import start_ray
from synth.row_ids import derived_seed, stable_id

LABEL_SCHEMA = pa.schema([("id", pa.string()), ("question", pa.string()),
                          ("known_answer", pa.string()), ("num_graded", pa.int64()),
                          ("num_failed", pa.int64()), ("fail_rate", pa.float64())])


def labels_dir(output_dir: str | Path) -> Path:
    return Path(output_dir) / "labels"


def seed_items(seeds: DictConfig) -> pa.Table:
    """`id`, `question`, `known_answer` of every seed with a known answer (first `limit`)."""
    if seeds.packaged == "champ":
        from synth.concepts.champ_seeds import champ_seed_records

        records = champ_seed_records()[: seeds.limit]
        pairs = [(r["question"], r["answer"]) for r in records]
    else:
        table = load_benchmark(seeds)
        pairs = list(zip(table.column("question").to_pylist(), table.column("answer").to_pylist()))
    pairs = [(q.strip(), str(a).strip()) for q, a in pairs if q and q.strip() and a]
    return pa.table({"id": [stable_id("difficulty_seed", q) for q, _ in pairs],
                     "question": [q for q, _ in pairs], "known_answer": [a for _, a in pairs]})


class FailRateLabeller:
    """Builds solver requests for seeds, grades the samples, and counts failures per seed."""

    def __init__(self, config: DictConfig, run_seed: int) -> None:
        self.config = config
        self.run_seed = run_seed

    def requests(self, batch: pa.Table) -> pa.Table:
        messages = [[{"role": "user", "content": fill_template(self.config.prompt, question=q)}]
                    for q in batch.column("question").to_pylist()]
        seeds = [derived_seed(self.run_seed, "difficulty_labels", i)
                 for i in batch.column("id").to_pylist()]
        return (batch.append_column("messages", pa.array(messages))
                .append_column("sampling_params",
                               sampling_column(self.config.sampling, seeds, self.config.num_samples)))

    def grade(self, batch: pa.Table) -> pa.Table:
        """`passed` per sample: True/False, or None when the request itself failed."""
        timeout = float(self.config.comparison_timeout_s)
        passed = []
        for text, finish, known in zip(batch.column("generated_text").to_pylist(),
                                       batch.column("finish_reason").to_pylist(),
                                       batch.column("known_answer").to_pylist()):
            if finish == "error":
                passed.append(None)
                continue
            answer = extract_answer(text)
            passed.append(answer is not None and answers_equivalent(answer, known, timeout))
        return batch.select(["id", "question", "known_answer"]).append_column(
            "passed", pa.array(passed, pa.bool_()))

    @staticmethod
    def fail_rate(group: pa.Table) -> pa.Table:
        graded = [p for p in group.column("passed").to_pylist() if p is not None]
        if not graded:
            return LABEL_SCHEMA.empty_table()
        failed = sum(not p for p in graded)
        first = group.slice(0, 1).to_pylist()[0]
        return pa.Table.from_pylist([{"id": first["id"], "question": first["question"],
                                      "known_answer": first["known_answer"],
                                      "num_graded": len(graded), "num_failed": failed,
                                      "fail_rate": failed / len(graded)}], schema=LABEL_SCHEMA)

    def labels(self, seeds: Dataset, solver: Engine) -> Dataset:
        """One labelled row per seed the solver answered at least once."""
        requests = seeds.map_batches(self.requests, batch_format="pyarrow")
        graded = solver.generate(requests, chat=True).map_batches(self.grade,
                                                                  batch_format="pyarrow")
        return graded.groupby("id").map_groups(self.fail_rate, batch_format="pyarrow")


def build_difficulty_labels(cfg: DictConfig, solver: Engine | None = None) -> Path:
    """Sample `cfg.train.solver` on the seeds and write fail-rate labels; returns their folder.

    `cfg` is a `DifficultyTrainingPipelineConfig`; `solver` replaces the configured role's
    engine (tests pass a scripted one). The folder appears only once complete.
    """
    train = cfg.train
    start_ray(cfg.ray)
    solver = solver or build_engine(train.solver, cfg.models[train.solver])
    seeds = ray.data.from_arrow(seed_items(train.seeds))
    target = labels_dir(train.output_dir)
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    FailRateLabeller(train, cfg.run.seed).labels(seeds, solver).write_parquet(str(partial))
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return target
