"""The run directory: resolved config, one Parquet dataset per stage, final dataset, summary.

    runs/<run-name>/
      config.yaml              the fully resolved config this run used
      stages/01_<stage>/       each stage's rows (dropped ones keep a drop_reason)
      stages/01_<stage>.json   the stage's record; its presence marks the stage complete
      final/README.md          the data card (Hugging Face format)
      final/data/              the final dataset (Parquet only), what trainers read
      report/                  report.md, report.json and PNG plots
      errors/01_<stage>.parquet rows an engine could not answer, with `engine_error` and `stage`
      requests/<role>/         every answered model request, persisted as its batch finished
      logs/                    the full traceback of an unexpected error (failure_lines.py)
      graph/                   MathScale/GSDP: the concept graph (nodes, edges, stats)
      eval/                    `synth eval`: per-item results and metrics
      qpo_pairs/               `synth train qpo`: the preference pairs it trained on
      ray_train/               `synth train qft|qpo`: Ray Train's run storage
      summary.json             funnel, tokens, seconds

A stage is written to `<dir>.partial`, renamed into place, and only then gets its record: a
killed run restarted with the same command redoes the unfinished stage and never keeps half of
its rows twice, while its model requests that had been answered are replayed from requests/
instead of sent again (engines/request_replay.py). On object storage (no atomic rename, see
storage.py) a stage is written in place and the record alone marks it complete.

A run grows when it is rerun under the same name with larger counts only (GROWABLE_COUNTS):
every stage is redone, since each one's rows change, but requests/ stays, so only the new
questions and samples reach a model. Any other config change is refused.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from synth.config.errors import ConfigError
from synth.run.storage import is_local, remove_tree, run_path

# Counts a rerun may raise without starting over; None (no limit) is the largest value.
GROWABLE_COUNTS = ("generate.num_questions", "solve.num_samples", "sample.num_combinations",
                   "seeds.limit")


class RunDirectory:
    """Paths and completion markers of one run."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.config_path = root / "config.yaml"
        self.dataset_dir = root / "final"  # a Hugging Face-style dataset folder: card + data/
        self.final_path = self.dataset_dir / "data"
        self.card_path = self.dataset_dir / "README.md"
        self.report_dir = root / "report"
        self.summary_path = root / "summary.json"
        self.logs_dir = root / "logs"
        self.graph_dir = root / "graph"
        self.eval_dir = root / "eval"
        self.qpo_pairs_dir = root / "qpo_pairs"
        self.ray_train_dir = root / "ray_train"

    @classmethod
    def for_config(cls, cfg: DictConfig) -> RunDirectory:
        """`<run.output_dir>/<run.name>`, on local disk or object storage alike: the one place
        every command finds its run directory."""
        return cls(run_path(cfg.run.output_dir) / cfg.run.name)

    def stage_path(self, position: int, name: str) -> Path:
        return self.root / "stages" / f"{position:02d}_{name}"

    def error_path(self, position: int, name: str) -> Path:
        return self.root / "errors" / f"{position:02d}_{name}.parquet"

    def requests_path(self, role: str) -> Path:
        return self.root / "requests" / role

    def record_path(self, position: int, name: str) -> Path:
        return self.stage_path(position, name).with_suffix(".json")

    def planned_changes(self, cfg: DictConfig) -> list[str]:
        """What running `cfg` here would grow ("key: old -> new"), reading only: a ConfigError
        when the directory holds a run with a different config, so that the dry run refuses
        exactly what the run would."""
        if not (cfg.run.resume and self.config_path.exists()):
            return []
        previous = OmegaConf.create(self.config_path.read_text())
        if _run_identity(previous) == _run_identity(cfg):
            return []
        grown = _grown_counts(previous, cfg)
        if not grown:
            raise ConfigError(
                f"run.name: {self.root} holds a run with a different config (a rerun "
                f"may only raise {', '.join(GROWABLE_COUNTS)}); choose another "
                "run.name, or pass run.resume=false to start it over")
        return grown

    def check_writable(self) -> None:
        """A ConfigError naming `run.output_dir` unless the run directory can be created and
        written: checked before Ray starts, by the dry run too, with a real write."""
        if not is_local(self.root):
            probe = self.root / f".synth-write-check-{uuid.uuid4().hex}"
            try:
                probe.write_text("")
                probe.unlink()
            except Exception as error:  # fsspec backends raise their own kinds: name it
                raise ConfigError(f"run.output_dir: cannot write {self.root} "
                                  f"({type(error).__name__}: {error})") from None
            return
        existing = self.root
        while not existing.exists():
            existing = existing.parent
        if not existing.is_dir():
            raise ConfigError(f"run.output_dir: cannot create {self.root}: {existing} is not a "
                              "directory")
        try:
            with tempfile.TemporaryFile(dir=existing):
                pass
        except OSError as error:
            raise ConfigError(f"run.output_dir: cannot write in {existing} "
                              f"({error.strerror or error})") from None

    def prepare(self, cfg: DictConfig) -> list[str]:
        """Create the directory, refusing to resume a run that used a different config.
        Returns the counts this rerun grows ("key: old -> new"), whose stages start over."""
        self.check_writable()
        grown = self.planned_changes(cfg)
        if grown:
            for done in ("stages", "final", "report", "errors"):
                remove_tree(self.root / done)  # requests/ stays: it is what makes growing cheap
        elif self.root.exists() and not cfg.run.resume:
            remove_tree(self.root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(OmegaConf.to_yaml(cfg, resolve=True))
        return grown

    @staticmethod
    def read_record(record_path: Path) -> dict[str, Any] | None:
        """A JSON record of the run (a stage's record, the summary, the report), or None while
        it is not written: an unfinished stage, a running run."""
        return json.loads(record_path.read_text()) if record_path.is_file() else None

    @staticmethod
    def partial_path(path: Path) -> Path:
        """Where `path` is written before it is complete (itself on object storage)."""
        return path.with_name(path.name + ".partial") if is_local(path) else path

    @staticmethod
    def commit(partial: Path, path: Path, record_path: Path, record: dict[str, Any]) -> None:
        """Move `partial` into place, then write the record that marks it complete."""
        if partial != path:
            partial.mkdir(parents=True, exist_ok=True)  # a stage with no rows writes no files
            remove_tree(path)
            partial.rename(path)
        if not is_local(record_path):  # one object PUT is atomic already
            record_path.write_text(json.dumps(record, indent=2))
            return
        scratch = record_path.with_suffix(".json.partial")
        scratch.write_text(json.dumps(record, indent=2))
        scratch.rename(record_path)

    def write_summary(self, summary: dict[str, Any]) -> None:
        self.summary_path.write_text(json.dumps(summary, indent=2))


def _grown_counts(previous: DictConfig, cfg: DictConfig) -> list[str]:
    """The growable counts `cfg` raises over `previous` when nothing else differs (and none
    shrinks); empty otherwise."""
    def without_counts(config: DictConfig) -> dict[str, Any]:
        copy = OmegaConf.create(_run_identity(config))
        for key in GROWABLE_COUNTS:
            if OmegaConf.select(copy, key, default="absent") != "absent":
                OmegaConf.update(copy, key, None)
        return OmegaConf.to_container(copy)

    if without_counts(previous) != without_counts(cfg):
        return []
    grown = []
    for key in GROWABLE_COUNTS:
        old, new = OmegaConf.select(previous, key), OmegaConf.select(cfg, key)
        if old == new:
            continue
        if new is not None and (old is None or new < old):
            return []  # a smaller count is a different run, not a larger one
        grown.append(f"{key}: {old} -> {new}")
    return grown


def _run_identity(cfg: DictConfig) -> dict[str, Any]:
    """What makes two configs the same run: everything but where it lives and the resume flag."""
    identity = OmegaConf.to_container(cfg, resolve=True)
    identity["run"] = {k: v for k, v in identity["run"].items() if k not in ("resume", "output_dir")}
    return identity
