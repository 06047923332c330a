"""Decontamination against the full GSM8K and MATH test sets synth ships."""

from __future__ import annotations

import json
import random

from omegaconf import OmegaConf

from synth.benchmarks.benchmark_sets import packaged_benchmark
from synth.config.common import BenchmarkConfig
from synth.config.quality import DecontaminationConfig
from synth.stages.decontaminate import DecontaminateStage
from tests.conftest import TEST_DATA

BENCHMARKS = {"gsm8k": "gsm8k_test", "math": "math_test"}


def _config() -> DecontaminationConfig:
    config = OmegaConf.structured(DecontaminationConfig)
    config.benchmarks = [OmegaConf.structured(BenchmarkConfig(name=name, packaged=packaged))
                         for name, packaged in BENCHMARKS.items()]
    return config


def _first(name: str, count: int) -> list[str]:
    return packaged_benchmark(BENCHMARKS[name], limit=count).column("question").to_pylist()


def test_verbatim_and_lightly_edited_benchmark_questions_are_removed(ray_cluster):
    gsm8k = _first("gsm8k", 4)
    math = _first("math", 40)
    math = [m for m in math if len(m.split()) >= 20][:3]
    with open(TEST_DATA / "gsm8k_train_head.jsonl") as handle:
        unrelated = [json.loads(line)["question"] for _, line in zip(range(20), handle)]  # row 20 repeats a GSM8K test question
    rows = ([{"id": f"gsm-verbatim-{i}", "question": q} for i, q in enumerate(gsm8k)]
            + [{"id": f"gsm-edited-{i}", "question": "Here is a puzzle. " + q.replace("?", ".").upper()
                + " Show your work."} for i, q in enumerate(gsm8k)]
            + [{"id": f"math-verbatim-{i}", "question": q} for i, q in enumerate(math)]
            + [{"id": f"math-edited-{i}", "question": q.replace("$", "") + " Explain."}
               for i, q in enumerate(math)]
            + [{"id": f"unrelated-{i}", "question": q} for i, q in enumerate(unrelated)])
    stage = DecontaminateStage(_config())
    out = {r["id"]: r for r in stage.apply(ray_cluster.data.from_items(rows)).take_all()}
    for row_id, row in out.items():
        if row_id.startswith("unrelated"):
            assert row["drop_reason"] is None and row["contaminated_by"] is None, row
        else:
            assert row["drop_reason"] == "contamination", row
            assert row["contaminated_by"] == row_id.split("-")[0].replace("gsm", "gsm8k")


def test_short_texts_only_match_whole(ray_cluster):
    stage = DecontaminateStage(_config())
    assert stage.overlap.find("What is $1 + 1$?") is None
    assert stage.overlap.find("") is None


def test_the_report_counts_removals_per_benchmark_and_method_with_examples(ray_cluster, tmp_path):
    from synth.quality.benchmark_ngrams import VerbatimOverlapIndex
    from synth.quality.text_normalization import normalized_words
    from synth.quality.word_grams import word_grams
    from synth.report.contamination_examples import contamination_markdown, contamination_section
    from synth.run.directory import RunDirectory
    from synth.run.stage_counts import count_stage_output
    from tests.benchmark_edits import change_numbers

    gsm8k = _first("gsm8k", 40)
    verbatim = VerbatimOverlapIndex(gsm8k, 13)

    def verbatim_item(text: str) -> int | None:
        words = normalized_words(text)
        return verbatim.matches([words], word_grams([words], 13))[0]

    # An item with its numbers changed that no 13-gram catches: the masked check's work.
    renumbered = next(text for _, text in [(i, change_numbers(q, random.Random(i)))
                                           for i, q in enumerate(gsm8k[1:])]
                      if text and verbatim_item(text) is None)
    rows = [{"id": "verbatim", "question": gsm8k[0]},
            {"id": "renumbered", "question": renumbered},
            {"id": "clean", "question": "A farmer plants 12 rows of corn with 9 plants each. "
                                        "How many plants are there?"}]
    config = _config()
    run_dir = RunDirectory(tmp_path / "run")
    stage_dir = run_dir.stage_path(2, "decontaminate")
    DecontaminateStage(config).apply(ray_cluster.data.from_items(rows)).write_parquet(str(stage_dir))
    record = {"stage": "decontaminate", **count_stage_output(stage_dir, ("contaminated_by", "contamination"))}
    cfg = OmegaConf.create({"decontamination": config})
    section = contamination_section(cfg, run_dir, {"stages": [record]})
    assert section["removed"] == {"gsm8k/ngram": 1, "gsm8k/masked_ngram": 1}
    by_row = {e["row"]: e for e in section["examples"]}
    assert by_row[gsm8k[0]]["benchmark_text"] == gsm8k[0] and by_row[gsm8k[0]]["item"] == 0
    assert {e["method"] for e in section["examples"]} == {"ngram", "masked_ngram"}
    assert by_row[renumbered]["benchmark_text"] in gsm8k[1:]
    markdown = "\n".join(contamination_markdown(section))
    assert "| gsm8k | masked_ngram | 1 |" in markdown and "caught by masked_ngram" in markdown
