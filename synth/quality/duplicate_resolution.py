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

Semantic candidates (SimHash buckets) are verified by exact cosine inside each shared bucket
before they count; `find_semantic_duplicates` returns the same columns for them.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from ray.data import Dataset
from ray.data.aggregate import Count, Min
from ray.data.expressions import col

EXACT, NEAR, SEMANTIC = 0, 1, 2
DUPLICATE_REASONS = {EXACT: "exact_duplicate", NEAR: "near_duplicate", SEMANTIC: "semantic_duplicate"}
KEY_COLUMNS = ("bucket_keys", "bucket_kinds")
DUPLICATE_SCHEMA = pa.schema([("id", pa.string()), ("duplicate_of", pa.string()),
                              ("duplicate_kind", pa.int8())])


def _explode(batch: pa.Table) -> pa.Table:
    keys = batch.column("bucket_keys").combine_chunks()
    parents = pc.list_parent_indices(keys)
    return pa.table({
        "key": pc.list_flatten(keys),
        "id": pc.take(batch.column("id"), parents),
        "kind": pc.list_flatten(batch.column("bucket_kinds").combine_chunks()),
    })


def _later_members(batch: pa.Table) -> pa.Table:
    """Bucket members that are not the bucket's first id, as (id, duplicate_of, duplicate_kind)."""
    if "first_id" not in batch.column_names:  # Ray 2.60: an empty join partition lacks right columns
        return DUPLICATE_SCHEMA.empty_table()
    later = batch.filter(pc.not_equal(batch.column("id"), batch.column("first_id")))
    return pa.table([later.column("id"), later.column("first_id"), later.column("kind")],
                    schema=DUPLICATE_SCHEMA)


def find_duplicates(keyed: Dataset, num_partitions: int) -> Dataset:
    """Rows (id, duplicate_of, duplicate_kind) for every row that shares a bucket with a smaller id.

    `duplicate_kind` is the strongest evidence found (exact < near).
    """
    members = keyed.select_columns(["id", *KEY_COLUMNS]).map_batches(_explode,
                                                                       batch_format="pyarrow")
    buckets = (members.groupby("key", num_partitions=num_partitions)
               .aggregate(Min("id", alias_name="first_id"), Count(alias_name="size")))
    shared = buckets.filter(expr=col("size") > 1).select_columns(["key", "first_id"])
    joined = members.join(shared, join_type="inner", num_partitions=num_partitions, on=("key",))
    return merge_duplicates(joined.map_batches(_later_members, batch_format="pyarrow"),
                            num_partitions)


def verified_pairs(bucket: pa.Table, threshold: float) -> pa.Table:
    """Within one SimHash bucket: each member's smallest-id earlier member at cosine >= threshold."""
    bucket = bucket.sort_by("id")
    ids = bucket.column("id").to_pylist()
    vectors = np.asarray(bucket.column("embedding").to_pylist(), dtype=np.float32)
    similar = (vectors @ vectors.T) >= threshold  # embeddings are unit-normalised
    rows = [(ids[j], ids[int(np.argmax(similar[j, :j]))]) for j in range(1, len(ids))
            if similar[j, :j].any()]
    return pa.Table.from_pylist([{"id": i, "duplicate_of": d, "duplicate_kind": SEMANTIC}
                                 for i, d in rows], schema=DUPLICATE_SCHEMA)


def find_semantic_duplicates(keyed: Dataset, threshold: float, num_partitions: int) -> Dataset:
    """(id, duplicate_of, duplicate_kind) for rows whose embedding is near a smaller id's.

    `keyed` carries id, `semantic_keys` and `embedding`; only buckets with several members
    travel with their embeddings to the cosine check.
    """
    def explode(batch: pa.Table) -> pa.Table:
        keys = batch.column("semantic_keys").combine_chunks()
        parents = pc.list_parent_indices(keys)
        return pa.table({"key": pc.list_flatten(keys), "id": pc.take(batch.column("id"), parents),
                         "embedding": pc.take(batch.column("embedding"), parents)})

    members = keyed.map_batches(explode, batch_format="pyarrow")
    shared = (members.select_columns(["key", "id"]).groupby("key", num_partitions=num_partitions)
              .aggregate(Count(alias_name="size")).filter(expr=col("size") > 1)
              .select_columns(["key"]))
    candidates = members.join(shared, join_type="inner", num_partitions=num_partitions, on=("key",))
    def verify(bucket: pa.Table) -> pa.Table:
        return verified_pairs(bucket, threshold)

    return candidates.groupby("key", num_partitions=num_partitions).map_groups(
        verify, batch_format="pyarrow")


def merge_duplicates(found: Dataset, num_partitions: int) -> Dataset:
    """One row per duplicate id: its smallest `duplicate_of` and strongest kind of evidence."""
    return (found.groupby("id", num_partitions=num_partitions)
            .aggregate(Min("duplicate_of", alias_name="duplicate_of"),
                       Min("duplicate_kind", alias_name="duplicate_kind")))
