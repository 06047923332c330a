"""How many partitions a stage's shuffles (groupby, join) use: sized from the stage's input.

Ray Data's default is 200 hash partitions whatever the data: a consensus vote over 24 samples
then runs 200 aggregation tasks and writes 200 tiny files (about 7 s of a CPU run, and 30 s more
for the next stage to read them back), while 5M samples would want a handful. The runner sizes
every stage's shuffles from the Parquet bytes the stage reads (one partition per
`PARTITION_BYTES`, between 1 and `MAX_PARTITIONS`) and sets that as Ray Data's default for the
stage, so a `groupby` without `num_partitions` follows it; stages that must pass a number
(`Dataset.join`) ask `stage_partitions`. A config value (`dedup.num_partitions`) overrides it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

PARTITION_BYTES = 64 * 2**20  # of compressed Parquet: about 250 MB of rows in memory
MAX_PARTITIONS = 200  # Ray Data's own default, now the ceiling


def partitions_for(input_bytes: int) -> int:
    """Shuffle partitions for a stage reading `input_bytes` of Parquet."""
    return max(1, min(MAX_PARTITIONS, math.ceil(input_bytes / PARTITION_BYTES)))


@contextmanager
def sized_shuffles(input_bytes: int) -> Iterator[int]:
    """Within the block, Ray Data's default shuffle partitions are sized for `input_bytes`."""
    from ray.data import DataContext

    context = DataContext.get_current()
    default = context.default_hash_shuffle_parallelism
    context.default_hash_shuffle_parallelism = partitions_for(input_bytes)
    try:
        yield context.default_hash_shuffle_parallelism
    finally:
        context.default_hash_shuffle_parallelism = default


def stage_partitions(configured: int | None = None) -> int:
    """`configured` when a config sets it, else the partitions the runner sized for this stage."""
    from ray.data import DataContext

    return configured or DataContext.get_current().default_hash_shuffle_parallelism
