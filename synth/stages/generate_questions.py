"""ScaleQuest generation from scratch: the generator sees only its chat template's user prefix.

Given `<|im_start|>user\n` and nothing else, an instruction model continues with a user turn,
i.e. it writes a question itself; it stops at the end-of-turn token. Each row gets its own
seed derived from the run seed, so a rerun writes the same questions.
"""

from __future__ import annotations

import pyarrow as pa
import ray
from ray.data import Dataset

from synth.config.scalequest import QuestionGenerationConfig
from synth.engines.base import Engine, finish_drop_reason, sampling_column
from synth.row_ids import derived_seed, stable_id
from synth.stages.base import Stage, with_drop_reasons


class GenerateQuestionsStage(Stage):
    """Source stage: `num_questions` rows with `id`, `question`, `question_seed`."""

    name = "generate_questions"

    def __init__(self, config: QuestionGenerationConfig, engine: Engine, run_seed: int) -> None:
        self.config = config
        self.engine = engine
        self.run_seed = run_seed

    def _requests(self, batch: pa.Table) -> pa.Table:
        indices = batch.column("id").to_pylist()
        seeds = [derived_seed(self.run_seed, "question", i) for i in indices]
        return pa.table({
            "id": pa.array([stable_id(self.run_seed, "question", i) for i in indices], pa.string()),
            "question_seed": pa.array(seeds, pa.int64()),
            "prompt": pa.repeat(pa.scalar(self.config.template_prefix, pa.string()), len(indices)),
            "sampling_params": sampling_column(self.config.sampling, seeds),
        })

    def apply(self, rows: Dataset | None) -> Dataset:
        requests = ray.data.range(self.config.num_questions).map_batches(
            self._requests, batch_format="pyarrow")
        completions = self.engine.generate(requests, chat=False)
        return completions.map_batches(_to_questions, batch_format="pyarrow")


def _to_questions(batch: pa.Table) -> pa.Table:
    texts = batch.column("generated_text").to_pylist()
    finishes = batch.column("finish_reason").to_pylist()
    questions = [(text or "").strip() for text in texts]
    reasons = [finish_drop_reason(finish) for finish in finishes]
    batch = batch.drop_columns(["prompt", "sampling_params", "sample_index", "generated_text"])
    batch = batch.append_column("question", pa.array(questions, pa.string()))
    return with_drop_reasons(batch, reasons)
