"""Structured configuration: the dataclasses every pipeline YAML is checked against.

OmegaConf merges a YAML file onto these dataclasses, so an unknown key or a value of the wrong
type is rejected before anything runs. Each field says in one line what it is for and why its
default was chosen; `synth.config.validation` adds the checks types alone cannot express.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from omegaconf import MISSING

ENGINES = ("llama_cpp", "transformers", "vllm", "http", "replayed")  # replayed: benchmarks, tests


@dataclass
class SamplingConfig:
    """Sampling settings handed to an engine as each row's `sampling_params`."""

    temperature: float = 0.7  # 0 means greedy decoding
    top_p: float = 0.95  # nucleus sampling mass, in (0, 1]
    max_tokens: int = 512  # new tokens per completion; longer output counts as `truncated`
    stop: List[str] = field(default_factory=list)  # extra stop strings besides the model's EOS


@dataclass
class ModelConfig:
    """One named model role (generator, solver, ...) and the engine that serves it."""

    engine: str = MISSING  # one of llama_cpp | transformers | vllm | http (| replayed: recorded replies, bench/tests)
    model: str = MISSING  # packaged name (smollm2-135m-instruct), a GGUF/checkpoint path, or a hub id (GPU)
    replicas: List[int] = field(default_factory=lambda: [1, 1])  # [min, max] actor-pool size; Ray scales between
    batch_size: int = 4  # rows per engine call; small on CPU so progress stays visible
    num_cpus: float = 1.0  # CPUs Ray reserves per replica; 1 leaves room for Ray Data's own tasks on 2 cores
    num_gpus: float = 0.0  # GPUs per replica (vllm/transformers on GPU)
    accelerator_type: Optional[str] = None  # e.g. A100, L4: pins replicas to that GPU type
    tensor_parallel_size: int = 1  # vllm: GPUs one replica shards a model over
    threads: int = 2  # llama_cpp: CPU threads per replica; 2 matches the embedded 2-core default
    context_length: int = 2048  # prompt + completion tokens one request may use
    enable_prefix_caching: bool = True  # vllm: reuse the shared template prefix across requests
    engine_kwargs: Dict[str, Any] = field(default_factory=dict)  # vllm: passed to the engine unchanged
    url: Optional[str] = None  # http: base URL of an OpenAI-compatible API, e.g. http://host:8000/v1
    api_key_env: Optional[str] = None  # http: name of the environment variable holding the API key
    qps: Optional[float] = None  # http: request rate limit per replica; None means unlimited
    max_retries: int = 3  # http: retries (refused, timed out, 429, 5xx) before the row is an error row
    retry_base_s: float = 1.0  # http: first backoff wait, doubled each retry unless Retry-After says
    concurrency: int = 8  # http: requests one replica keeps in flight
    request_timeout_s: float = 120.0  # http: one request's limit; a slower answer is retried
    max_attempts_per_row: int = 3  # llama_cpp/transformers: a request whose replica died this often becomes an error row


@dataclass
class RunSection:
    """Where a run writes and how it is seeded."""

    name: str = MISSING  # run directory name under output_dir; defaults to the YAML file's stem
    output_dir: str = "runs"  # parent folder of run directories
    seed: int = 0  # base seed; every row derives its own seed from it, so reruns are reproducible
    resume: bool = True  # skip stages whose completion marker exists (same command = resume)


@dataclass
class RaySection:
    """How synth reaches Ray."""

    address: Optional[str] = None  # None starts a local cluster; "auto" joins the one on this node
    num_cpus: Optional[int] = None  # local cluster only: logical CPUs to offer (None: all cores)


@dataclass
class QuestionGenerationConfig:
    """ScaleQuest generation from scratch: the model sees only a chat-template prefix."""

    model: str = "generator"  # model role that writes questions
    num_questions: int = 32  # questions to generate (before any filter)
    template_prefix: str = MISSING  # the user-turn prefix of the generator's chat template
    sampling: SamplingConfig = field(
        default_factory=lambda: SamplingConfig(temperature=1.0, top_p=0.99, max_tokens=512)
    )  # paper: temperature 1.0, top_p 0.99, 512 new tokens


@dataclass
class LanguageFilterConfig:
    """ScaleQuest's first filter: keep non-empty, pure-ASCII questions."""

    enabled: bool = True  # the paper removes ~20% of raw questions here
    min_chars: int = 10  # shorter text cannot state a math problem


@dataclass
class SolveConfig:
    """Sample several solutions per question with a boxed-answer prompt."""

    model: str = "solver"  # model role that writes solutions
    num_samples: int = 5  # paper: 5 samples per question
    prompt: str = "{question}\nPlease reason step by step, and put your final answer within \\boxed{}."  # {question} is replaced
    sampling: SamplingConfig = field(
        default_factory=lambda: SamplingConfig(temperature=0.7, top_p=0.95, max_tokens=2048)
    )  # paper: temperature 0.7, top_p 0.95, 2048 tokens


@dataclass
class ConsensusConfig:
    """Keep questions whose sampled answers agree."""

    min_agreement: float = 0.5  # share of samples in the majority answer class needed to keep a question
    min_votes: int = 2  # samples the majority class needs: a lone answer is never "agreed"
    comparison_timeout_s: float = 5.0  # limit for one symbolic equivalence check (math-verify)


@dataclass
class BenchmarkConfig:
    """One benchmark test set: a shipped copy, a JSONL/Parquet file, or a Hugging Face dataset."""

    name: str = MISSING  # label in reports, drop reasons and eval tables, e.g. gsm8k
    packaged: Optional[str] = None  # gsm8k_test | math_test: copies shipped with synth (work offline)
    path: Optional[str] = None  # a JSONL or Parquet file
    hf_dataset: Optional[str] = None  # a Hugging Face dataset name (needs network or the datasets cache)
    hf_config: Optional[str] = None  # the Hugging Face dataset's config name, if it has several
    split: str = "test"  # Hugging Face split
    question_field: str = "question"  # field holding the question text (MATH files: problem)
    answer_field: Optional[str] = "answer"  # field holding the answer (MATH files: solution)
    answer_format: str = "plain"  # plain | gsm8k (number after ####) | boxed (last \boxed{} of a solution)
    limit: Optional[int] = None  # first N items only, for quick evals


def _packaged_benchmarks() -> List[BenchmarkConfig]:
    return [BenchmarkConfig(name="gsm8k", packaged="gsm8k_test"),
            BenchmarkConfig(name="math", packaged="math_test")]


@dataclass
class DedupConfig:
    """Exact and near-duplicate removal over the whole dataset (MinHash + LSH)."""

    enabled: bool = True  # every pipeline deduplicates by default
    column: str = "question"  # text compared
    ngram_size: int = 3  # word shingles; 3 keeps a question with one changed number near its original
    num_perm: int = 128  # MinHash permutations; more = sharper threshold, more CPU
    threshold: float = 0.7  # estimated Jaccard similarity at which two rows are near-duplicates
    semantic: bool = False  # also drop rows whose sentence embeddings are near (SimHash bands)
    semantic_model: str = "all-minilm-l6-v2"  # packaged embedding model name or a local model dir
    semantic_threshold: float = 0.95  # cosine similarity at which two rows are semantic duplicates
    num_partitions: Optional[int] = None  # hash-shuffle partitions; null: sized from the stage's input


@dataclass
class DecontaminationConfig:
    """Drop rows that copy a benchmark test question, verbatim or lightly edited."""

    enabled: bool = True  # every pipeline decontaminates by default
    columns: List[str] = field(default_factory=lambda: ["question"])  # text checked against benchmarks
    methods: List[str] = field(default_factory=lambda: ["ngram", "masked_ngram"])  # checked in order
    ngram_size: int = 13  # ngram: word n-grams on normalised text; 13 is the common choice (GPT-3 paper)
    masked_ngram_size: int = 4  # masked_ngram: n-grams with numbers and capitalised words masked
    min_containment: float = 0.5  # masked_ngram: share of an item's telling grams found in the row
    min_aligned: float = 0.75  # masked_ngram: share of a short item's words the row repeats in order
    benchmarks: List[BenchmarkConfig] = field(default_factory=_packaged_benchmarks)  # GSM8K + MATH test


@dataclass
class ReportConfig:
    """The run report and the data card written next to the final dataset."""

    gpu_hour_usd: float = 2.0  # price of one GPU-hour, for the projected cost per 1K final pairs
    cpu_hour_usd: float = 0.05  # price of one CPU core-hour (what a CPU-only run costs)
    gpu_tokens_per_second: float = 2500.0  # generated tokens/s of one GPU replica: the 1M-pair projection's speed
    licence: str = "other"  # licence field of the data card; set it to your models' output terms
    dataset_name: Optional[str] = None  # title of the data card; defaults to the run name


DIFFICULTY_MODES = ("cutoff", "histogram")
REWARD_KINDS = ("generative_judge", "reward_model")
REWARD_TASK_TYPES = ("classify", "score")
REWARD_KEEP = ("best", "consensus")


@dataclass
class SolvabilityConfig:
    """ScaleQuest's second filter: a model says Yes/No to "is this question solvable?"."""

    enabled: bool = False  # paper: on (~19% removed); SmolLM2 needs scalequest_cpu.yaml's few-shot raw prompt
    model: str = "solver"  # model role that judges; the paper asks its solver model
    prompt: str = (
        "Is the following math question well-posed and solvable, with all the information "
        "needed to find a single answer?\n\nQuestion: {question}\n\nAnswer Yes or No."
    )  # {question} is replaced
    structured: bool = True  # decode the reply under its JSON schema where the engine can (llama_cpp, vllm, http)
    chat_template: Optional[str] = None  # raw-prompt mode: the chat template (few-shot turns too) around {prompt}
    response_prefix: str = ""  # raw mode: the reply is started with this, e.g. "Answer:"; never read as the verdict
    sampling: SamplingConfig = field(
        default_factory=lambda: SamplingConfig(temperature=0.0, top_p=1.0, max_tokens=2048)
    )  # paper: greedy, up to 2048 tokens (a reasoning judge thinks before its verdict)


@dataclass
class DifficultyConfig:
    """ScaleQuest's third filter: a regression scorer predicts each question's solver fail rate."""

    enabled: bool = False  # needs a checkpoint from `synth train difficulty` first
    model: str = "difficulty_scorer"  # model role whose `model` is the trained checkpoint dir
    mode: str = "cutoff"  # cutoff: drop the easiest; histogram: resample to target_shares
    cutoff: float = 0.1  # cutoff mode: drop questions predicted to fail less often than this
    histogram_edges: List[float] = field(
        default_factory=lambda: [0.0, 1 / 3, 2 / 3, 1.0])  # histogram: bin edges of fail rate
    target_shares: List[float] = field(
        default_factory=lambda: [0.35, 0.54, 0.11])  # per bin; QPO's easy/medium/hard result


@dataclass
class RewardConfig:
    """ScaleQuest's reward filtering: score every sampled solution, keep the best per question."""

    enabled: bool = False  # one scoring pass per candidate; the paper uses a 7B reward model
    kind: str = "generative_judge"  # P("Yes") from a chat model | reward_model (vLLM pooling)
    model: str = "reward"  # model role that scores; reward_model needs engine vllm
    prompt: str = (
        "Question: {question}\n\nSolution: {solution}\n\n"
        "Is this solution correct? Answer Yes or No."
    )  # generative_judge: {question} and {solution} are replaced
    task_type: str = "classify"  # reward_model: ray.data.llm task_type, classify or score
    keep: str = "best"  # best: top-reward answered sample (paper) | consensus: majority + reward


@dataclass
class PipelineBase:
    """What every runnable config has: its kind, where it runs and writes, its model roles."""

    pipeline: str = MISSING  # which schema and stage builder this file uses
    run: RunSection = field(default_factory=RunSection)
    ray: RaySection = field(default_factory=RaySection)
    models: Dict[str, ModelConfig] = field(default_factory=dict)  # role name -> engine + model


@dataclass
class DatasetPipelineBase(PipelineBase):
    """A pipeline that writes a dataset: verified, deduplicated, decontaminated and documented."""

    dedup: DedupConfig = field(default_factory=DedupConfig)
    decontamination: DecontaminationConfig = field(default_factory=DecontaminationConfig)
    report: ReportConfig = field(default_factory=ReportConfig)


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


@dataclass
class EvalConfig(PipelineBase):
    """`synth eval`: one model answers benchmark questions zero-shot; two matching rules score it."""

    pipeline: str = "eval"
    model: str = "model"  # the role under `models` being evaluated
    prompt: str = "{question}\nPlease reason step by step, and put your final answer within \\boxed{}."  # {question} is replaced
    sampling: SamplingConfig = field(
        default_factory=lambda: SamplingConfig(temperature=0.0, top_p=1.0, max_tokens=1024)
    )  # greedy, as benchmark numbers are reported
    benchmarks: List[BenchmarkConfig] = field(default_factory=_packaged_benchmarks)
    comparison_timeout_s: float = 5.0  # limit for one math-verify comparison


@dataclass
class SeedsConfig:
    """Seed problems for the concept-graph methods: packaged CHAMP, a file, or a Hub dataset."""

    packaged: Optional[str] = None  # champ: the champ-dataset package's 270 problems (offline)
    path: Optional[str] = None  # a JSONL or Parquet file
    hf_dataset: Optional[str] = None  # a Hugging Face dataset name (needs network or the datasets cache)
    hf_config: Optional[str] = None  # the Hugging Face dataset's config name, if it has several
    split: str = "train"  # Hugging Face split
    question_field: str = "question"  # field holding the question (MATH files: problem)
    solution_field: Optional[str] = "solution"  # field holding the worked solution, if any (GSM8K: answer)
    topic_field: Optional[str] = None  # seeds' own topic label (CHAMP: category), used instead of model-named topics
    limit: Optional[int] = None  # first N seeds only


@dataclass
class ConceptExtractionConfig:
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
    structured: bool = True  # decode the reply under its JSON schema where the engine can (llama_cpp, vllm, http)
    chat_template: Optional[str] = None  # raw-prompt mode: the model's chat template around {prompt}
    response_prefix: str = ""  # raw mode: the reply is started with this text (small models follow a started format)
    sampling: SamplingConfig = field(
        default_factory=lambda: SamplingConfig(temperature=0.0, top_p=1.0, max_tokens=256)
    )  # greedy: extraction is a reading task


@dataclass
class ConceptGraphConfig:
    """Normalising, merging and linking concepts into the graph the samplers walk."""

    min_count: int = 2  # MathScale drops any topic or KP seen only once; GSDP keeps all (1)
    merge_similar: bool = False  # GSDP: merge near-duplicate KPs by embedding clustering
    embedding_model: str = "all-minilm-l6-v2"  # packaged embedding model name or a local model dir
    merge_threshold: float = 0.9  # cosine similarity at which two KPs are merged into one


@dataclass
class ConceptSamplingConfig:
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


@dataclass
class ConceptGenerationConfig:
    """One call writes a new question and its solution from a concept combination."""

    model: str = "generator"  # model role that writes problems
    num_few_shot: int = 2  # seed examples whose KP sets are closest by Jaccard similarity
    prompt: str = (
        "Write a new math problem that combines these concepts, then solve it step by step and put "
        "the final answer within \\boxed{}.\nTopics: {topics}\nKnowledge points: {knowledge_points}"
        "\n\n{examples}Reply in the form:\nQuestion: <the problem>\nSolution: <the solution>"
    )  # {topics}, {knowledge_points}, {examples} are filled in
    structured: bool = True  # decode the reply under its JSON schema where the engine can (llama_cpp, vllm, http)
    chat_template: Optional[str] = None  # raw-prompt mode: the model's chat template around {prompt}
    response_prefix: str = ""  # raw mode: the reply is started with this text, e.g. "Question:"
    sampling: SamplingConfig = field(
        default_factory=lambda: SamplingConfig(temperature=0.7, top_p=0.95, max_tokens=1024)
    )


@dataclass
class JudgeConfig:
    """One judge model and its weight in the combined score."""

    model: str = MISSING  # model role that judges
    weight: float = 1.0  # share of this judge in the weighted score


@dataclass
class JudgeFilterConfig:
    """GSDP's scoring filter: judges score each problem and vote on its solution."""

    enabled: bool = True  # GSDP keeps ~45% of raw problems here
    judges: List[JudgeConfig] = field(default_factory=list)  # at least one when enabled
    threshold: float = 0.85  # keep when the weighted score (0-1) reaches this
    prompt: str = (
        "Judge this math problem and its solution.\nProblem: {question}\nSolution: {solution}\n\n"
        "Rate the problem's quality (clear, well-posed, solvable) from 0 to 10, and say whether the "
        "solution is correct.\nReply as JSON: {\"score\": <0-10>, \"correct\": <true or false>}"
    )  # {question} and {solution} are filled in
    structured: bool = True  # decode the reply under its JSON schema where the engine can (llama_cpp, vllm, http)
    chat_template: Optional[str] = None  # raw-prompt mode: the model's chat template around {prompt}
    response_prefix: str = ""  # raw mode: the reply is started with this text, e.g. "Score:"
    sampling: SamplingConfig = field(
        default_factory=lambda: SamplingConfig(temperature=0.0, top_p=1.0, max_tokens=64)
    )


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
