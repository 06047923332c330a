"""The dataset card: README.md next to the final Parquet, in Hugging Face's card format.

Front matter (licence, size, data files) lets the Hub and `datasets` read the folder as is;
the body answers what a reader of a synthetic dataset asks first: how many rows there are
(counted from the Parquet files when the card is written), what a few of them look like, how
sure the pipeline was of them (score quantiles and histograms), what decontamination removed
from each benchmark, what each column means, and the command that makes the dataset again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from synth.report.run_figures import final_row_count
from synth.report.score_distributions import distribution_markdown, score_distributions
from synth.run.directory import RunDirectory
from synth.run.storage import is_local, parquet_dataset

# Where the front matter points `datasets` and the Hub: `synth push` uploads final/data/ there.
DATA_FILES = "data/*.parquet"
SAMPLE_ROWS = 3
SAMPLE_SOLUTION_CHARS = 400  # a sample shows how a solution starts, not all of it

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
        if summary.get("stopped_early") and cfg.decontamination.enabled:
            return ["Decontamination was not reached: the run stopped before it."]
        return ["Decontamination was not run for this dataset."]
    counts = record["counts"]
    removed = {k: v for k, v in counts.get("contaminated_by", {}).items() if k != "None"}
    by_method = {k: v for k, v in counts.get("contamination", {}).items() if k != "None"}
    section = cfg.decontamination
    methods = []
    if "ngram" in section.methods:
        methods.append(f"sharing any {section.ngram_size}-word n-gram (normalised text) with a "
                       "benchmark question")
    if "masked_ngram" in section.methods:
        methods.append("matching one with its numbers or names changed, a clause reworded or "
                       f"its sentences reordered (masked {section.masked_ngram_size}-grams)")
    checked = record["rows_in"]
    lines = [(f"Questions {' or '.join(methods)} were removed: {checked} checked, "
              f"{checked - record['rows_out']} removed."), "",
             _table_row(["benchmark", "source", "removed", "share of checked",
                         *(f"by `{method}`" for method in section.methods)]),
             _table_row(["---", "---", *["---:"] * (2 + len(section.methods))])]
    for benchmark in section.benchmarks:
        source = benchmark.packaged or benchmark.path or benchmark.hf_dataset
        count = removed.get(benchmark.name, 0)
        lines.append(_table_row([
            benchmark.name, source, str(count), f"{count / checked:.2%}" if checked else "-",
            *(str(by_method.get(f"{benchmark.name}/{method}", 0)) for method in section.methods)]))
    return lines


def _table_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _sample_lines(final_dir: Path, rows: int) -> list[str]:
    """SAMPLE_ROWS rows spread evenly over the dataset (the first rows all come from the first
    block written), each with its question, answer and the start of its solution."""
    dataset = parquet_dataset(final_dir)
    if dataset is None or rows == 0:
        return ["The dataset has no rows."]
    columns = [c for c in ("question", "answer", "solution") if c in dataset.schema.names]
    count = min(SAMPLE_ROWS, rows)
    positions = sorted({i * (rows - 1) // max(count - 1, 1) for i in range(count)})
    lines: list[str] = []
    for position, row in zip(positions, dataset.take(positions, columns=columns).to_pylist()):
        solution = row.get("solution") or ""
        shortened = (solution if len(solution) <= SAMPLE_SOLUTION_CHARS else
                     f"{solution[:SAMPLE_SOLUTION_CHARS]}… ({len(solution)} characters in all)")
        # Four backticks: a fence the rows' own ``` cannot close; text stays as a trainer sees it.
        lines += [f"**Row {position + 1} of {rows}**", "", "````text",
                  f"question: {row.get('question')}", f"answer: {row.get('answer')}",
                  f"solution: {shortened}", "````", ""]
    return lines[:-1]


def reproduce_command(run_dir: RunDirectory) -> str:
    """`synth run` on the run's own config.yaml: the fully resolved config (every default
    written out, overrides applied) is exactly what the runner ran, where the YAML and the
    overrides it was started from may have changed since."""
    if is_local(run_dir.config_path):
        return f"synth run {run_dir.config_path}"
    return f"synth run config.yaml  # config.yaml copied from {run_dir.config_path}"


def _reproduce_lines(cfg: DictConfig, run_dir: RunDirectory) -> list[str]:
    note = ("`config.yaml` is this run's fully resolved configuration (the YAML under "
            "Provenance), saved when it started; run the command where the run was started "
            "(relative paths in the config are read from there). There it resumes: finished "
            "stages are skipped, answered model requests replayed from `requests/`. Add "
            "`run.output_dir=<another folder>` to make the rows anew: ids and sampling seeds "
            f"derive from `run.seed` ({cfg.run.seed}) and the rows' content, so the same models "
            "on the same engines give the same rows (other hardware or engine versions may "
            "sample differently).")
    return ["```bash", reproduce_command(run_dir), "```", "", note]


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
             f"  data_files: \"{DATA_FILES}\"", "---", "", f"# {title}", "",
             (f"Synthetic math question/solution pairs made by synth's `{cfg.pipeline}` pipeline "
              f"(run `{cfg.run.name}`, seed {cfg.run.seed})."), "", "## Counts", "",
             f"- rows: **{rows}** in {len(dataset.files) if dataset else 0} Parquet file(s)",
             *([f"- **empty:** {summary['stopped_early']}"] if summary.get("stopped_early") else []),
             f"- licence: {cfg.report.licence}", "", "| stage | in | kept | dropped |",
             "| --- | ---: | ---: | --- |"]
    for record in summary["stages"]:
        dropped = ", ".join(f"{k}: {v}" for k, v in record["dropped"].items()) or "-"
        lines.append(f"| {record['stage']} | {record['rows_in']} | {record['rows_out']} | {dropped} |")
    lines += ["", "## Sample rows", "", *_sample_lines(final_dir, rows), "",
              "## Scores", "",
              *(distribution_markdown(score_distributions(run_dir)) if rows
                else ["The dataset has no rows to describe."]), "",
              "## Decontamination", "", *_decontamination_lines(cfg, summary), "",
              "## Schema", "", "| column | type | meaning |", "| --- | --- | --- |"]
    for field in schema or []:
        lines.append(f"| {field.name} | `{field.type}` | {COLUMN_MEANINGS.get(field.name, '')} |")
    lines += ["", "## Reproduce", "", *_reproduce_lines(cfg, run_dir), "", "## Provenance", ""]
    lines += [f"- {role}: {model}" for role, model in models.items()]
    lines += ["", "Resolved configuration:", "", "```yaml",
              OmegaConf.to_yaml(cfg, resolve=True).rstrip(), "```", "",
              "## Load", "", "```python", "from datasets import load_dataset",
              (f"ds = load_dataset(\"{run_dir.dataset_dir}\", split=\"train\")  "
               "# reads data/*.parquet; on the Hub: the repo id `synth push` published it to"),
              "```"]
    return "\n".join(lines) + "\n"


def write_data_card(cfg: DictConfig, run_dir: RunDirectory, summary: dict[str, Any]) -> Path:
    run_dir.dataset_dir.mkdir(parents=True, exist_ok=True)
    run_dir.card_path.write_text(data_card_markdown(cfg, run_dir, summary))
    return run_dir.card_path
