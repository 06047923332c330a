"""Solvability filter with a scripted judge on a real local Ray cluster: every verdict shape
(yes, no, garbage, engine error) keeps or drops its question with its own reason."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import ray
from omegaconf import OmegaConf

from synth.config.errors import ConfigError
from synth.config.loading import load_config
from synth.config.scalequest import SolvabilityConfig
from synth.engines.base import Completion
from synth.stages.solvability_filter import SolvabilityFilter, parse_solvable
from tests.config_overrides import QUICKSTART
from tests.scripted_engine import ScriptedEngine


@pytest.mark.parametrize("reply, verdict", [
    ("Yes", True), ("Yes.", True), ("yes, every quantity is given", True), ("**Yes**", True),
    ("No", False), ("No.", False), ("**No** - the price of the apples is missing.", False),
    ("Answer: NO", False), ("The question is clear. Yes, it can be solved.", True),
    ("Not sure; None of this is clear.", None), ("Nobody knows", None), ("", None), (None, None),
    ("I cannot tell.", None),
])
def test_verdict_is_the_first_yes_or_no_word(reply, verdict):
    assert parse_solvable(reply) is verdict


# Question text -> the judge's reply (or an engine failure); the expected drop reason follows.
REPLIES = {
    "How many apples does Ann have if she has 3 and buys 4?": ("Yes.", None),
    "What is the total cost if each pen costs $2 and Tom buys 5?": ("**Yes** - all given.", None),
    "How much does the box weigh?": ("No, the weight of the items is missing.", "unsolvable"),
    "Find x.": ("**No**", "unsolvable"),
    "Compute the area of the triangle with sides 3, 4, 5.": ("Hmm, it depends on the reader.",
                                                              "solvability_unparseable"),
    "What is 12 divided by 4?": ("", "solvability_unparseable"),
    "What is 7 times 8?": (RuntimeError("worker lost"), "engine_error"),
}


CPU_PIPELINE = Path(__file__).resolve().parents[2] / "pipelines" / "scalequest_cpu.yaml"


def cpu_solvability_config():
    """The `solvability:` section SmolLM2 runs with on CPU: a few-shot raw prompt."""
    section = OmegaConf.load(CPU_PIPELINE).solvability
    return OmegaConf.merge(OmegaConf.structured(SolvabilityConfig), section)


def scripted_judge(prompt: str, params: dict) -> Completion:
    assert params["temperature"] == 0.0  # the paper judges greedily
    question = prompt.split("Question: ")[-1].split("\n")[0]  # the last one: after any examples
    reply, _ = REPLIES[question]
    if isinstance(reply, Exception):
        raise reply
    return Completion(reply, 40, 5, "stop")


def questions_dataset() -> ray.data.Dataset:
    return ray.data.from_items([{"id": f"q{i}", "question": q} for i, q in enumerate(REPLIES)])


def run_filter(config, script) -> dict[str, dict]:
    stage = SolvabilityFilter(config, ScriptedEngine("judge", script), run_seed=0)
    return {row["question"]: row for row in stage.apply(questions_dataset()).take_all()}


@pytest.mark.parametrize("config", [
    OmegaConf.structured(SolvabilityConfig),  # the paper's chat prompt (GPU)
    cpu_solvability_config(),  # raw few-shot prompt, the reply started (CPU)
], ids=["chat", "raw_cpu"])
def test_each_verdict_shape_is_kept_or_counted_as_its_own_reason(ray_cluster, config):
    rows = run_filter(config, scripted_judge)
    assert len(rows) == len(REPLIES)
    for question, (_, reason) in REPLIES.items():
        assert rows[question]["drop_reason"] == reason, question
    assert Counter(r["drop_reason"] for r in rows.values()) == {
        None: 2, "unsolvable": 2, "solvability_unparseable": 2, "engine_error": 1}
    assert [rows[q]["solvable"] for q in list(REPLIES)[:4]] == [True, True, False, False]
    assert rows["Find x."]["finish_reason"] == "stop"
    assert rows["What is 7 times 8?"]["solvable"] is None
    assert rows["What is 7 times 8?"]["engine_error"].startswith("RuntimeError")
    leftover = {"messages", "prompt", "sampling_params", "generated_text", "sample_index"}
    assert not leftover & set(rows["Find x."])


def test_raw_prompt_mode_reads_the_verdict_from_the_continuation_only(ray_cluster):
    config = OmegaConf.structured(SolvabilityConfig(
        chat_template="<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n",
        response_prefix="Solvable, yes or no?"))  # the prefix's own "yes" is not a verdict
    seen_prompts = []

    def continues_the_prefix(prompt: str, params: dict) -> Completion:
        seen_prompts.append(prompt)
        return Completion(" No" if "weigh" in prompt else " yes", 40, 2, "stop")

    rows = run_filter(config, continues_the_prefix)
    assert rows["How much does the box weigh?"]["drop_reason"] == "unsolvable"
    assert sum(r["drop_reason"] is None for r in rows.values()) == len(REPLIES) - 1
    assert all(p.endswith("<|im_start|>assistant\nSolvable, yes or no?") for p in seen_prompts)


def test_cpu_pipeline_prompt_is_few_shot_and_raw():
    config = cpu_solvability_config()
    template = config.chat_template
    assert template.count("Answer: Yes") >= 2 and template.count("Answer: No") >= 2
    assert template.endswith("<|im_start|>assistant\n") and config.response_prefix == "Answer:"
    assert config.sampling.temperature == 0.0 and config.sampling.max_tokens <= 8


def test_validation_names_the_key():
    good = ["solvability.enabled=true", "solvability.sampling.max_tokens=8"]
    load_config(QUICKSTART, good)
    with pytest.raises(ConfigError, match="^solvability.model: "):
        load_config(QUICKSTART, [*good, "solvability.model=judge"])
    with pytest.raises(ConfigError, match=r"^solvability.prompt: must contain \{question\}"):
        load_config(QUICKSTART, [*good, "solvability.prompt=Solvable?"])
    with pytest.raises(ConfigError, match="^solvability.sampling.top_p: "):
        load_config(QUICKSTART, [*good, "solvability.sampling.top_p=0"])
    load_config(QUICKSTART, [*good, "solvability.enabled=false", "solvability.model=judge"])
