"""What a million final pairs of this run's recipe would take on a cluster.

A run measures its own model tokens per final pair (per role, sent requests). What a run on
2 CPU cores cannot show is the rest of a paper-scale run: the pipeline's own work around the
model (request keys, the request store, parsing, filters, dedup, votes, Parquet), which
`python -m bench paper_scale` measures through each pipeline kind's real plan at 1M questions.
The projection puts the two together at a GPU throughput the user sets
(`report.gpu_tokens_per_second`, generated tokens/s of one replica):

    GPU-hours  = 1M x (tokens out + tokens in / PREFILL_PER_DECODE) per pair / throughput / 3600
    CPU core-hours = the benchmark's non-model core-seconds per 1M final pairs / 3600

next to ScaleQuest's reported 523 A100-40G hours for 1M pairs. Prompt tokens are counted at a
tenth of a generated token: prefill runs batched over the whole prompt, decode one token at a
time. The figure is a planning estimate, as good as the throughput it is given.
"""

from __future__ import annotations

from typing import Any

PAPER_GPU_HOURS_PER_1M_PAIRS = 523  # ScaleQuest, A100-40G, reported
PREFILL_PER_DECODE = 10
# `python -m bench paper_scale`, 1M questions / combinations on 2 cores, 2026-12-05 (README).
NON_MODEL_CORE_SECONDS_PER_1M_PAIRS = {"scalequest": 1213.0, "mathscale": 732.0, "gsdp": 1979.0}


def scale_projection(summary: dict[str, Any], gpu_tokens_per_second: float, gpu_hour_usd: float,
                     cpu_hour_usd: float) -> dict[str, Any] | None:
    """GPU-hours, CPU core-hours and cost for 1M final pairs; None without final pairs."""
    pairs = summary["final_rows"]
    if not pairs:
        return None
    per_pair = {role: {"tokens_in": round(t["tokens_in"] / pairs, 1),
                       "tokens_out": round(t["tokens_out"] / pairs, 1)}
                for role, t in summary["tokens_by_role"].items()}
    decode_tokens = sum(t["tokens_out"] + t["tokens_in"] / PREFILL_PER_DECODE
                        for t in per_pair.values())
    gpu_hours = 1_000_000 * decode_tokens / gpu_tokens_per_second / 3600
    core_hours = NON_MODEL_CORE_SECONDS_PER_1M_PAIRS.get(summary["pipeline"], 0.0) / 3600
    return {"gpu_tokens_per_second": gpu_tokens_per_second, "tokens_per_pair": per_pair,
            "decode_tokens_per_pair": round(decode_tokens, 1),
            "gpu_hours": round(gpu_hours, 1), "cpu_core_hours": round(core_hours, 2),
            "cost_usd": round(gpu_hours * gpu_hour_usd + core_hours * cpu_hour_usd, 2),
            "paper_gpu_hours": PAPER_GPU_HOURS_PER_1M_PAIRS}


def projection_markdown(projection: dict[str, Any] | None) -> list[str]:
    """The report's "Projected for 1M pairs" section."""
    if projection is None:
        return []
    p = projection
    return ["", "## Projected for 1M final pairs", "",
            f"At {p['gpu_tokens_per_second']:,.0f} generated tokens/s per GPU replica "
            "(`report.gpu_tokens_per_second`) this recipe's "
            f"{p['decode_tokens_per_pair']:,.0f} decode-equivalent tokens per pair take "
            f"**{p['gpu_hours']:,.1f} GPU-hours**, plus {p['cpu_core_hours']:,.2f} CPU "
            f"core-hours of pipeline work around the model (`python -m bench paper_scale`): "
            f"**${p['cost_usd']:,.2f}**. ScaleQuest reported {p['paper_gpu_hours']} A100-40G "
            "GPU-hours for 1M pairs.", "",
            "| role | tokens in per pair | tokens out per pair |", "| --- | ---: | ---: |",
            *(f"| {role} | {t['tokens_in']:,.1f} | {t['tokens_out']:,.1f} |"
              for role, t in p["tokens_per_pair"].items())]
