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


@pytest.fixture(scope="session")
def ray_cluster():
    """A real local Ray cluster (2 logical CPUs, like the CI machine)."""
    import ray

    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR")
    yield ray
    ray.shutdown()
