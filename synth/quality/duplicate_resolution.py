"""Find duplicates among millions of rows with Ray Data shuffles, never on the driver.

Each row carries bucket keys (an exact-text hash, MinHash bands, optionally SimHash bands).
Rows sharing a key are candidates; within a bucket the smallest id survives and every other
member is a duplicate of it. Because "smallest id" does not depend on how rows are split into
blocks or in which order workers see them, the same input always loses the same rows, and at
least one row of every group of duplicates survives (the group's smallest id never loses).

    keyed rows (id, bucket_keys, bucket_kinds)
      -> one row per (key, id, kind)            map_batches
      -> buckets with >1 member, first id       groupby(key).aggregate
      -> members that are not the first id      join + filter
      -> per id: duplicate_of, duplicate_kind   groupby(id).aggregate
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from ray.data import Dataset
from ray.data.aggregate import Count, Min
from ray.data.expressions import col

EXACT, NEAR, SEMANTIC = 0, 1, 2
DUPLICATE_REASONS = {EXACT: "exact_duplicate", NEAR: "near_duplicate", SEMANTIC: "semantic_duplicate"}
KEY_COLUMNS = ("bucket_keys", "bucket_kinds")


def _explode(batch: pa.Table) -> pa.Table:
    keys = batch.column("bucket_keys").combine_chunks()
    parents = pc.list_parent_indices(keys)
    return pa.table({
        "key": pc.list_flatten(keys),
        "id": pc.take(batch.column("id"), parents),
        "kind": pc.list_flatten(batch.column("bucket_kinds").combine_chunks()),
    })


def find_duplicates(keyed: Dataset, num_partitions: int) -> Dataset:
    """Rows (id, duplicate_of, duplicate_kind) for every row that shares a bucket with a smaller id.

    `duplicate_kind` is the strongest evidence found (exact < near < semantic).
    """
    members = keyed.select_columns(["id", *KEY_COLUMNS]).map_batches(_explode,
                                                                       batch_format="pyarrow")
    buckets = (members.groupby("key", num_partitions=num_partitions)
               .aggregate(Min("id", alias_name="first_id"), Count(alias_name="size")))
    shared = buckets.filter(expr=col("size") > 1).select_columns(["key", "first_id"])
    later = (members.join(shared, join_type="inner", num_partitions=num_partitions, on=("key",))
             .filter(expr=col("id") != col("first_id")))
    return (later.groupby("id", num_partitions=num_partitions)
            .aggregate(Min("first_id", alias_name="duplicate_of"),
                       Min("kind", alias_name="duplicate_kind")))
