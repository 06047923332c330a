"""Every shipped pipeline YAML loads, validates and wires its stages (GPU ones too, no GPU
needed), and the concept-method and quality sections reject bad values by key."""

from __future__ import annotations

from pathlib import Path

import pytest

from synth.cli import main
from synth.config.errors import ConfigError
from synth.config.loading import load_config
from synth.pipelines import build_stages

PIPELINES = Path(__file__).resolve().parents[2] / "pipelines"
RUN_PIPELINES = sorted(p for p in PIPELINES.glob("*.yaml")
                       if not p.stem.startswith(("eval", "qft", "qpo", "difficulty", "scalequest")))
# eval and training configs run no stage plan; scalequest*.yaml serve checkpoints `synth train` writes first


@pytest.mark.parametrize("path", RUN_PIPELINES, ids=lambda p: p.stem)
def test_pipeline_builds_its_stage_plan(path):
    cfg = load_config(path)
    stages = build_stages(cfg)
    names = [stage.name for stage in stages]
    assert names[-1] == "final_pairs"
    assert "dedup" in names and "decontaminate" in names  # quality on by default everywhere
    for stage in stages:
        assert stage.describe()


def test_concept_plans_follow_the_methods():
    mathscale = [s.name for s in build_stages(load_config(PIPELINES / "mathscale_cpu.yaml"))]
    assert mathscale[:5] == ["load_seeds", "extract_concepts", "concept_graph",
                             "sample_combinations", "generate_from_concepts"]
    gsdp = [s.name for s in build_stages(load_config(PIPELINES / "gsdp_cpu.yaml"))]
    assert "judge_filter" in gsdp and gsdp.index("judge_filter") < gsdp.index("dedup")


@pytest.mark.parametrize("overrides, key", [
    (["seeds.path=/no/such/seeds.jsonl"], "seeds"),
    (["seeds.packaged=gsm8k"], "seeds.packaged"),
    (["sample.mix={bogus: 1.0}"], "sample.mix"),
    (["sample.topic_steps=[0]"], "sample.topic_steps"),
    (["graph.merge_threshold=1.5"], "graph.merge_threshold"),
    (["judge.threshold=2"], "judge.threshold"),
    (["judge.judges=[{model: nobody}]"], "judge.judges[0].model"),
    (["generate.prompt=no placeholders"], "generate.prompt"),
    (["dedup.threshold=1.0"], "dedup.threshold"),
    (["decontamination.ngram_size=0"], "decontamination.ngram_size"),
])
def test_bad_concept_values_name_their_key(overrides, key):
    with pytest.raises(ConfigError) as error:
        load_config(PIPELINES / "gsdp_cpu.yaml", overrides)
    assert str(error.value).startswith(key)


def test_benchmark_sources_are_checked_before_anything_runs(tmp_path):
    with pytest.raises(ConfigError, match=r"decontamination.benchmarks\[0\].path: file not found"):
        load_config(PIPELINES / "quickstart.yaml",
                    ["decontamination.benchmarks=[{name: x, path: /no/such.jsonl}]"])
    with pytest.raises(ConfigError, match=r"exactly one of packaged \(gsm8k_test, math_test\), path"):
        load_config(PIPELINES / "quickstart.yaml",
                    ["decontamination.benchmarks=[{name: x}]"])


@pytest.mark.parametrize("name, last_stages", [
    ("scalequest_cpu", ["solvability_filter", "difficulty_filter", "solve", "reward_scoring",
                        "best_of_n", "final_pairs"]),
    ("scalequest", ["solvability_filter", "difficulty_filter", "solve", "reward_scoring",
                    "best_of_n", "final_pairs"]),
])
def test_scalequest_recipes_wire_every_filter(name, last_stages, tmp_path):
    """The recipes serve checkpoints `synth train` writes; stand-ins check the wiring."""
    stand_ins = [f"models.difficulty_scorer.model={tmp_path}"]  # a directory, never loaded here
    if name == "scalequest_cpu":
        stand_ins.append("models.generator.model=smollm2-135m-instruct")
    names = [s.name for s in build_stages(load_config(PIPELINES / f"{name}.yaml", stand_ins))]
    assert names[-len(last_stages):] == last_stages
    assert names[:4] == ["generate_questions", "language_filter", "dedup", "decontaminate"]


def test_cpu_generator_is_trained_and_served_with_one_template_prefix(tmp_path):
    """QFT trains on prefix + question, QPO's pairs start from the prefix, and generation
    continues it: all three CPU files must name the same prefix."""
    qft = load_config(PIPELINES / "qft_cpu.yaml").template.prefix
    served = load_config(PIPELINES / "scalequest_cpu.yaml", [
        f"models.difficulty_scorer.model={tmp_path}", "models.generator.model=smollm2-135m-instruct"])
    qpo = load_config(PIPELINES / "qpo_cpu.yaml", ["models.generator.model=smollm2-135m-instruct"])
    assert qft == qpo.template.prefix == served.generate.template_prefix


def test_scalequest_gpu_dry_run_lists_every_model_stage_on_gpus(tmp_path, capsys):
    """`synth run pipelines/scalequest.yaml --dry-run` (the difficulty checkpoint stood in for)
    prints the whole plan, every model-serving stage with its GPU replicas."""
    code = main(["run", str(PIPELINES / "scalequest.yaml"), "--dry-run",
                 f"models.difficulty_scorer.model={tmp_path}"])
    assert code == 0
    plan = [line.strip() for line in capsys.readouterr().out.splitlines() if line.startswith("  ")]
    stages = {line.split(". ", 1)[1].split()[0]: line for line in plan}
    assert list(stages) == ["generate_questions", "language_filter", "dedup", "decontaminate",
                            "solvability_filter", "difficulty_filter", "solve", "reward_scoring",
                            "best_of_n", "final_pairs"]
    for stage in ("generate_questions", "solvability_filter", "difficulty_filter", "solve",
                  "reward_scoring"):
        assert "1 GPU per replica" in stages[stage], stages[stage]
    assert "vllm" in stages["solve"] and "vllm" in stages["solvability_filter"]
