"""Write report/ for a finished run: report.json, report.md and PNG plots.

    report/report.json   funnel, drop reasons, tokens and seconds per stage and role, cost
    report/report.md     the same as tables, with the plots embedded
    report/funnel.png    rows kept and dropped per stage
    report/agreement.png consensus agreement (when a consensus stage ran)
    report/difficulty.png  difficulty scores (when a difficulty stage ran)
    report/concept_coverage.png  concepts in the final rows (when rows carry concepts)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from synth.report import plots
from synth.report.contamination_examples import contamination_markdown, contamination_section
from synth.report.run_figures import concept_counts, latest_column, mean, projected_cost
from synth.report.scale_projection import projection_markdown, scale_projection
from synth.run.directory import RunDirectory

SCORE_PLOTS = {"agreement": "agreement", "difficulty": "difficulty"}  # column -> PNG stem


def build_report(cfg: DictConfig, run_dir: RunDirectory, summary: dict[str, Any]) -> dict[str, Any]:
    """The report's numbers (everything report.json holds, plot paths excluded)."""
    by_role: dict[str, dict[str, float]] = {}
    for record in summary["stages"]:
        role = record["model_role"] or "(no model)"
        totals = by_role.setdefault(role, {"tokens_in": 0, "tokens_out": 0, "wall_seconds": 0.0,
                                           "cpu_seconds": 0.0, "gpu_seconds": 0.0})
        for key in totals:
            totals[key] = round(totals[key] + record[key], 3)
    scores = {}
    for column in SCORE_PLOTS:
        found = latest_column(run_dir, column)
        if found:
            _, values, kept = found
            scores[column] = {"rows": len(values), "mean_all": mean(values),
                              "mean_kept": mean([v for v, k in zip(values, kept) if k])}
    return {
        "run": summary["run"], "pipeline": summary["pipeline"], "final_rows": summary["final_rows"],
        "stopped_early": summary.get("stopped_early"),
        "funnel": [{key: record[key] for key in ("stage", "rows_in", "rows_written", "rows_out",
                                                 "dropped", "tokens_in", "tokens_out",
                                                 "wall_seconds", "cpu_seconds", "gpu_seconds")}
                   for record in summary["stages"]],
        "requests": [{key: record[key] for key in ("stage", "model_role", "requests_total",
                                                   "requests_replayed", "requests_sent")}
                     for record in summary["stages"] if "requests_total" in record],
        "by_role": by_role, "totals": summary["totals"], "scores": scores,
        "cost": projected_cost(summary, cfg.report.gpu_hour_usd, cfg.report.cpu_hour_usd),
        "projection_1m_pairs": scale_projection(summary, cfg.report.gpu_tokens_per_second,
                                                cfg.report.gpu_hour_usd, cfg.report.cpu_hour_usd),
        "decontamination": contamination_section(cfg, run_dir, summary),
    }


def write_report(cfg: DictConfig, run_dir: RunDirectory, summary: dict[str, Any]) -> Path:
    """Write the run's report/ folder; returns its path."""
    report_dir = run_dir.report_dir
    report_dir.mkdir(parents=True, exist_ok=True)
    report = build_report(cfg, run_dir, summary)
    figures = {"funnel": "funnel.png"}
    plots.funnel_plot(summary["stages"], report_dir / "funnel.png")
    for column, stem in SCORE_PLOTS.items():
        found = latest_column(run_dir, column)
        if found and found[1]:
            _, values, kept = found
            plots.histogram_plot(values, kept, column, report_dir / f"{stem}.png")
            figures[column] = f"{stem}.png"
    concepts = concept_counts(run_dir.final_path)
    if concepts:
        plots.coverage_plot(concepts, report_dir / "concept_coverage.png")
        figures["concept_coverage"] = "concept_coverage.png"
    report["figures"] = figures
    (report_dir / "report.json").write_text(json.dumps(report, indent=2))
    (report_dir / "report.md").write_text(report_markdown(report))
    return report_dir


def report_markdown(report: dict[str, Any]) -> str:
    lines = [f"# Run report: {report['run']} ({report['pipeline']})", "",
             f"Final pairs: **{report['final_rows']}**", "",
             *([f"**The run stopped early:** {report['stopped_early']}.", ""]
               if report["stopped_early"] else []),
             "## Yield funnel", "",
             "| stage | in | written | kept | dropped (reason: rows) | tokens in | tokens out | wall s | cpu s | gpu s |",
             "| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |"]
    for row in report["funnel"]:
        dropped = ", ".join(f"{reason}: {count}" for reason, count in row["dropped"].items()) or "-"
        lines.append(f"| {row['stage']} | {row['rows_in']} | {row['rows_written']} | {row['rows_out']} "
                     f"| {dropped} | {row['tokens_in']} | {row['tokens_out']} | {row['wall_seconds']:.1f} "
                     f"| {row['cpu_seconds']:.1f} | {row['gpu_seconds']:.1f} |")
    lines += ["", "## By model role", "", "| role | tokens in | tokens out | wall s | cpu s | gpu s |",
              "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for role, t in report["by_role"].items():
        lines.append(f"| {role} | {t['tokens_in']} | {t['tokens_out']} | {t['wall_seconds']:.1f} "
                     f"| {t['cpu_seconds']:.1f} | {t['gpu_seconds']:.1f} |")
    if report["requests"]:
        lines += ["", "## Model requests (tokens and seconds count sent requests only)", "",
                  "| stage | role | requests | replayed from requests/ | sent |",
                  "| --- | --- | ---: | ---: | ---: |"]
        lines += [f"| {r['stage']} | {r['model_role']} | {r['requests_total']} | "
                  f"{r['requests_replayed']} | {r['requests_sent']} |" for r in report["requests"]]
    lines += contamination_markdown(report.get("decontamination"))
    cost = report["cost"]
    per_1k = cost["cost_per_1k_pairs_usd"]
    lines += ["", "## Cost", "",
              f"{cost['gpu_hours']:.4f} GPU-hours at ${cost['gpu_hour_usd']}/h and "
              f"{cost['cpu_hours']:.4f} CPU-hours at ${cost['cpu_hour_usd']}/h: "
              f"${cost['run_cost_usd']:.4f} for this run, "
              + (f"**${per_1k:.4f} per 1K final pairs** (projected)." if per_1k is not None
                 else "no final pairs, so no cost per pair.")]
    lines += projection_markdown(report["projection_1m_pairs"])
    if report["scores"]:
        lines += ["", "## Scores", ""]
        for column, s in report["scores"].items():
            lines.append(f"- {column}: mean {s['mean_all']} over {s['rows']} rows, "
                         f"{s['mean_kept']} over kept rows")
    lines += ["", "## Plots", ""]
    lines += [f"![{name}]({file})" for name, file in report["figures"].items()]
    return "\n".join(lines) + "\n"
