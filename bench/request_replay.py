"""Request replay: a fully replayed stage against generating it, and the driver's memory with
1M persisted requests against 10K.

    python -m bench.request_replay [--quick]

Speed: the quickstart's generation stage runs through synth's runner (real llama.cpp, 1
thread), then runs again in the same run directory with its stage output removed and its
request store kept, as a rerun after a kill at 100% would: every request is replayed. The
figure is rows/s replayed over rows/s generated; target >= 50.

Memory: a store of N answered requests is written (the generation stage's own request keys,
N = 10K and 1M), then the stage is run through the runner in a fresh process with nothing
left to send; the figure is the driver's peak RSS at 1M over that at 10K; target <= 1.2 (the
index lives in the object store, never on the driver). (`pipeline_overhead` measures the
persisting side: every batch it generates is written to the store as it finishes.)
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.figures import Figure, benchmark_main
from bench.generation_stage import quickstart_config, stage_tokens_per_second, start_local_ray

REPO = Path(__file__).resolve().parents[1]


def replay_speed(quick: bool) -> Figure:
    overrides = ["generate.num_questions=" + ("8" if quick else "192"),
                 "generate.sampling.max_tokens=" + ("32" if quick else "128"),
                 "models.generator.threads=1"]
    with tempfile.TemporaryDirectory() as scratch:
        start_local_ray()
        generated = stage_tokens_per_second(Path(scratch), "replay", overrides)
        stages = Path(scratch) / "replay" / "stages"
        for path in stages.glob("01_*"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        replayed = stage_tokens_per_second(Path(scratch), "replay", overrides)
    rows = int(overrides[0].split("=")[1])
    return Figure("request_replay", "fully replayed generation stage, rows/s",
                  rows / replayed["seconds"], "rows/s", "the same stage generating",
                  rows / generated["seconds"], "ratio", ">=", 50.0,
                  f"{rows} requests: generated in {generated['seconds']:.1f}s, "
                  f"replayed in {replayed['seconds']:.2f}s")


def write_store(cfg, count: int, store_dir: Path) -> None:
    """Answers for the first `count` requests of the generation stage `cfg` describes, keyed
    exactly as the stage keys them, in files of 1,000 (one engine batch each)."""
    import pyarrow as pa

    from synth.engines import build_engine
    from synth.engines.base import fan_out_samples
    from synth.engines.request_replay import RequestStore, with_request_keys
    from synth.stages.generate_questions import GenerateQuestionsStage

    stage = GenerateQuestionsStage(cfg.generate, build_engine("generator", cfg.models.generator),
                                    cfg.run.seed)
    store = RequestStore(str(store_dir))
    for start in range(0, count, 1000):
        ids = pa.table({"id": pa.array(range(start, min(start + 1000, count)), pa.int64())})
        batch = with_request_keys(fan_out_samples(stage._requests(ids)), stage.engine.model_identity)
        size = batch.num_rows
        store.append(batch.append_column("generated_text", pa.array(
            [f"A stored question number {start + i}?" for i in range(size)]))
            .append_column("num_input_tokens", pa.array([20] * size, pa.int64()))
            .append_column("num_generated_tokens", pa.array([12] * size, pa.int64()))
            .append_column("finish_reason", pa.array(["stop"] * size)))


def replay_only_run(output_dir: str, count: int) -> None:
    """Child process: a store of `count` answers, then the stage replayed from it; prints RSS."""
    overrides = [f"generate.num_questions={count}", "models.generator.threads=1"]
    cfg = quickstart_config(Path(output_dir), [*overrides, "run.name=memory"])
    write_store(cfg, count, Path(output_dir) / "memory" / "requests" / "generator")
    start_local_ray()
    record = stage_tokens_per_second(Path(output_dir), "memory", overrides)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_mib": peak_mib, "seconds": record["seconds"]}))


def driver_memory(quick: bool) -> Figure:
    small, large = (1_000, 20_000) if quick else (10_000, 1_000_000)
    peaks = {}
    for count in (small, large):
        with tempfile.TemporaryDirectory() as scratch:
            child = subprocess.run([sys.executable, "-m", "bench.request_replay", "--child",
                                    scratch, str(count)], cwd=REPO, capture_output=True,
                                   text=True, check=True)
            peaks[count] = json.loads(child.stdout.strip().splitlines()[-1])
    return Figure("request_replay", f"driver peak RSS replaying {large:,} requests",
                  peaks[large]["peak_mib"], "MiB", f"replaying {small:,}", peaks[small]["peak_mib"],
                  "ratio", "<=", 1.2, f"replay took {peaks[small]['seconds']:.1f}s and "
                  f"{peaks[large]['seconds']:.1f}s")


def run(quick: bool) -> list[Figure]:
    return [replay_speed(quick), driver_memory(quick)]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        replay_only_run(sys.argv[2], int(sys.argv[3]))
    else:
        benchmark_main(__doc__.splitlines()[0], run)
