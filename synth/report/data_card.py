"""The dataset card: README.md next to the final Parquet, in Hugging Face's card format.

Front matter (licence, size, data files) lets the Hub and `datasets` read the folder as is;
the body says what each column means, where the rows came from, how many there are (counted
from the Parquet files when the card is written) and what decontamination removed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from synth.report.run_figures import final_row_count
from synth.run_directory import RunDirectory
from synth.stage_stats import parquet_dataset

COLUMN_MEANINGS = {
    "id": "stable row id (hash of run seed and question)",
    "question": "the generated question",
    "solution": "the chosen worked solution",
    "answer": "the final answer extracted from the solution",
    "messages": "user/assistant conversation for SFT trainers",
    "method": "synthesis method that produced the row",
    "agreement": ("share of the sampled solutions whose answer is equivalent to the chosen one; "
                  "every kept row has at least consensus.min_votes (default 2) agreeing samples"),
    "num_samples": "solutions sampled per question",
    "provenance": "models, sampling settings and seeds that produced the row",
}


def _size_category(rows: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                        (1_000_000, "100K<n<1M")):
        if rows < limit:
            return name
    return "1M<n<10M"


def _stage(summary: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((r for r in summary["stages"] if r["stage"] == name), None)


def _decontamination_lines(cfg: DictConfig, summary: dict[str, Any]) -> list[str]:
    record = _stage(summary, "decontaminate")
    if record is None:
        return ["Decontamination was not run for this dataset."]
    removed = {k: v for k, v in record["counts"].get("contaminated_by", {}).items() if k != "None"}
    section = cfg.decontamination
    methods = []
    if "ngram" in section.methods:
        methods.append(f"sharing any {section.ngram_size}-word n-gram (normalised text) with a "
                       "benchmark question")
    if "masked_ngram" in section.methods:
        methods.append("matching one with its numbers or names changed, a clause reworded or "
                       f"its sentences reordered (masked {section.masked_ngram_size}-grams)")
    lines = [f"Questions {' or '.join(methods)} were removed: {record['rows_in']} checked, "
             f"{record['rows_in'] - record['rows_out']} removed.", "",
             "| benchmark | source | removed |", "| --- | --- | ---: |"]
    for benchmark in section.benchmarks:
        source = benchmark.packaged or benchmark.path or benchmark.hf_dataset
        lines.append(f"| {benchmark.name} | {source} | {removed.get(benchmark.name, 0)} |")
    return lines


def data_card_markdown(cfg: DictConfig, run_dir: RunDirectory, summary: dict[str, Any]) -> str:
    final_dir = run_dir.final_path
    rows = final_row_count(final_dir)
    dataset = parquet_dataset(final_dir)
    schema = dataset.schema if dataset is not None else None
    title = cfg.report.dataset_name or cfg.run.name
    models = {role: f"{m.engine} `{m.model}`" for role, m in cfg.models.items()}
    lines = ["---", f"license: {cfg.report.licence}", "language:", "- en", "task_categories:",
             "- text-generation", "tags:", "- math", "- synthetic", f"- {cfg.pipeline}",
             "size_categories:", f"- {_size_category(rows)}", "configs:", "- config_name: default",
             "  data_files: \"data/*.parquet\"", "---", "", f"# {title}", "",
             f"Synthetic math question/solution pairs made by synth's `{cfg.pipeline}` pipeline "
             f"(run `{cfg.run.name}`, seed {cfg.run.seed}).", "", "## Counts", "",
             f"- rows: **{rows}** in {len(dataset.files) if dataset else 0} Parquet file(s)",
             *([f"- **empty:** {summary['stopped_early']}"] if summary.get("stopped_early") else []),
             f"- licence: {cfg.report.licence}", "", "| stage | in | kept | dropped |",
             "| --- | ---: | ---: | --- |"]
    for record in summary["stages"]:
        dropped = ", ".join(f"{k}: {v}" for k, v in record["dropped"].items()) or "-"
        lines.append(f"| {record['stage']} | {record['rows_in']} | {record['rows_out']} | {dropped} |")
    lines += ["", "## Schema", "", "| column | type | meaning |", "| --- | --- | --- |"]
    for field in schema or []:
        lines.append(f"| {field.name} | `{field.type}` | {COLUMN_MEANINGS.get(field.name, '')} |")
    lines += ["", "## Provenance", ""]
    lines += [f"- {role}: {model}" for role, model in models.items()]
    lines += ["", "Resolved configuration:", "", "```yaml",
              OmegaConf.to_yaml(cfg, resolve=True).rstrip(), "```", "",
              "## Decontamination", "", *_decontamination_lines(cfg, summary), "",
              "## Load", "", "```python", "from datasets import load_dataset",
              f"ds = load_dataset(\"{run_dir.dataset_dir}\", split=\"train\")  # reads data/*.parquet",
              "```"]
    return "\n".join(lines) + "\n"


def write_data_card(cfg: DictConfig, run_dir: RunDirectory, summary: dict[str, Any]) -> Path:
    run_dir.dataset_dir.mkdir(parents=True, exist_ok=True)
    run_dir.card_path.write_text(data_card_markdown(cfg, run_dir, summary))
    return run_dir.card_path
