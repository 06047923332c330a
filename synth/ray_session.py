"""Connect to Ray: a local cluster by default, or an existing one by address."""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from omegaconf import DictConfig

T = TypeVar("T")


def start_ray(ray_cfg: DictConfig) -> None:
    """Start or join Ray once per process, with Ray Data's progress bars on."""
    import ray
    from ray.data import DataContext

    if not ray.is_initialized():
        # Inside a Ray Job (`synth submit`) RAY_ADDRESS names the cluster the job runs on.
        local = ray_cfg.address is None and not os.environ.get("RAY_ADDRESS")
        # ray.init replaces the SIGTERM handler with an immediate exit that leaves the local
        # cluster's processes behind; the CLI's own handler stops the run and the cluster.
        on_sigterm = signal.getsignal(signal.SIGTERM)
        ray.init(address=ray_cfg.address, num_cpus=ray_cfg.num_cpus if local else None,
                 include_dashboard=False, logging_level=logging.WARNING,
                 configure_logging=True)
        if threading.current_thread() is threading.main_thread() and on_sigterm is not None:
            signal.signal(signal.SIGTERM, on_sigterm)
    context = DataContext.get_current()
    context.enable_progress_bars = True
    context.verbose_stats_logs = False
    # Ray 2.60's DataSourceV2 Parquet reader sizes a read task's batches from the first row
    # group it meets, capped at that group's rows: a stage's one-row trailing file made the
    # next stage read 500K rows one row at a time, into 500K one-row row groups (10 minutes
    # and 7 GB for the 1M-question language filter). The V1 reader averages over the files.
    context.use_datasource_v2 = False


def off_the_driver(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` in a Ray task, for a scan over a stage's whole output.

    Scanning millions of rows in the driver leaves its memory higher after every stage (Arrow's
    readers and thread pools keep what they touched), and at paper scale the driver is the one
    process that lives through every stage; a worker hands its memory back when it is reused or
    ends. It takes no CPU slot: it runs between stages, when the stage's pools are gone."""
    import ray

    return ray.get(ray.remote(num_cpus=0)(function).remote(*args))


def stop_ray_now() -> None:
    """Take down what this process started, at once, after Ctrl-C or SIGTERM.

    Every answered request is already persisted, so nothing is lost by not draining: the
    local cluster's processes (raylet, GCS, workers: this process's descendants) are killed,
    then the driver disconnects. A graceful `ray.shutdown()` alone took about 8 s here and
    left idle workers running; a joined cluster has no such descendants and keeps running."""
    import psutil
    import ray

    for process in psutil.Process().children(recursive=True):
        try:
            process.kill()
        except psutil.Error:
            pass
    if ray.is_initialized():
        ray.shutdown()


class _NoStacks(logging.Filter):
    """Passes console records that carry no stack trace."""

    HIDDEN = ("Full stack trace", "Exception occurred in Ray Data or Ray Core internal code")

    def filter(self, record: logging.LogRecord) -> bool:
        return record.exc_info is None and not record.getMessage().startswith(self.HIDDEN)


def keep_stacks_off_the_terminal() -> None:
    """Ray Data prints a failed task's stack on the console before it raises; synth says what
    failed in one line instead (cli.py). Its log files (the session's logs/ray-data) still keep
    every stack; `--verbose` leaves the console as Ray Data sets it."""
    import ray.data  # noqa: F401  (configures the ray.data loggers on import)

    for handler in logging.getLogger("ray.data").handlers:
        if isinstance(handler, logging.StreamHandler) and not any(
                isinstance(f, _NoStacks) for f in handler.filters):
            handler.addFilter(_NoStacks())
