"""Every class of bad configuration gives one clear error naming the key, before Ray starts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from synth.config.errors import ConfigError
from synth.config.loading import load_config

QUICKSTART = Path(__file__).resolve().parents[2] / "pipelines" / "quickstart.yaml"


def test_quickstart_loads_with_defaults_and_overrides():
    cfg = load_config(QUICKSTART, ["solve.num_samples=3", "run.name=custom"])
    assert cfg.solve.num_samples == 3
    assert cfg.run.name == "custom"
    assert cfg.solve.sampling.top_p == 0.95
    assert cfg.models.generator.engine == "llama_cpp"


def test_run_name_defaults_to_file_stem():
    assert load_config(QUICKSTART).run.name == "quickstart"


@pytest.mark.parametrize("overrides, key, problem", [
    (["bogus=1"], "bogus", "not in"),
    (["solve.bogus=1"], "solve.bogus", "not in"),
    (["solve.num_samples=many"], "solve.num_samples", "could not be converted"),
    (["solve.num_samples=-1"], "solve.num_samples", "must be >= 1"),
    (["generate.num_questions=0"], "generate.num_questions", "must be >= 1"),
    (["solve.sampling.temperature=-0.1"], "solve.sampling.temperature", "must be >= 0"),
    (["generate.sampling.top_p=1.5"], "generate.sampling.top_p", "must be in (0, 1]"),
    (["solve.sampling.max_tokens=0"], "solve.sampling.max_tokens", "must be >= 1"),
    (["consensus.min_agreement=2"], "consensus.min_agreement", "must be in [0, 1]"),
    (["solve.num_samples=1"], "consensus.min_votes", "needs solve.num_samples >= 2"),
    (["consensus.min_votes=5"], "consensus.min_votes", "needs solve.num_samples >= 5 (it is 4)"),
    (["models.solver.replicas=[3,1]"], "models.solver.replicas", "1 <= min <= max"),
    (["ray.num_cpus=2", "models.solver.replicas=[2,2]"], "models.solver.num_cpus",
     "would hang"),  # two 1-CPU replicas hold both CPUs: nothing could read their input
    (["models.solver.engine=tensorrt"], "models.solver.engine", "must be one of"),
    (["models.solver.model=no-such-model"], "models.solver.model", "unknown model"),
    (["models.solver.model=/nonexistent/model.gguf"], "models.solver.model", "unknown model"),
    (["solve.model=critic"], "solve.model", "names no role"),
    (["solve.prompt=Solve it"], "solve.prompt", "must contain {question}"),
    (["pipeline=alchemy"], "pipeline", "unknown pipeline"),
    (["models.solver.engine=http"], "models.solver.url", "base URL"),
    (["models.solver.engine=http", "models.solver.url=http://127.0.0.1:1/v1",
      "models.solver.api_key_env=SYNTH_TEST_UNSET_KEY"], "models.solver.api_key_env", "not set"),
    (["models.solver.engine=transformers", "models.solver.model=/nonexistent/checkpoint"],
     "models.solver.model", "checkpoint directory"),
    (["run.name=a/b"], "run.name", "plain directory name"),
    (["not-an-override"], "override", "key=value"),
])
def test_bad_values_name_their_key(overrides, key, problem):
    with pytest.raises(ConfigError) as raised:
        load_config(QUICKSTART, overrides)
    message = str(raised.value)
    assert message.startswith(key), message
    assert problem in message, message
    assert "\n" not in message


def test_replicas_may_fill_the_cluster_with_a_logical_share_or_on_a_remote_one():
    assert load_config(QUICKSTART, ["ray.num_cpus=2", "models.solver.replicas=[2,2]",
                                    "models.solver.num_cpus=0.5"])
    assert load_config(QUICKSTART, ["ray.address=auto", "models.solver.replicas=[8,8]"])


def test_missing_config_file():
    with pytest.raises(ConfigError, match="config file not found"):
        load_config("pipelines/does-not-exist.yaml")


def test_malformed_yaml(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("pipeline: scalequest\nmodels: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)


def test_unknown_key_in_yaml_file(tmp_path):
    bad = tmp_path / "typo.yaml"
    bad.write_text(QUICKSTART.read_text().replace("consensus:", "consensuss:"))
    with pytest.raises(ConfigError, match="consensuss"):
        load_config(bad)


def test_cli_reports_one_line_and_exit_code_2(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "synth.cli", "run", str(QUICKSTART), "solve.num_samples=-2",
         f"run.output_dir={tmp_path}"],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "synth: config error: solve.num_samples: must be >= 1 (got -2)"]
    assert not any(tmp_path.iterdir()), "nothing may be written for a bad config"


def test_cli_dry_run_prints_plan_and_starts_nothing(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "synth.cli", "run", str(QUICKSTART), "--dry-run",
         f"run.output_dir={tmp_path}"],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for stage in ("generate_questions", "language_filter", "solve", "consensus", "final_pairs"):
        assert stage in result.stdout
    assert "llama_cpp smollm2-135m-instruct" in result.stdout
    assert not any(tmp_path.iterdir())
