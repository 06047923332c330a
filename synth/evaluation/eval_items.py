"""The rows of an eval: one request per benchmark item, and one scored result per response.

Results keep the question, gold answer, full generated text and both rules' predictions, so
any number in `metrics.json` can be recounted, and any verdict checked, from `eval/items/`.
"""

from __future__ import annotations

import pyarrow as pa
from omegaconf import DictConfig

from synth.engines.base import sampling_column
from synth.evaluation.matching_rules import math_verify_correct, mwpbench_correct

ITEMS_SCHEMA = pa.schema([
    ("benchmark", pa.string()), ("item_index", pa.int64()), ("question", pa.string()),
    ("gold", pa.string()), ("generated_text", pa.string()),
    ("prediction_mwpbench", pa.string()), ("prediction_math_verify", pa.string()),
    ("correct_mwpbench", pa.bool_()), ("correct_math_verify", pa.bool_()),
    ("finish_reason", pa.string()), ("num_input_tokens", pa.int64()),
    ("num_generated_tokens", pa.int64()),
])


def eval_requests(benchmarks: list[pa.Table], cfg: DictConfig) -> pa.Table:
    """Every item of every benchmark as a chat request: `cfg.prompt` around the question."""
    items = pa.concat_tables(benchmarks)
    answers = items.schema.get_field_index("answer")
    items = items.set_column(answers, "gold", items.column(answers))
    messages = [[{"role": "user", "content": cfg.prompt.replace("{question}", question)}]
                for question in items.column("question").to_pylist()]
    # One seed for all items: greedy decoding ignores it; it only matters if a config samples.
    return (items.append_column("messages", pa.array(messages))
            .append_column("sampling_params",
                           sampling_column(cfg.sampling, [cfg.run.seed] * items.num_rows)))


def score_items(batch: pa.Table, timeout_s: float) -> pa.Table:
    """Engine responses -> per-item results in ITEMS_SCHEMA, scored under both rules."""
    texts = batch.column("generated_text").to_pylist()
    golds = batch.column("gold").to_pylist()
    mwpbench = [mwpbench_correct(text, gold) for text, gold in zip(texts, golds)]
    math_verify = [math_verify_correct(text, gold, timeout_s) for text, gold in zip(texts, golds)]
    scored = {
        "prediction_mwpbench": [v.prediction for v in mwpbench],
        "prediction_math_verify": [v.prediction for v in math_verify],
        "correct_mwpbench": [v.correct for v in mwpbench],
        "correct_math_verify": [v.correct for v in math_verify],
    }
    arrays = [pa.array(scored[f.name], f.type) if f.name in scored else batch.column(f.name).cast(f.type)
              for f in ITEMS_SCHEMA]
    return pa.Table.from_arrays(arrays, schema=ITEMS_SCHEMA)
