"""Shared fixtures: one real local Ray cluster per test session, and the suite's own data files."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Raw-format slices of public sets (GSM8K train/test, MATH test; tests/data/README.md): a test
# reads them or synth's packaged copies, never a folder beside the checkout.
TEST_DATA = REPO / "tests" / "data"
# Session fixtures of trained checkpoints (QFT, QPO, difficulty scorer), shared by slow tests;
# the check that no test reads a file from outside the checkout; a loopback llama.cpp server;
# finished runs that several tests read.
pytest_plugins = ["tests.trained_models", "tests.checkout_boundary", "tests.llama_server",
                  "tests.finished_runs"]


# Stages called directly (not through the runner) shuffle into this many hash partitions. The
# runner sizes each stage's shuffles from its input (synth/shuffle_sizing.py: one partition for
# a test's few rows); Ray's default of 200 cost tens of seconds per dedup of a few hundred rows.
# Four still spread a test's keys over several partitions.
TEST_SHUFFLE_PARTITIONS = 4


@pytest.fixture(scope="session")
def ray_cluster():
    """A real local Ray cluster (2 logical CPUs, like the CI machine)."""
    import ray
    from ray.data import DataContext

    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR")
    DataContext.get_current().default_hash_shuffle_parallelism = TEST_SHUFFLE_PARTITIONS
    yield ray
    ray.shutdown()
