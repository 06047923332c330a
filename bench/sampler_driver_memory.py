"""Driver memory while concept combinations stream from the graph sampler into Parquet.

    python bench/sampler_driver_memory.py                 # 100K vs 1M MathScale walks
    python bench/sampler_driver_memory.py --method gsdp --small 50000 --large 500000

Each size runs in its own process (peak RSS only grows), on a synthetic graph with a
heavy-tailed degree distribution. The figure is the ratio of the driver's peak RSS at the large
size to the small one: near 1.0 means the combinations streamed instead of piling up on the driver.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def synthetic_graph(directory: Path, topics: int, kps: int, seed: int) -> None:
    """A MathScale-shaped graph: seeds name 1-2 topics and 1-5 KPs, popular ones more often."""
    import numpy as np

    from synth.concepts.concept_graph import build_mathscale_graph, save_graph

    rng = np.random.default_rng(seed)
    topic_weights = 1 / np.arange(1, topics + 1) ** 0.8
    kp_weights = 1 / np.arange(1, kps + 1) ** 0.8
    records = []
    for _ in range(kps * 2):
        chosen_topics = rng.choice(topics, size=rng.integers(1, 3), replace=False,
                                   p=topic_weights / topic_weights.sum())
        chosen_kps = rng.choice(kps, size=rng.integers(1, 6), replace=False,
                                p=kp_weights / kp_weights.sum())
        records.append(([f"topic {t}" for t in chosen_topics], [f"kp {k}" for k in chosen_kps]))
    save_graph(build_mathscale_graph(records, min_count=2), directory)


def measure(graph_dir: str, method: str, count: int, output: str) -> dict:
    """Stream `count` combinations into Parquet; the driver's peak RSS and the rows written."""
    import pyarrow.dataset as pads
    import ray

    from synth.concepts.combination_source import combination_dataset

    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR")
    started = time.perf_counter()
    combination_dataset(graph_dir, method, count, 0, 8, {}).write_parquet(output)
    seconds = time.perf_counter() - started
    rows = pads.dataset(output, format="parquet").count_rows()
    return {"count": count, "rows": rows, "seconds": round(seconds, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", choices=("mathscale", "gsdp"), default="mathscale")
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--measure", nargs=3, metavar=("GRAPH_DIR", "COUNT", "OUTPUT"),
                        help=argparse.SUPPRESS)  # one size, in a child process
    args = parser.parse_args()
    if args.measure:
        graph_dir, count, output = args.measure
        print(json.dumps(measure(graph_dir, args.method, int(count), output)))
        return
    with tempfile.TemporaryDirectory() as scratch:
        graph_dir = Path(scratch) / "graph"
        synthetic_graph(graph_dir, topics=2000, kps=9000, seed=0)
        results = []
        for count in (args.small, args.large):
            child = subprocess.run(
                [sys.executable, __file__, "--method", args.method, "--measure", str(graph_dir),
                 str(count), str(Path(scratch) / f"out_{count}")],
                capture_output=True, text=True, check=True)
            results.append(json.loads(child.stdout.strip().splitlines()[-1]))
    small, large = results
    print(f"{'combinations':>14}{'rows':>12}{'seconds':>10}{'rows/s':>10}{'driver peak RSS MB':>20}")
    for r in results:
        print(f"{r['count']:>14}{r['rows']:>12}{r['seconds']:>10}{r['rows'] / r['seconds']:>10.0f}"
              f"{r['peak_rss_mb']:>20}")
    print(f"driver peak RSS ratio large/small: {large['peak_rss_mb'] / small['peak_rss_mb']:.2f} "
          f"(x{args.large / args.small:g} rows; streaming keeps it near 1)")


if __name__ == "__main__":
    main()
