"""Extending synth the way the README says: a new pipeline kind is one module (its schema with
its section's own checks, its stages, its builder) plus one registration line; a new prompted
stage writes only its prompt and its reading of replies. This module is such a kind: `toy`
asks a scripted model to echo words and drops the replies that do not."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import pyarrow as pa
import pytest
import ray
import yaml
from omegaconf import DictConfig, OmegaConf
from ray.data import Dataset

from synth.cli import main
from synth.config.common import PromptedSection
from synth.config.quality import DatasetPipelineBase
from synth.config.sections import need
from synth.engines.base import Completion
from synth.kinds import PipelineKind, pipeline_kinds, register_kind
from synth.kinds.kind import Command
from synth.prompt_templates import fill_template
from synth.stages.base import Stage, with_drop_reasons
from synth.stages.prompted import PromptedStage, Reply
from tests.scripted_engine import ScriptedEngine

WORDS = ["apple", "pear", "plum", "fig", "kiwi", "lime"]


@dataclass
class EchoSection(PromptedSection):
    """The toy kind's one section, with its own check beside its fields."""

    num_words: int = 4  # words to echo
    prompt: str = "Repeat the word {word}."  # {word} is replaced

    placeholders: ClassVar[tuple[str, ...]] = ("word",)

    def check(self) -> None:
        need(1 <= self.num_words <= len(WORDS), "num_words", f"must be in [1, {len(WORDS)}]",
             self.num_words)
        super().check()


@dataclass
class ToyPipelineConfig(DatasetPipelineBase):
    pipeline: str = "toy"
    echo: EchoSection = field(default_factory=EchoSection)


class WordsStage(Stage):
    """Source stage: `id`, `word`."""

    name = "words"

    def __init__(self, count: int) -> None:
        self.count = count

    def apply(self, rows: Dataset | None) -> Dataset:
        return ray.data.from_items([{"id": f"w{i}", "word": w} for i, w in enumerate(WORDS[:self.count])])


class EchoStage(PromptedStage):
    """Adds `echo`; drops `not_echoed` (and an engine's own failures)."""

    name = "echo"
    requires = ("id", "word")

    def prompts(self, batch: pa.Table) -> list[str]:
        return [fill_template(self.config.prompt, word=w) for w in batch.column("word").to_pylist()]

    def read(self, batch: pa.Table, replies: list[Reply]) -> pa.Table:
        words = batch.column("word").to_pylist()
        reasons = [reply.failure or (None if word in (reply.text or "") else "not_echoed")
                   for word, reply in zip(words, replies)]
        batch = batch.append_column("echo", pa.array([r.text for r in replies], pa.string()))
        return with_drop_reasons(batch, reasons)


def echo_all_but_plums(prompt: str, params: dict) -> Completion:
    word = prompt.split("word ")[1].rstrip(".")
    return Completion("a pear" if word == "plum" else f"{word}!", 6, 2, "stop")


def build_toy(cfg: DictConfig) -> list[Stage]:
    typed: ToyPipelineConfig = OmegaConf.to_object(cfg)
    engine = ScriptedEngine("echoer", echo_all_but_plums)
    return [WordsStage(typed.echo.num_words), EchoStage(typed.echo, engine, typed.run.seed)]


@pytest.fixture
def toy_kind():
    kind = register_kind(PipelineKind("toy", ToyPipelineConfig, Command.run,
                                      "tests.unit.test_extending:build_toy"))
    yield kind
    pipeline_kinds().pop("toy")


@pytest.fixture
def toy_config(tmp_path):
    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump({"pipeline": "toy", "run": {"output_dir": str(tmp_path / "runs")},
                                    "echo": {"num_words": 4}}))
    return path


def test_a_registered_kind_runs_through_synth_run(ray_cluster, toy_kind, toy_config, tmp_path, capsys):
    assert main(["run", str(toy_config)]) == 0
    summary = yaml.safe_load((tmp_path / "runs" / "toy" / "summary.json").read_text())
    echo = {record["stage"]: record for record in summary["stages"]}["echo"]
    assert (echo["rows_in"], echo["rows_out"], echo["dropped"]) == (4, 3, {"not_echoed": 1})
    assert summary["final_rows"] == 3 and summary["pipeline"] == "toy"


def test_a_registered_kinds_section_checks_itself(toy_kind, toy_config, capsys):
    assert main(["run", str(toy_config), "echo.num_words=9"]) == 2
    assert capsys.readouterr().err.strip() == (
        "synth: config error: echo.num_words: must be in [1, 6] (got 9)")
    assert main(["run", str(toy_config), "echo.prompt=Say it."]) == 2
    assert capsys.readouterr().err.strip() == (
        "synth: config error: echo.prompt: must contain {word} (got 'Say it.')")


def test_an_unregistered_kind_is_one_line(toy_config, capsys):
    assert main(["run", str(toy_config)]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("synth: config error: pipeline: unknown pipeline 'toy' (expected one of: ")
