"""Run pipelines on a remote Ray cluster as Ray Jobs, and follow or stop them.

`synth submit` validates the config here first (a typo costs a second, not a cluster slot),
writes the fully resolved config into the project under `.synth/submitted/<job id>.yaml` (a
local record of exactly what ran), and submits `python -m synth.cli run <that file>` with the
project directory as the job's working directory. The job therefore runs the submitter's code
and config; relative paths in the config resolve inside that working directory on the cluster,
so outputs that must outlive the job belong on shared or object storage (`run.output_dir`).

Token authentication is Ray's own: with `RAY_AUTH_MODE=token` the Jobs SDK reads the token from
`RAY_AUTH_TOKEN`, the file in `RAY_AUTH_TOKEN_PATH`, or `~/.ray/auth_token`. synth never reads,
prints or logs the token itself.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

SUBMITTED_DIR = Path(".synth") / "submitted"
# Never uploaded with the working directory: local runs, environments, caches, VCS metadata.
WORKING_DIR_EXCLUDES = [".git/", ".venv/", "venv/", "runs/", "**/__pycache__/", "*.pyc",
                        ".pytest_cache/", ".ruff_cache/", "bench/results/", "*.egg-info/"]
ADDRESS_VARIABLES = ("RAY_API_SERVER_ADDRESS", "RAY_ADDRESS")


class JobClientError(RuntimeError):
    """The cluster cannot be reached or refused us; the message says what to do about it."""


def cluster_address(address: str | None) -> str:
    """The Ray dashboard address to talk to: `--address`, else the standard variables."""
    for candidate in (address, *(os.environ.get(name) for name in ADDRESS_VARIABLES)):
        if candidate and candidate.startswith(("http://", "https://")):
            return candidate
    raise JobClientError("no cluster address: pass --address http://HEAD:8265 "
                         "(or set RAY_API_SERVER_ADDRESS)")


def connect(address: str | None):
    """A Jobs SDK client for the cluster, with reachability and the token checked up front."""
    from ray.exceptions import AuthenticationError
    from ray.job_submission import JobSubmissionClient

    url = cluster_address(address)
    try:
        client = JobSubmissionClient(url)
        client.list_jobs()  # the cheapest call that needs the token, if the cluster wants one
    except ConnectionError:
        raise JobClientError(f"cannot reach the Ray cluster at {url}: is the head running and "
                             "its dashboard port (8265 by default) open?") from None
    except AuthenticationError as error:
        raise JobClientError(_auth_advice(url, error)) from None
    return client


def _auth_advice(url: str, error: Exception) -> str:
    refused = "rejected the token" if "403" in str(error) or "Forbidden" in str(error) \
        else "requires a token and none was sent"
    return (f"the Ray cluster at {url} {refused}: set RAY_AUTH_MODE=token and provide the "
            "cluster's token in RAY_AUTH_TOKEN, a file named by RAY_AUTH_TOKEN_PATH, or "
            "~/.ray/auth_token")


def submission_id(cfg: DictConfig) -> str:
    """A readable, unique job id: synth-<run name>-<UTC time>."""
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", str(cfg.run.name)).strip("-") or "run"
    return f"synth-{name}-{stamp}"


def write_submitted_config(cfg: DictConfig, working_dir: Path, job_id: str) -> Path:
    """Write the resolved config into the working directory; returns its path relative to it."""
    relative = SUBMITTED_DIR / f"{job_id}.yaml"
    target = working_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(OmegaConf.to_yaml(cfg, resolve=True))
    return relative


def job_runtime_env(working_dir: Path, extra_env: dict[str, str] | None = None) -> dict[str, Any]:
    """The job's runtime environment: the project as working directory, plus synth's own code
    when it lives outside that directory (an installed package), so the cluster runs ours."""
    package_dir = Path(__file__).resolve().parent
    runtime_env: dict[str, Any] = {
        "working_dir": str(working_dir),
        "excludes": WORKING_DIR_EXCLUDES,
        "env_vars": {"PYTHONUNBUFFERED": "1", **(extra_env or {})},
    }
    if not package_dir.is_relative_to(working_dir.resolve()):
        runtime_env["py_modules"] = [str(package_dir)]
    return runtime_env


def submit_run(client, cfg: DictConfig, working_dir: Path, job_id: str | None = None,
               extra_env: dict[str, str] | None = None) -> str:
    """Submit `synth run` of the resolved `cfg` as a Ray Job; returns the job id."""
    job_id = job_id or submission_id(cfg)
    config_file = write_submitted_config(cfg, working_dir, job_id)
    entrypoint = f"python -m synth.cli run {config_file.as_posix()}"
    return client.submit_job(entrypoint=entrypoint, submission_id=job_id,
                             runtime_env=job_runtime_env(working_dir, extra_env),
                             metadata={"synth_run": str(cfg.run.name),
                                       "synth_pipeline": str(cfg.pipeline)})


def follow_logs(client, job_id: str, out=sys.stdout) -> str:
    """Stream the job's logs until it ends; returns its final status."""

    async def stream() -> None:
        async for chunk in client.tail_job_logs(job_id):
            out.write(chunk)
            out.flush()

    asyncio.run(stream())
    return str(client.get_job_status(job_id).value)


def job_table(jobs: Iterable[Any]) -> str:
    """One line per job: id, status, run name, entrypoint."""
    lines = [f"{'job':<44}{'status':<11}run"]
    for job in jobs:
        job_id = job.submission_id or job.job_id or "-"
        run = (job.metadata or {}).get("synth_run", "-")
        lines.append(f"{job_id:<44}{job.status.value!s:<11}{run}")
    return "\n".join(lines)
