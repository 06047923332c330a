"""Shared fixtures: one real local Ray cluster per test session, and paths to shared data."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
# Session fixtures of trained checkpoints (QFT, QPO, difficulty scorer), shared by slow tests.
pytest_plugins = ["tests.trained_models"]


@pytest.fixture(scope="session")
def ray_cluster():
    """A real local Ray cluster (2 logical CPUs, like the CI machine)."""
    import ray

    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR")
    yield ray
    ray.shutdown()
