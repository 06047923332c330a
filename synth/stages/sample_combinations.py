"""Stream concept combinations from the saved graph: MathScale random walks or GSDP combinations.

The sampler is a Ray Data source (`synth.concepts.combination_source`): seeded shards sample in
parallel and stream batches, so millions of combinations never sit on the driver. Shards
deduplicate their own output; duplicates across shards are found here with the same hash
shuffle the dedup stage uses, and marked `duplicate_combination` (the copy from the lowest
shard survives, so the result does not depend on scheduling).
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pyarrow as pa
import ray
from ray.data import Dataset

from synth.concepts.combination_source import COMBINATION_SCHEMA, combination_dataset
from synth.concepts.concept_graph import KP, TOPIC, load_graph
from synth.config.concept_methods import ConceptSamplingConfig
from synth.quality.duplicate_resolution import EXACT, find_duplicates
from synth.quality.text_normalization import hash64
from synth.shuffle_sizing import partitions_for
from synth.stages.base import Stage, with_drop_reasons

SAMPLER_OPTIONS = {
    "mathscale": ("topic_steps", "kp_steps", "allow_revisits"),
    "gsdp": ("mix", "core_quantile", "community_size"),
}


def _with_draw_id(batch: pa.Table) -> pa.Table:
    """`draw_id` = combination id + shard: unique per row, so copies from two shards differ."""
    draw_ids = [f"{key}:{shard:05d}" for key, shard in zip(batch.column("id").to_pylist(),
                                                           batch.column("shard").to_pylist())]
    return batch.append_column("draw_id", pa.array(draw_ids, pa.string()))


def _bucket_keys(batch: pa.Table) -> pa.Table:
    keys = [[hash64(key, "combination")] for key in batch.column("id").to_pylist()]
    return pa.table({"id": batch.column("draw_id"),
                     "bucket_keys": pa.array(keys, pa.list_(pa.int64())),
                     "bucket_kinds": pa.array([[EXACT]] * len(keys), pa.list_(pa.int8()))})


def _mark(batch: pa.Table) -> pa.Table:
    if "duplicate_kind" not in batch.column_names:  # a join partition that met no duplicate
        return with_drop_reasons(batch.drop_columns(["draw_id"]), [None] * batch.num_rows)
    reasons = [None if k is None else "duplicate_combination"
               for k in batch.column("duplicate_kind").to_pylist()]
    return with_drop_reasons(batch.drop_columns(["duplicate_kind", "duplicate_of", "draw_id"]),
                             reasons)


def can_sample(graph: nx.Graph, method: str) -> bool:
    """Whether any combination exists: a topic next to a KP (walks), or a KP-KP edge (GSDP)."""
    wanted = {TOPIC, KP} if method == "mathscale" else {KP}
    return any({graph.nodes[a]["kind"], graph.nodes[b]["kind"]} == wanted
               for a, b in graph.edges())


COMBINATION_PARQUET_BYTES = 64  # about what one sampled combination takes in Parquet


class SampleCombinationsStage(Stage):
    """Source of `id`, `kind`, `topics`, `knowledge_points` rows (reads graph/, not its input)."""

    name = "sample_combinations"
    reads, writes = "seeds", "combinations"

    def __init__(self, config: ConceptSamplingConfig, method: str, graph_dir: Path, run_seed: int,
                 num_partitions: int | None) -> None:
        self.config = config
        self.method = method
        self.graph_dir = graph_dir
        self.run_seed = run_seed
        self.num_partitions = num_partitions

    def options(self) -> dict:
        return {key: getattr(self.config, key) for key in SAMPLER_OPTIONS[self.method]}

    def describe(self) -> str:
        sampler = "random walks" if self.method == "mathscale" else "KP combinations"
        return (f"{self.name}  [{self.config.num_combinations} {sampler}, "
                f"{self.config.num_shards} shards, {self.options()}]")

    def apply(self, rows: Dataset | None) -> Dataset:
        if not can_sample(load_graph(self.graph_dir), self.method):
            # Too few seeds or concepts: say so, and let the funnel show zero combinations.
            print(f"{self.name}: the concept graph in {self.graph_dir} links no concepts to sample "
                  "from; add seeds or lower graph.min_count")
            return ray.data.from_arrow(COMBINATION_SCHEMA.empty_table())
        combinations = combination_dataset(
            str(self.graph_dir), self.method, self.config.num_combinations, self.run_seed,
            self.config.num_shards, self.options()).rename_columns({"combination_id": "id"})
        combinations = combinations.map_batches(_with_draw_id, batch_format="pyarrow")
        # A source stage has no input to size its shuffles from: its own rows do.
        partitions = self.num_partitions or partitions_for(
            self.config.num_combinations * COMBINATION_PARQUET_BYTES)
        duplicates = find_duplicates(combinations.map_batches(_bucket_keys, batch_format="pyarrow"),
                                     partitions).rename_columns({"id": "draw_id"})
        return (combinations.join(duplicates, join_type="left_outer",
                                  num_partitions=partitions, on=("draw_id",))
                .map_batches(_mark, batch_format="pyarrow"))
