"""`synth train` configs: paper defaults, one clear error per bad value, and the CLI's handling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from synth.cli import main
from synth.config.errors import ConfigError
from synth.config.loading import load_config
from synth.config.training import DPOSettings, QPOConfig, SFTSettings

PIPELINES = Path(__file__).resolve().parents[2] / "pipelines"


@pytest.fixture
def checkpoint_dir(tmp_path):
    """Stands in for a QFT checkpoint: validation only checks that the directory exists."""
    path = tmp_path / "qft_checkpoint"
    path.mkdir()
    return path


@pytest.fixture
def questions_file(tmp_path):
    path = tmp_path / "qft_questions.jsonl"
    path.write_text(json.dumps({"question": "What is 2 + 2?"}) + "\n")
    return path


def test_paper_defaults():
    sft = OmegaConf.structured(SFTSettings)
    assert (sft.num_epochs, sft.learning_rate, sft.lr_scheduler, sft.warmup_ratio,
            sft.max_length, sft.packing, sft.max_steps) == (1, 2e-5, "cosine", 0.03, 256, True, -1)
    dpo = OmegaConf.structured(DPOSettings)
    assert (dpo.num_epochs, dpo.learning_rate, dpo.beta, dpo.loss_type) == (1, 5e-7, 0.1, "sigmoid")


def test_qft_cpu_config_loads_with_output_dir_under_the_run():
    cfg = load_config(PIPELINES / "qft_cpu.yaml", ["run.output_dir=/tmp/x"])
    assert cfg.pipeline == "qft"
    assert cfg.output_dir == "/tmp/x/qft_cpu/checkpoint"
    assert cfg.questions.packaged == "champ"
    assert cfg.scaling.num_workers == 1 and not cfg.scaling.use_gpu
    assert cfg.train.max_steps >= 1  # CPU configs stop after a few steps


def test_qft_paper_config_loads_once_its_questions_exist(questions_file):
    cfg = load_config(PIPELINES / "qft.yaml", [f"questions.paths=[{questions_file}]"])
    assert cfg.base_model == "Qwen/Qwen2-Math-7B-Instruct"
    assert cfg.scaling.use_gpu and cfg.scaling.num_workers == 8
    assert cfg.train.trainer_kwargs.fsdp == "full_shard auto_wrap"
    with pytest.raises(ConfigError, match=r"^questions.paths\[0\]: file not found"):
        load_config(PIPELINES / "qft.yaml", ["questions.paths=[/nonexistent/questions.jsonl]"])


@pytest.mark.parametrize("name", ["qpo_cpu.yaml", "qpo.yaml"])
def test_qpo_configs_load_and_train_the_generator_checkpoint(name, checkpoint_dir):
    cfg = load_config(PIPELINES / name, [f"models.generator.model={checkpoint_dir}"])
    assert cfg.pipeline == "qpo"
    assert cfg.base_model == str(checkpoint_dir)  # base/reference = the QFT checkpoint
    assert cfg.generate.model in cfg.models and cfg.rewrite.model in cfg.models


def test_qpo_needs_the_qft_checkpoint_first():
    with pytest.raises(ConfigError, match="^models.generator.model: .*checkpoint directory"):
        load_config(PIPELINES / "qpo_cpu.yaml", ["models.generator.model=/nonexistent/checkpoint"])


@pytest.mark.parametrize("overrides, key, problem", [
    (["train.bogus=1"], "train.bogus", "not in"),
    (["train.learning_rate=0"], "train.learning_rate", "must be > 0"),
    (["train.lr_scheduler=zigzag"], "train.lr_scheduler", "must be one of"),
    (["train.warmup_ratio=1.5"], "train.warmup_ratio", "must be in [0, 1)"),
    (["train.max_steps=0"], "train.max_steps", "-1 (full epochs) or >= 1"),
    (["train.max_length=8"], "train.max_length", "must be >= 16"),
    (["train.per_device_batch_size=0"], "train.per_device_batch_size", "must be >= 1"),
    (["train.num_epochs=0"], "train.num_epochs", "must be >= 1"),
    (["scaling.num_workers=0"], "scaling.num_workers", "must be >= 1"),
    (["scaling.resources_per_worker={CPU: -1}"], "scaling.resources_per_worker", ">= 0"),
    (["template.prefix=''"], "template.prefix", "must not be empty"),
    (["base_model=/nonexistent/model"], "base_model", "packaged model name"),
    (["base_model=Qwen/Qwen2-Math-7B-Instruct"], "base_model", "with scaling.use_gpu"),
    (["questions.packaged=gsm8k"], "questions.packaged", "must be champ"),
    (["questions.paths=[/nonexistent/q.jsonl]"], "questions", "exactly one of"),
    (["questions.packaged=null", "questions.paths=[/nonexistent/q.jsonl]"],
     "questions.paths[0]", "file not found"),
    (["questions.limit=0"], "questions.limit", "must be >= 1"),
])
def test_bad_qft_values_name_their_key(overrides, key, problem):
    with pytest.raises(ConfigError) as raised:
        load_config(PIPELINES / "qft_cpu.yaml", overrides)
    message = str(raised.value)
    assert message.startswith(key), message
    assert problem in message, message
    assert "\n" not in message


@pytest.mark.parametrize("overrides, key, problem", [
    (["train.beta=0"], "train.beta", "must be > 0"),
    (["train.loss_type=hinge_plus"], "train.loss_type", "must be one of"),
    (["generate.num_questions=0"], "generate.num_questions", "must be >= 1"),
    (["generate.model=critic"], "generate.model", "names no role"),
    (["rewrite.model=critic"], "rewrite.model", "names no role"),
    (["rewrite.solvability_prompt=Make it solvable."], "rewrite.solvability_prompt",
     "must contain {question}"),
    (["rewrite.difficulty_prompt=Make it harder."], "rewrite.difficulty_prompt",
     "must contain {question}"),
    (["rewrite.sampling.top_p=2"], "rewrite.sampling.top_p", "must be in (0, 1]"),
    (["models.optimizer.model=no-such-model"], "models.optimizer.model", "unknown model"),
])
def test_bad_qpo_values_name_their_key(overrides, key, problem, checkpoint_dir):
    with pytest.raises(ConfigError) as raised:
        load_config(PIPELINES / "qpo_cpu.yaml", [f"models.generator.model={checkpoint_dir}",
                                                 *overrides])
    message = str(raised.value)
    assert message.startswith(key), message
    assert problem in message, message


def test_qpo_schema_defaults_carry_paper_style_prompts():
    cfg = OmegaConf.structured(QPOConfig)
    assert "{question}" in cfg.rewrite.solvability_prompt
    assert "{question}" in cfg.rewrite.difficulty_prompt
    assert cfg.generate.sampling.temperature == 1.0 and cfg.generate.sampling.top_p == 0.99


def test_cli_config_errors_are_one_line_and_exit_2(capsys):
    assert main(["train", "qft", str(PIPELINES / "qft_cpu.yaml"), "train.learning_rate=-1"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("synth: config error: train.learning_rate:")
    assert "\n" not in error


def test_a_checkpoint_directory_on_object_storage_is_refused(capsys):
    assert main(["train", "qft", str(PIPELINES / "qft_cpu.yaml"), "run.output_dir=s3://bucket/runs"]) == 2
    error = capsys.readouterr().err.strip()
    assert error == ("synth: config error: output_dir: must be a local path or a shared mount "
                     "(checkpoints are saved and loaded from disk; only run.output_dir may be "
                     "object storage) (got 's3://bucket/runs/qft_cpu/checkpoint')")


def test_cli_kind_must_match_the_config(capsys):
    assert main(["train", "qpo", str(PIPELINES / "qft_cpu.yaml")]) == 2
    assert "synth train qpo needs `pipeline: qpo`" in capsys.readouterr().err


def test_cli_run_points_training_configs_to_synth_train(capsys):
    assert main(["run", str(PIPELINES / "qft_cpu.yaml")]) == 2
    assert "synth train qft" in capsys.readouterr().err


def test_cli_rejects_unknown_training_kinds():
    with pytest.raises(SystemExit) as exited:
        main(["train", "alchemy", str(PIPELINES / "qft_cpu.yaml")])
    assert exited.value.code == 2
