"""Connect to Ray: a local cluster by default, or an existing one by address."""

from __future__ import annotations

import logging
import os

from omegaconf import DictConfig


def start_ray(ray_cfg: DictConfig) -> None:
    """Start or join Ray once per process, with Ray Data's progress bars on."""
    import ray
    from ray.data import DataContext

    if not ray.is_initialized():
        # Inside a Ray Job (`synth submit`) RAY_ADDRESS names the cluster the job runs on.
        local = ray_cfg.address is None and not os.environ.get("RAY_ADDRESS")
        ray.init(address=ray_cfg.address, num_cpus=ray_cfg.num_cpus if local else None,
                 include_dashboard=False, logging_level=logging.WARNING,
                 configure_logging=True)
    context = DataContext.get_current()
    context.enable_progress_bars = True
    context.verbose_stats_logs = False
