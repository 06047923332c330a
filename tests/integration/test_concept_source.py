"""The combination source streams a million combinations through real Ray into Parquet,
deduplicated per shard and reproducible from its seed."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
import pytest

from synth.concepts.combination_sampler import CombinationSampler
from synth.concepts.combination_source import (
    COMBINATION_SCHEMA,
    GraphCannotSampleError,
    combination_dataset,
    shard_draws,
    shard_rng,
)
from synth.concepts.concept_graph import build_mathscale_graph, load_graph, save_graph


def _zipf_records(seed: int) -> list[tuple[list[str], list[str]]]:
    """10,000 seeds over 300 topics and 3,000 KPs with Zipf-like popularity."""
    rng = np.random.default_rng(seed)
    topic_p = 1 / np.arange(1, 301)
    kp_p = 1 / np.arange(1, 3_001) ** 0.8
    topic_p, kp_p = topic_p / topic_p.sum(), kp_p / kp_p.sum()
    records = []
    for _ in range(10_000):
        topics = rng.choice(300, rng.integers(1, 3), replace=False, p=topic_p)
        kps = rng.choice(3_000, rng.integers(1, 6), replace=False, p=kp_p)
        records.append(([f"topic {i}" for i in topics], [f"kp {i}" for i in kps]))
    return records


@pytest.fixture(scope="module")
def graph_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("concept_graph")
    graph = build_mathscale_graph(_zipf_records(0))
    assert graph.number_of_nodes() > 2_000
    save_graph(graph, directory)
    return directory


def _read(directory) -> pads.Dataset:
    return pads.dataset(str(directory), format="parquet")


def _check_counts(table, requested: int, num_shards: int) -> int:
    """Rows per shard = draws minus within-shard duplicates; returns the duplicates."""
    duplicates = 0
    for shard, draws in enumerate(shard_draws(requested, num_shards)):
        rows = table.filter(pc.equal(table["shard"], shard))
        ids, first_draws = rows["combination_id"], rows["draw_index"]
        assert pc.count_distinct(ids).as_py() == rows.num_rows  # unique in the shard
        assert pc.count_distinct(first_draws).as_py() == rows.num_rows
        assert pc.max(first_draws).as_py() < draws and pc.min(first_draws).as_py() == 0
        duplicates += draws - rows.num_rows
    assert table.num_rows == requested - duplicates
    return duplicates


def test_a_million_walks_stream_into_parquet(ray_cluster, graph_dir, tmp_path):
    requested, shards = 1_000_000, 4
    dataset = combination_dataset(str(graph_dir), "mathscale", requested, seed=0,
                                  num_shards=shards, sampler_options={})
    dataset.write_parquet(str(tmp_path / "out"))
    written = _read(tmp_path / "out")
    assert written.schema.remove_metadata() == COMBINATION_SCHEMA
    table = written.to_table(columns=["combination_id", "shard", "draw_index"])
    duplicates = _check_counts(table, requested, shards)
    assert 0 < duplicates < requested * 0.05
    sizes = written.to_table(columns=["topics", "knowledge_points"]).slice(0, 50_000)
    topic_counts = pc.list_value_length(sizes["topics"]).to_pylist()
    kp_counts = pc.list_value_length(sizes["knowledge_points"]).to_pylist()
    assert set(topic_counts) == {2, 3} and set(kp_counts) == {1, 2, 3, 4, 5}


def test_gsdp_shard_matches_the_sampler_run_by_hand(ray_cluster, graph_dir):
    requested, shards, seed = 60_000, 3, 11
    options = {"mix": {"one_hop": 0.5, "two_hop": 0.3, "community": 0.2}}
    dataset = combination_dataset(str(graph_dir), "gsdp", requested, seed, shards,
                                  options)
    table = pa.concat_tables(ray_cluster.get(dataset.to_arrow_refs()))
    _check_counts(table, requested, shards)
    assert set(table["kind"].to_pylist()) == {"one_hop", "two_hop", "community"}
    # Shard 1 again, by hand: same generator, same sampler, first draw of each key kept.
    sampler = CombinationSampler(load_graph(graph_dir), seed=seed, **options)
    rng = shard_rng(seed, 1)
    expected: dict[str, int] = {}
    draw = 0
    while draw < shard_draws(requested, shards)[1]:
        combination = sampler.sample(rng)
        if combination is not None:
            expected.setdefault(combination.key, draw)
            draw += 1
    shard = table.filter(pc.equal(table["shard"], 1))
    assert dict(zip(shard["combination_id"].to_pylist(),
                    shard["draw_index"].to_pylist())) == expected


def test_same_seed_same_combinations(ray_cluster, graph_dir):
    def ids(seed: int) -> list[str]:
        dataset = combination_dataset(str(graph_dir), "mathscale", 20_000, seed, 2,
                                      {"kp_steps": [0, 1, 2]})
        return sorted(row["combination_id"] for row in dataset.take_all())

    first = ids(3)
    assert ids(3) == first
    assert ids(4) != first


def test_graph_without_walks_fails_loudly(ray_cluster, tmp_path):
    save_graph(build_mathscale_graph([(["t"], []), (["t", "u"], [])]), tmp_path)
    with pytest.raises(GraphCannotSampleError, match="reaches a knowledge point"):
        combination_dataset(str(tmp_path), "mathscale", 10, 0, 1, {}).take_all()
