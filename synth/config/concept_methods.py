"""Config sections of the concept-graph methods, MathScale and GSDP: seeds, concept
extraction, the graph, combination sampling, problem generation and GSDP's judges."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Dict, List, Optional

from omegaconf import MISSING

from synth.concepts.combination import GSDP_COMBINATION_KINDS
from synth.config.common import DataSource, PackagedSeeds, PromptedSection, SamplingConfig
from synth.config.quality import DatasetPipelineBase
from synth.config.sections import Section, need


@dataclass
class SeedsConfig(DataSource):
    """Seed problems for the concept-graph methods: packaged CHAMP, a file, or a Hub dataset."""

    packaged: Optional[PackagedSeeds] = None  # champ: the champ-dataset package's 270 problems (offline)
    hf_config: Optional[str] = None  # the Hugging Face dataset's config name, if it has several
    split: str = "train"  # Hugging Face split
    question_field: str = "question"  # field holding the question (MATH files: problem)
    solution_field: Optional[str] = "solution"  # field holding the worked solution, if any (GSM8K: answer)
    topic_field: Optional[str] = None  # seeds' own topic label (CHAMP: category), used instead of model-named topics

    def source_label(self) -> str:
        return "seeds"

    def required_fields(self) -> list[str]:
        return [self.question_field, *([self.topic_field] if self.topic_field else [])]


@dataclass
class ConceptExtractionConfig(PromptedSection):
    """An LLM, acting as a math teacher, names the topics and knowledge points a seed tests."""

    model: str = "extractor"  # model role that extracts concepts
    use_solution: bool = False  # MathScale reads the question; GSDP the problem and its solution
    max_topics: int = 2  # MathScale: 1-2 general topics
    max_knowledge_points: int = 5  # MathScale: 1-5 KPs; GSDP: up to ~10
    prompt: str = (
        "You are a math teacher. Read the problem{solution_hint} and name the general topics "
        "(at most {max_topics}) and the specific knowledge points (at most {max_knowledge_points}) "
        "it tests.\nReply with JSON only, like {\"topics\": [\"...\"], \"knowledge_points\": [\"...\"]}."
        "\n\nProblem: {question}{solution}"
    )  # {question}, {solution}, {solution_hint}, {max_topics}, {max_knowledge_points} are filled in
    sampling: SamplingConfig = field(
        default_factory=lambda: SamplingConfig(temperature=0.0, top_p=1.0, max_tokens=256)
    )  # greedy: extraction is a reading task

    role_fields: ClassVar[tuple[str, ...]] = ("model",)
    placeholders: ClassVar[tuple[str, ...]] = ("question",)

    def check(self) -> None:
        need(self.max_topics >= 1, "max_topics", "must be >= 1", self.max_topics)
        need(self.max_knowledge_points >= 1, "max_knowledge_points", "must be >= 1",
             self.max_knowledge_points)
        super().check()


@dataclass
class ConceptGraphConfig(Section):
    """Normalising, merging and linking concepts into the graph the samplers walk."""

    min_count: int = 2  # MathScale drops any topic or KP seen only once; GSDP keeps all (1)
    merge_similar: bool = False  # GSDP: merge near-duplicate KPs by embedding clustering
    embedding_model: str = "all-minilm-l6-v2"  # packaged embedding model name or a local model dir
    merge_threshold: float = 0.9  # cosine similarity at which two KPs are merged into one

    def check(self) -> None:
        need(self.min_count >= 1, "min_count", "must be >= 1", self.min_count)
        need(0 < self.merge_threshold < 1, "merge_threshold", "must be in (0, 1)",
             self.merge_threshold)

    def embedding_models(self) -> dict[str, str]:
        return {"embedding_model": self.embedding_model} if self.merge_similar else {}


@dataclass
class ConceptSamplingConfig(Section):
    """Concept combinations streamed from the graph (MathScale walks or GSDP combinations)."""

    num_combinations: int = 64  # combinations requested before cross-shard dedup
    num_shards: int = 2  # parallel seeded sampler tasks; each samples its share
    topic_steps: List[int] = field(default_factory=lambda: [1, 2])  # MathScale: steps on the topic graph
    kp_steps: List[int] = field(default_factory=lambda: [0, 1, 2, 3, 4])  # MathScale: steps on the KP graph
    allow_revisits: bool = False  # MathScale: whether a walk may return to a visited concept (unspecified)
    mix: Dict[str, float] = field(default_factory=lambda: {
        "one_hop": 0.4, "two_hop": 0.3, "three_hop_core": 0.1, "community": 0.2})  # GSDP combination kinds
    core_quantile: float = 0.9  # GSDP: KPs at or above this degree quantile are "core"
    community_size: List[int] = field(default_factory=lambda: [2, 3])  # GSDP: KPs per community combination

    def check(self) -> None:
        need(self.num_combinations >= 1, "num_combinations", "must be >= 1", self.num_combinations)
        need(self.num_shards >= 1, "num_shards", "must be >= 1", self.num_shards)
        for name in ("topic_steps", "kp_steps", "community_size"):
            values = list(getattr(self, name))
            need(bool(values) and all(v >= 0 for v in values), name,
                 "must be a non-empty list of counts >= 0", values)
        need(min(self.topic_steps) >= 1, "topic_steps", "walks need >= 1 topic step",
             list(self.topic_steps))
        need(min(self.community_size) >= 2, "community_size", "must be >= 2",
             list(self.community_size))
        unknown = sorted(set(self.mix) - set(GSDP_COMBINATION_KINDS))
        need(not unknown, "mix", f"kinds must be among {', '.join(GSDP_COMBINATION_KINDS)}",
             unknown)
        need(all(w >= 0 for w in self.mix.values()) and sum(self.mix.values()) > 0, "mix",
             "weights must be >= 0 with a positive sum", dict(self.mix))
        need(0 <= self.core_quantile < 1, "core_quantile", "must be in [0, 1)", self.core_quantile)


@dataclass
class ConceptGenerationConfig(PromptedSection):
    """One call writes a new question and its solution from a concept combination."""

    model: str = "generator"  # model role that writes problems
    num_few_shot: int = 2  # seed examples whose KP sets are closest by Jaccard similarity
    prompt: str = (
        "Write a new math problem that combines these concepts, then solve it step by step and put "
        "the final answer within \\boxed{}.\nTopics: {topics}\nKnowledge points: {knowledge_points}"
        "\n\n{examples}Reply in the form:\nQuestion: <the problem>\nSolution: <the solution>"
    )  # {topics}, {knowledge_points}, {examples} are filled in
    sampling: SamplingConfig = field(
        default_factory=lambda: SamplingConfig(temperature=0.7, top_p=0.95, max_tokens=1024)
    )

    role_fields: ClassVar[tuple[str, ...]] = ("model",)
    placeholders: ClassVar[tuple[str, ...]] = ("knowledge_points",)

    def check(self) -> None:
        need(self.num_few_shot >= 0, "num_few_shot", "must be >= 0", self.num_few_shot)
        super().check()


@dataclass
class JudgeConfig(Section):
    """One judge model and its weight in the combined score."""

    model: str = MISSING  # model role that judges
    weight: float = 1.0  # share of this judge in the weighted score

    role_fields: ClassVar[tuple[str, ...]] = ("model",)

    def check(self) -> None:
        need(self.weight >= 0, "weight", "must be >= 0", self.weight)


@dataclass
class JudgeFilterConfig(PromptedSection):
    """GSDP's scoring filter: judges score each problem and vote on its solution."""

    enabled: bool = True  # GSDP keeps ~45% of raw problems here
    judges: List[JudgeConfig] = field(default_factory=list)  # at least one when enabled
    threshold: float = 0.85  # keep when the weighted score (0-1) reaches this
    prompt: str = (
        "Judge this math problem and its solution.\nProblem: {question}\nSolution: {solution}\n\n"
        "Rate the problem's quality (clear, well-posed, solvable) from 0 to 10, and say whether the "
        "solution is correct.\nReply as JSON: {\"score\": <0-10>, \"correct\": <true or false>}"
    )  # {question} and {solution} are filled in
    sampling: SamplingConfig = field(
        default_factory=lambda: SamplingConfig(temperature=0.0, top_p=1.0, max_tokens=64)
    )

    placeholders: ClassVar[tuple[str, ...]] = ("question", "solution")

    def roles(self) -> dict[str, str]:
        return {f"judges[{index}].model": judge.model for index, judge in enumerate(self.judges)}

    def check(self) -> None:
        need(len(self.judges) >= 1, "judges", "name at least one judge role", [])
        need(sum(j.weight for j in self.judges) > 0, "judges",
             "weights must have a positive sum", [j.weight for j in self.judges])
        roles = [j.model for j in self.judges]
        need(len(set(roles)) == len(roles), "judges", "judge roles must be unique", roles)
        need(0 <= self.threshold <= 1, "threshold", "must be in [0, 1]", self.threshold)
        super().check()


@dataclass
class MathScalePipelineConfig(DatasetPipelineBase):
    """MathScale: seeds -> concepts -> concept graph -> random walks -> problems -> quality -> write."""

    pipeline: str = "mathscale"
    seeds: SeedsConfig = field(default_factory=SeedsConfig)
    extract: ConceptExtractionConfig = field(default_factory=ConceptExtractionConfig)
    graph: ConceptGraphConfig = field(default_factory=ConceptGraphConfig)
    sample: ConceptSamplingConfig = field(default_factory=ConceptSamplingConfig)
    generate: ConceptGenerationConfig = field(default_factory=ConceptGenerationConfig)
    judge: JudgeFilterConfig = field(default_factory=lambda: JudgeFilterConfig(enabled=False))


@dataclass
class GSDPPipelineConfig(MathScalePipelineConfig):
    """GSDP: seeds + solutions -> KPs -> merged KP graph -> implicit-link combinations -> judges."""

    pipeline: str = "gsdp"
    extract: ConceptExtractionConfig = field(
        default_factory=lambda: ConceptExtractionConfig(use_solution=True, max_knowledge_points=10))
    graph: ConceptGraphConfig = field(
        default_factory=lambda: ConceptGraphConfig(min_count=1, merge_similar=True))
    judge: JudgeFilterConfig = field(default_factory=JudgeFilterConfig)
