"""Per-question work over all of a question's rows (its samples), a block at a time.

`Dataset.groupby(key).map_groups(fn)` calls `fn` once per group with a table of its own: at
5M samples that is a million small tables built and converted, which cost the consensus vote
about 230 s per 1M samples on 2 cores, ten times the vote itself. Here the rows are hash-
partitioned by key and sorted (a keyed `repartition`, into as many partitions as the runner
sized for the stage), and `fn` gets a whole block with the bounds of each group in it, so a
block is converted once. A keyed repartition's output block holds whole keys: that is the
property `map_groups` itself is built on (it maps whole blocks the same way).
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc
from ray.data import Dataset

from synth.shuffle_sizing import stage_partitions


def group_bounds(block: pa.Table, key: str) -> list[tuple[int, int]]:
    """(start, end) of each run of equal `key` values in a block sorted by `key`."""
    if block.num_rows == 0:
        return []
    keys = block.column(key).combine_chunks()
    changes = pc.not_equal(keys.slice(1), keys.slice(0, len(keys) - 1))
    starts = [0, *(i + 1 for i in pc.indices_nonzero(changes).to_pylist())]
    return list(zip(starts, [*starts[1:], block.num_rows]))


def map_group_blocks(rows: Dataset, key: str,
                     fn: Callable[[pa.Table, list[tuple[int, int]]], pa.Table]) -> Dataset:
    """`fn(block, bounds)` over blocks holding whole groups of `key`, sorted by it."""
    def whole_groups(block: pa.Table) -> pa.Table:
        return fn(block, group_bounds(block, key))

    return (rows.repartition(stage_partitions(), keys=[key], sort=True)
            .map_batches(whole_groups, batch_size=None, batch_format="pyarrow"))
