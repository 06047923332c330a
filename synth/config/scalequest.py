"""Config sections of ScaleQuest: generation from scratch, its filters, solving, the vote.

Each field says in one line what it is for and why its default was chosen (the ScaleQuest
paper, Ding et al. 2024, unless it says otherwise); each section's `check()` adds what types
alone cannot express.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar, List

from omegaconf import MISSING

from synth.config.common import SOLVE_PROMPT, PromptedSection, SamplingConfig
from synth.config.quality import DatasetPipelineBase
from synth.config.sections import Section, need, need_placeholders


@dataclass
class QuestionGenerationConfig(Section):
    """ScaleQuest generation from scratch: the model sees only a chat-template prefix."""

    model: str = "generator"  # model role that writes questions
    num_questions: int = 32  # questions to generate (before any filter)
    template_prefix: str = MISSING  # the user-turn prefix of the generator's chat template
    sampling: SamplingConfig = field(
        default_factory=lambda: SamplingConfig(temperature=1.0, top_p=0.99, max_tokens=512)
    )  # paper: temperature 1.0, top_p 0.99, 512 new tokens

    role_fields: ClassVar[tuple[str, ...]] = ("model",)

    def check(self) -> None:
        need(self.num_questions >= 1, "num_questions", "must be >= 1", self.num_questions)
        need(bool(self.template_prefix), "template_prefix", "must not be empty",
             self.template_prefix)


@dataclass
class LanguageFilterConfig(Section):
    """ScaleQuest's first filter: keep non-empty, pure-ASCII questions."""

    enabled: bool = True  # the paper removes ~20% of raw questions here
    min_chars: int = 10  # shorter text cannot state a math problem

    def check(self) -> None:
        need(self.min_chars >= 0, "min_chars", "must be >= 0", self.min_chars)


@dataclass
class SolvabilityConfig(PromptedSection):
    """ScaleQuest's second filter: a model says Yes/No to "is this question solvable?"."""

    enabled: bool = False  # paper: on (~19% removed); SmolLM2 needs scalequest_cpu.yaml's few-shot raw prompt
    model: str = "solver"  # model role that judges; the paper asks its solver model
    prompt: str = (
        "Is the following math question well-posed and solvable, with all the information "
        "needed to find a single answer?\n\nQuestion: {question}\n\nAnswer Yes or No."
    )  # {question} is replaced
    sampling: SamplingConfig = field(
        default_factory=lambda: SamplingConfig(temperature=0.0, top_p=1.0, max_tokens=2048)
    )  # paper: greedy, up to 2048 tokens (a reasoning judge thinks before its verdict)

    role_fields: ClassVar[tuple[str, ...]] = ("model",)
    placeholders: ClassVar[tuple[str, ...]] = ("question",)


class DifficultyMode(StrEnum):
    """How the difficulty filter uses the scorer's predicted fail rates."""

    cutoff = "cutoff"  # drop the easiest questions
    histogram = "histogram"  # resample to target shares per difficulty bin


@dataclass
class DifficultyConfig(Section):
    """ScaleQuest's third filter: a regression scorer predicts each question's solver fail rate."""

    enabled: bool = False  # needs a checkpoint from `synth train difficulty` first
    model: str = "difficulty_scorer"  # model role whose `model` is the trained checkpoint dir
    mode: DifficultyMode = DifficultyMode.cutoff  # cutoff: drop the easiest; histogram: resample to target_shares
    cutoff: float = 0.1  # cutoff mode: drop questions predicted to fail less often than this
    histogram_edges: List[float] = field(
        default_factory=lambda: [0.0, 1 / 3, 2 / 3, 1.0])  # histogram: bin edges of fail rate
    target_shares: List[float] = field(
        default_factory=lambda: [0.35, 0.54, 0.11])  # per bin; QPO's easy/medium/hard result

    role_fields: ClassVar[tuple[str, ...]] = ("model",)
    scores: ClassVar[bool] = True

    def check(self) -> None:
        if self.mode != DifficultyMode.histogram:
            return
        edges, shares = list(self.histogram_edges), list(self.target_shares)
        need(len(edges) >= 2 and all(a < b for a, b in zip(edges, edges[1:])),
             "histogram_edges", "must be >= 2 increasing edges", edges)
        need(len(shares) == len(edges) - 1, "target_shares",
             f"needs one share per bin ({len(edges) - 1})", shares)
        need(all(s >= 0 for s in shares) and sum(shares) > 0, "target_shares",
             "must be >= 0 with a positive sum", shares)


@dataclass
class SolveConfig(Section):
    """Sample several solutions per question with a boxed-answer prompt."""

    model: str = "solver"  # model role that writes solutions
    num_samples: int = 5  # paper: 5 samples per question
    prompt: str = SOLVE_PROMPT  # {question} is replaced
    sampling: SamplingConfig = field(
        default_factory=lambda: SamplingConfig(temperature=0.7, top_p=0.95, max_tokens=2048)
    )  # paper: temperature 0.7, top_p 0.95, 2048 tokens

    role_fields: ClassVar[tuple[str, ...]] = ("model",)

    def check(self) -> None:
        need(self.num_samples >= 1, "num_samples", "must be >= 1", self.num_samples)
        need_placeholders("prompt", self.prompt, "question")


class RewardKind(StrEnum):
    """What scores a sampled solution."""

    generative_judge = "generative_judge"  # P("Yes") from any chat model
    reward_model = "reward_model"  # a reward model through ray.data.llm's vLLM pooling


class RewardTaskType(StrEnum):
    """The ray.data.llm task a reward model runs."""

    classify = "classify"
    score = "score"


class RewardKeep(StrEnum):
    """Which sample of a question the reward filter keeps."""

    best = "best"  # the top-reward answered sample (paper)
    consensus = "consensus"  # the majority answer, its best-rewarded sample


@dataclass
class RewardConfig(Section):
    """ScaleQuest's reward filtering: score every sampled solution, keep the best per question."""

    enabled: bool = False  # one scoring pass per candidate; the paper uses a 7B reward model
    kind: RewardKind = RewardKind.generative_judge  # P("Yes") from a chat model | reward_model (vLLM pooling)
    model: str = "reward"  # model role that scores; reward_model needs engine vllm
    prompt: str = (
        "Question: {question}\n\nSolution: {solution}\n\n"
        "Is this solution correct? Answer Yes or No."
    )  # generative_judge: {question} and {solution} are replaced
    task_type: RewardTaskType = RewardTaskType.classify  # reward_model: ray.data.llm task_type, classify or score
    keep: RewardKeep = RewardKeep.best  # best: top-reward answered sample (paper) | consensus: majority + reward

    role_fields: ClassVar[tuple[str, ...]] = ("model",)
    scores: ClassVar[bool] = True

    def check(self) -> None:
        if self.kind == RewardKind.generative_judge:
            need_placeholders("prompt", self.prompt, "question", "solution")


@dataclass
class ConsensusConfig(Section):
    """Keep questions whose sampled answers agree."""

    min_agreement: float = 0.5  # share of samples in the majority answer class needed to keep a question
    min_votes: int = 2  # samples the majority class needs: a lone answer is never "agreed"
    comparison_timeout_s: float = 5.0  # limit for one symbolic equivalence check (math-verify)

    def check(self) -> None:
        need(0 <= self.min_agreement <= 1, "min_agreement", "must be in [0, 1]",
             self.min_agreement)
        need(self.comparison_timeout_s > 0, "comparison_timeout_s", "must be > 0",
             self.comparison_timeout_s)
        need(self.min_votes >= 1, "min_votes", "must be >= 1", self.min_votes)


@dataclass
class ScaleQuestPipelineConfig(DatasetPipelineBase):
    """The ScaleQuest-style pipeline: generate from scratch -> filter -> solve -> agree -> write."""

    pipeline: str = "scalequest"
    generate: QuestionGenerationConfig = field(default_factory=QuestionGenerationConfig)
    language_filter: LanguageFilterConfig = field(default_factory=LanguageFilterConfig)
    solvability: SolvabilityConfig = field(default_factory=SolvabilityConfig)
    difficulty: DifficultyConfig = field(default_factory=DifficultyConfig)
    solve: SolveConfig = field(default_factory=SolveConfig)
    reward: RewardConfig = field(default_factory=RewardConfig)
    consensus: ConsensusConfig = field(default_factory=ConsensusConfig)
