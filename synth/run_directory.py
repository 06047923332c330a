"""The run directory: resolved config, one Parquet dataset per stage, final dataset, summary.

    runs/<run-name>/
      config.yaml              the fully resolved config this run used
      stages/01_<stage>/       each stage's rows (dropped ones keep a drop_reason) + _stage.json
      final/                   the final dataset (Parquet), what trainers read
      summary.json             funnel, tokens, seconds

A stage is written to `<dir>.partial`, its record added, then renamed into place: a stage
directory exists only when complete, so a killed run restarted with the same command redoes
the unfinished stage from scratch and never keeps half of its rows twice.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from synth.config.errors import ConfigError

STAGE_RECORD = "_stage.json"


class RunDirectory:
    """Paths and completion markers of one run."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.config_path = root / "config.yaml"
        self.final_path = root / "final"
        self.summary_path = root / "summary.json"

    def stage_path(self, position: int, name: str) -> Path:
        return self.root / "stages" / f"{position:02d}_{name}"

    def prepare(self, cfg: DictConfig) -> None:
        """Create the directory, refusing to resume a run that used a different config."""
        resolved = OmegaConf.to_yaml(cfg, resolve=True)
        if self.config_path.exists() and cfg.run.resume:
            if _run_identity(OmegaConf.load(self.config_path)) != _run_identity(cfg):
                raise ConfigError(
                    f"run.name: {self.root} holds a run with a different config; choose another "
                    "run.name, or pass run.resume=false to start it over")
        elif self.root.exists() and not cfg.run.resume:
            shutil.rmtree(self.root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(resolved)

    @staticmethod
    def is_complete(path: Path) -> bool:
        return (path / STAGE_RECORD).is_file()

    @staticmethod
    def read_record(path: Path) -> dict[str, Any]:
        return json.loads((path / STAGE_RECORD).read_text())

    @staticmethod
    def partial_path(path: Path) -> Path:
        """An empty scratch directory for writing `path`; leftovers of a killed run are removed."""
        partial = path.with_name(path.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        return partial

    @staticmethod
    def commit(partial: Path, path: Path, record: dict[str, Any]) -> None:
        """Mark `partial` complete and move it into place atomically."""
        partial.mkdir(parents=True, exist_ok=True)  # a stage with no rows writes no files
        (partial / STAGE_RECORD).write_text(json.dumps(record, indent=2))
        shutil.rmtree(path, ignore_errors=True)
        partial.rename(path)

    def write_summary(self, summary: dict[str, Any]) -> None:
        self.summary_path.write_text(json.dumps(summary, indent=2))


def _run_identity(cfg: DictConfig) -> dict[str, Any]:
    """What makes two configs the same run: everything but where it lives and the resume flag."""
    identity = OmegaConf.to_container(cfg, resolve=True)
    identity["run"] = {k: v for k, v in identity["run"].items() if k not in ("resume", "output_dir")}
    return identity
