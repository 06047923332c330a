"""A Ray Data source of concept combinations, so millions never sit on the driver.

Each read task is one shard: it loads the graph from `graph_dir` itself, builds the
method's sampler, makes exactly its share of draws from a generator seeded by
(seed, shard), drops draws whose combination it already emitted, and streams the rest
as Arrow tables of `BATCH_ROWS` rows. The same (graph, method, num_combinations, seed,
num_shards, sampler_options) therefore always gives the same rows. A draw is a
successful one: dropped walks and GSDP kinds that found nothing are retried. For
MathScale each shard runs whole epochs of its own (every topic once, in its own
shuffled order), the last one cut off when the shard's share is reached.

Duplicates are removed within a shard only; two shards can emit the same combination
(same `combination_id`), and the pipeline removes those downstream with a shuffle.
Rows per shard = draws of that shard minus its duplicates; `draw_index` (the draw
that first produced the row) shows which draws were duplicates.

    ds = combination_dataset("runs/x/concept_graph", "mathscale", 2_000_000, seed=0,
                             num_shards=16, sampler_options={"kp_steps": [0, 1, 2]})
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import ray
from ray.data import Dataset
from ray.data.block import BlockMetadata
from ray.data.datasource import Datasource, ReadTask

from synth.concepts.combination import Combination
from synth.concepts.combination_sampler import CombinationSampler
from synth.concepts.concept_graph import load_graph
from synth.concepts.random_walk_sampler import RandomWalkSampler

METHODS = ("mathscale", "gsdp")
BATCH_ROWS = 10_000
COMBINATION_SCHEMA = pa.schema([
    ("combination_id", pa.string()),
    ("kind", pa.string()),
    ("topics", pa.list_(pa.string())),
    ("knowledge_points", pa.list_(pa.string())),
    ("shard", pa.int32()),
    ("draw_index", pa.int64()),
])
_ROW_BYTES = 200  # rough in-memory size of one row, for Ray's planning only
# Failed draws in a row after which a shard gives up: the graph makes no combinations.
_MAX_FAILED_DRAWS = 10_000


class GraphCannotSampleError(ValueError):
    """The graph yields no combination at all for the chosen method and options."""


def combination_dataset(graph_dir: str, method: str, num_combinations: int, seed: int,
                        num_shards: int, sampler_options: dict) -> Dataset:
    """`num_combinations` draws over `num_shards` read tasks, deduplicated per shard.

    `method` picks the sampler: "mathscale" (`RandomWalkSampler`, epochs of walks) or
    "gsdp" (`CombinationSampler`); `sampler_options` are its keyword arguments.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if num_shards < 1 or num_combinations < 0:
        raise ValueError(f"need num_shards >= 1 and num_combinations >= 0, got "
                         f"{num_shards} and {num_combinations}")
    source = CombinationDatasource(str(graph_dir), method, num_combinations, seed,
                                   num_shards, dict(sampler_options))
    return ray.data.read_datasource(source, override_num_blocks=num_shards)


def shard_draws(num_combinations: int, num_shards: int) -> list[int]:
    """Draws per shard: an even split, the first shards taking one more."""
    base, extra = divmod(num_combinations, num_shards)
    return [base + (shard < extra) for shard in range(num_shards)]


def shard_rng(seed: int, shard: int) -> np.random.Generator:
    """The generator of one shard; numpy's seed sequence keeps shards independent."""
    return np.random.default_rng([seed, shard])


class CombinationDatasource(Datasource):
    """One read task per shard; see the module docstring."""

    def __init__(self, graph_dir: str, method: str, num_combinations: int, seed: int,
                 num_shards: int, sampler_options: dict) -> None:
        super().__init__()
        self.graph_dir = graph_dir
        self.method = method
        self.num_combinations = num_combinations
        self.seed = seed
        self.num_shards = num_shards
        self.sampler_options = sampler_options

    def estimate_inmemory_data_size(self) -> int:
        return self.num_combinations * _ROW_BYTES

    def get_read_tasks(self, parallelism: int, per_task_row_limit: int | None = None,
                       data_context: object = None) -> list[ReadTask]:
        # One task per shard whatever `parallelism` says: the shard split is part of
        # what makes the output reproducible.
        draws_per_shard = shard_draws(self.num_combinations, self.num_shards)
        return [ReadTask(functools.partial(self.read_shard, shard, draws),
                         BlockMetadata(num_rows=None, size_bytes=draws * _ROW_BYTES,
                                       input_files=None, exec_stats=None),
                         schema=COMBINATION_SCHEMA,
                         per_task_row_limit=per_task_row_limit)
                for shard, draws in enumerate(draws_per_shard)]

    def read_shard(self, shard: int, draws: int) -> Iterator[pa.Table]:
        """The unique combinations of one shard's `draws` draws, as Arrow tables."""
        stream = self.combinations(shard_rng(self.seed, shard))
        seen: set[str] = set()
        batch: list[tuple[str, int, Combination]] = []
        for draw_index in range(draws):
            combination = next(stream)
            key = combination.key
            if key in seen:
                continue
            seen.add(key)
            batch.append((key, draw_index, combination))
            if len(batch) == BATCH_ROWS:
                yield _table(batch, shard)
                batch = []
        if batch:
            yield _table(batch, shard)

    def combinations(self, rng: np.random.Generator) -> Iterator[Combination]:
        """An endless stream of successful draws of this source's method."""
        graph = load_graph(self.graph_dir)
        if self.method == "mathscale":
            walker = RandomWalkSampler(graph, **self.sampler_options)
            while True:
                walks = 0
                for walks, combination in enumerate(walker.epoch(rng), start=1):
                    yield combination
                if walks == 0:  # a whole epoch without a walk: no later one has any
                    raise GraphCannotSampleError(
                        f"no walk on {self.graph_dir} reaches a knowledge point")
        # One community partition for all shards: Louvain is seeded by the run seed.
        options = {"seed": self.seed, **self.sampler_options}
        sampler = CombinationSampler(graph, **options)
        failed = 0
        while failed < _MAX_FAILED_DRAWS:
            combination = sampler.sample(rng)
            if combination is None:
                failed += 1
                continue
            failed = 0
            yield combination
        raise GraphCannotSampleError(
            f"{_MAX_FAILED_DRAWS} draws in a row failed on {self.graph_dir}: "
            f"{dict(sampler.failures)}")


def _table(batch: list[tuple[str, int, Combination]], shard: int) -> pa.Table:
    return pa.table({
        "combination_id": [key for key, _, _ in batch],
        "kind": [c.kind for _, _, c in batch],
        "topics": [list(c.topics) for _, _, c in batch],
        "knowledge_points": [list(c.knowledge_points) for _, _, c in batch],
        "shard": [shard] * len(batch),
        "draw_index": [index for _, index, _ in batch],
    }, schema=COMBINATION_SCHEMA)
