"""The one-screen summary `synth run` prints when a run ends."""

from __future__ import annotations

from typing import Any


def format_summary(summary: dict[str, Any]) -> str:
    """A table of the yield funnel plus tokens and time, sized for one terminal screen."""
    lines = [f"run {summary['run']} ({summary['pipeline']}) -> {summary['final_dataset']}", "",
             f"{'stage':<22}{'in':>8}{'out':>8}{'wall s':>9}{'cpu s':>9}  dropped"]
    for record in summary["stages"]:
        dropped = ", ".join(f"{reason} {count}" for reason, count in record["dropped"].items())
        lines.append(f"{record['stage']:<22}{record['rows_in']:>8}{record['rows_out']:>8}"
                     f"{record['wall_seconds']:>9.1f}{record['cpu_seconds']:>9.1f}  {dropped or '-'}")
    lines.append("")
    for role, tokens in summary["tokens_by_role"].items():
        lines.append(f"tokens {role}: {tokens['tokens_in']} in, {tokens['tokens_out']} out")
    for record in summary["stages"]:
        if record.get("requests_total"):
            lines.append(f"requests {record['stage']} ({record['model_role']}): "
                         f"{record['requests_total']} total, {record['requests_replayed']} "
                         f"replayed, {record['requests_sent']} sent")
    for record in summary["stages"]:
        nodes = record.get("nodes") or {}
        if len(nodes) > 1:
            spread = ", ".join(f"{node[:8]} {rows}" for node, rows in nodes.items())
            lines.append(f"{record['stage']}: answered on {len(nodes)} nodes ({spread})")
    if summary.get("engine_errors"):
        lines.append(f"engine errors: {summary['engine_errors']} rows, see errors/ in the run directory")
    totals = summary["totals"]
    lines.append(f"final rows: {summary['final_rows']}   wall {totals['wall_seconds']:.1f}s   "
                 f"cpu {totals['cpu_seconds']:.1f}s   gpu {totals['gpu_seconds']:.1f}s")
    cumulative = summary.get("cumulative_totals", totals)
    if cumulative != totals:
        lines.append(f"with the resumed stages' earlier runs: wall {cumulative['wall_seconds']:.1f}s   "
                     f"cpu {cumulative['cpu_seconds']:.1f}s   gpu {cumulative['gpu_seconds']:.1f}s")
    return "\n".join(lines)
