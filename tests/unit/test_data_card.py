"""The data card answers what a reader of a synthetic dataset asks first: sample rows, what
decontamination removed per benchmark, the score distributions as numbers, and the command
that makes the dataset again; a run that kept nothing still gets a sensible card. The card
comes from the real card code over a small run written with pyarrow (no Ray, no model)."""

from __future__ import annotations

from pathlib import Path

from huggingface_hub import DatasetCard
from omegaconf import OmegaConf

from synth.config.loading import load_config
from synth.report.data_card import DATA_FILES, data_card_markdown
from synth.run.directory import RunDirectory
from synth.runner import write_empty_dataset
from tests.fake_finished_run import (
    FINAL_SCHEMA,
    LONG_SOLUTION,
    QUESTIONS,
    config,
    finished_run,
    record,
)


def test_the_card_is_a_hub_card_pointing_at_the_parquet(tmp_path: Path):
    _, run_dir = finished_run(tmp_path / "tiny")
    card = DatasetCard(run_dir.card_path.read_text())  # parses the YAML front matter
    assert card.data.license == "other"
    assert card.data.configs == [{"config_name": "default", "data_files": DATA_FILES}]
    assert "- rows: **10** in 2 Parquet file(s)" in card.text


def test_the_card_shows_sample_rows_spread_over_the_dataset(tmp_path: Path):
    _, run_dir = finished_run(tmp_path / "tiny")
    card = run_dir.card_path.read_text()
    section = card.split("## Sample rows")[1].split("\n## ")[0]
    for position in (0, 4, 9):  # first, middle and last of 10 rows
        assert f"**Row {position + 1} of 10**" in section
        assert f"question: {QUESTIONS[position]}" in section
        assert f"answer: {2 * position}" in section
    assert section.count("````text") == 3
    assert f"solution: {LONG_SOLUTION[:400]}… ({len(LONG_SOLUTION)} characters in all)" in section
    assert "solution: 4 + 4 = 8. \\boxed{8}" in section


def test_the_card_counts_decontamination_per_benchmark_and_method(tmp_path: Path):
    _, run_dir = finished_run(tmp_path / "tiny")
    card = run_dir.card_path.read_text()
    assert "12 checked, 3 removed." in card
    assert ("| benchmark | source | removed | share of checked | by `ngram` | by `masked_ngram` |"
            in card)
    assert "| gsm8k | gsm8k_test | 2 | 16.67% | 1 | 1 |" in card
    assert "| math | math_test | 1 | 8.33% | 0 | 1 |" in card


def test_the_card_gives_agreement_and_difficulty_as_numbers(tmp_path: Path):
    _, run_dir = finished_run(tmp_path / "tiny")
    card = run_dir.card_path.read_text()
    assert "| score | rows | mean | min | p10 | p25 | median | p75 | p90 | max |" in card
    # numpy's linear quantiles of 0.5 x2, 0.75 x3, 1.0 x5, worked out by hand
    assert "| agreement (final rows) | 10 | 0.825 | 0.5 | 0.5 | 0.75 | 0.875 | 1 | 1 | 1 |" in card
    # the final rows carry no difficulty: the questions the filter kept (0.9 was dropped)
    assert ("| difficulty (questions difficulty_filter kept) | 3 | 0.367 | 0.1 | 0.14 | 0.2 "
            "| 0.3 | 0.5 | 0.62 | 0.7 |") in card
    histogram = card.split("| agreement | rows | share |")[1].split("\n\n")[0]
    assert histogram.splitlines()[2:] == ["| [0, 0.2) | 0 | 0% |", "| [0.2, 0.4) | 0 | 0% |",
                                          "| [0.4, 0.6) | 2 | 20% |", "| [0.6, 0.8) | 3 | 30% |",
                                          "| [0.8, 1] | 5 | 50% |"]
    assert "| difficulty | rows | share |" in card


def test_the_reproduce_command_runs_this_exact_config(tmp_path: Path):
    cfg, run_dir = finished_run(tmp_path / "tiny")
    card = run_dir.card_path.read_text()
    command = f"synth run {run_dir.config_path}"
    assert f"## Reproduce\n\n```bash\n{command}\n```" in card
    again = load_config(command.split()[-1])  # what `synth run` would load
    assert OmegaConf.to_container(again) == OmegaConf.to_container(cfg)


def test_a_run_that_kept_nothing_gets_a_card_that_says_so(tmp_path: Path):
    root = tmp_path / "empty"
    cfg, run_dir = config(root), RunDirectory(root)
    run_dir.prepare(cfg)
    write_empty_dataset(FINAL_SCHEMA, run_dir.final_path)
    why = "no rows left after language_filter: 'too_short' dropped 2 of its 2 rows"
    summary = {"stopped_early": why, "stages": [
        record("generate_questions", 2, 2), record("language_filter", 2, 0, {"too_short": 2})]}
    text = data_card_markdown(cfg, run_dir, summary)
    card = DatasetCard(text)
    assert card.data.configs[0]["data_files"] == DATA_FILES
    assert card.data.size_categories == ["n<1K"]
    assert "- rows: **0** in 1 Parquet file(s)" in text and f"- **empty:** {why}" in text
    assert "## Sample rows\n\nThe dataset has no rows." in text
    assert "## Scores\n\nThe dataset has no rows to describe." in text
    assert "Decontamination was not reached: the run stopped before it." in text
    assert f"synth run {run_dir.config_path}" in text
    assert "| agreement | `double` |" in text  # the schema of an empty run is still typed
