"""What the engine benchmarks time: synth's generation stage on Ray, and the bare engine.

Both generate the same questions: the quickstart's template prefix, its sampling settings
and the per-row seeds the stage derives from the run seed, so the two differ only in what
carries the requests (Ray Data, actor pool, Parquet, accounting) and not in the work.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def quickstart_config(output_dir: Path, overrides: list[str]):
    from synth.config.loading import load_config

    return load_config(REPO / "pipelines" / "quickstart.yaml",
                       [f"run.output_dir={output_dir}", *overrides])


def stage_tokens_per_second(output_dir: Path, name: str, overrides: list[str]) -> dict:
    """Run the generation stage through synth's runner; its tokens, wall seconds and tokens/s.

    The stage's wall time runs from the runner starting it to its Parquet being committed:
    actor start, model load, scheduling and writing all count against the pipeline."""
    from synth.engines import build_engine
    from synth.runner import run_pipeline
    from synth.stages.generate_questions import GenerateQuestionsStage

    cfg = quickstart_config(output_dir, [*overrides, f"run.name={name}"])
    stage = GenerateQuestionsStage(cfg.generate, build_engine("generator", cfg.models.generator),
                                    cfg.run.seed)
    summary = run_pipeline(cfg, [stage], report=lambda line: print(line, file=sys.stderr),
                           writes_final=False)
    record = summary["stages"][0]
    return {"tokens": record["tokens_out"], "seconds": record["wall_seconds"],
            "tokens_per_second": record["tokens_out"] / record["wall_seconds"]}


def bare_tokens_per_second(output_dir: Path, overrides: list[str], share: int = 0,
                           shares: int = 1, count_model_load: bool = False) -> dict:
    """The same requests through llama-cpp-python in this process, one after another, timed
    after the model is loaded: the engine's own speed, with nothing around it. With `shares`
    > 1, only every `shares`-th request from `share` on (one of several engines side by side).
    `count_model_load` starts the clock before the engine is imported and loaded instead, as
    a stage's wall time starts before its replicas are."""
    loading = time.perf_counter()
    from synth.engines.llama_cpp_engine import load_llama
    from synth.engines.packaged_models import resolve_gguf
    from synth.row_ids import derived_seed

    cfg = quickstart_config(output_dir, overrides)
    model, sampling = cfg.models.generator, cfg.generate.sampling
    llm = load_llama(str(resolve_gguf(model.model)), model.threads, model.context_length)
    tokens, started = 0, time.perf_counter()
    for index in range(share, cfg.generate.num_questions, shares):
        response = llm.create_completion(
            prompt=cfg.generate.template_prefix, temperature=sampling.temperature,
            top_p=sampling.top_p, max_tokens=sampling.max_tokens, stop=list(sampling.stop),
            seed=derived_seed(cfg.run.seed, "question", index))
        tokens += response["usage"]["completion_tokens"]
    seconds = time.perf_counter() - (loading if count_model_load else started)
    return {"tokens": tokens, "seconds": seconds, "tokens_per_second": tokens / seconds}


def warm_model_file(overrides: list[str]) -> None:
    """Read the generator's GGUF once, so no timed run pays for the disk: llama.cpp maps the
    weights and faults them in during the first requests, and whichever run came first was
    charged for it (two bare engines once measured 2.06x one, more than two cores give)."""
    from synth.engines.packaged_models import resolve_gguf

    with tempfile.TemporaryDirectory() as scratch:
        model = quickstart_config(Path(scratch), overrides).models.generator.model
    with resolve_gguf(model).open("rb") as weights:
        while weights.read(1 << 24):
            pass


def start_local_ray() -> None:
    """A local cluster, warmed up the way a run's first stage leaves it for the next ones.

    Ray Data starts its own session actors (stats, autoscaling coordinator, actor locations)
    and Ray its idle worker processes at the first dataset a session executes: a few seconds
    of CPU that a multi-stage run pays once, not per stage. A tiny dataset pays them before a
    stage is timed; the stage's own costs (actor pool start, model load, attempt ledger, read
    and write tasks) still count against it.
    """
    import ray
    import ray.data

    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR")
    ray.data.range(8, override_num_blocks=2).map_batches(lambda batch: batch).materialize()


def stop_local_ray() -> None:
    import ray

    ray.shutdown()
