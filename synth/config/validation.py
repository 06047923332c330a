"""Checks that types alone cannot express: ranges, references between sections, files, models.

Each failed check raises `ConfigError("<key>: <what is wrong> (got <value>)")`, so the user
sees which key to fix without reading a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from synth.benchmarks.benchmark_sets import ANSWER_FORMATS, PACKAGED_BENCHMARKS
from synth.config.checks import (
    check_prompt,
    check_reply_mode,
    check_role,
    check_sampling,
    require,
)
from synth.config.errors import ConfigError
from synth.config.scalequest_filters_schema import (
    validate_difficulty,
    validate_difficulty_training,
    validate_reward,
    validate_solvability,
)
from synth.config.schema import ENGINES
from synth.data_files import check_data_file
from synth.embeddings import EmbeddingModelNotFoundError, resolve_embedding_model
from synth.engines.context_limits import trained_context_length
from synth.engines.packaged_models import (
    PACKAGED_GGUF_MODELS,
    ModelNotFoundError,
    resolve_gguf,
)
from synth.engines.replayed_replies import RepliesFileError, describe_replies_file
from synth.stages.load_seeds import PACKAGED_SEEDS


def validate(cfg: DictConfig) -> None:
    """Validate a merged pipeline config; raises ConfigError on the first problem."""
    _check_run(cfg)
    if cfg.pipeline == "difficulty":
        validate_difficulty_training(cfg)
        return
    if cfg.pipeline in TRAINING_PIPELINES:
        _check_training(cfg)
        return
    _check_models(cfg.models)
    _check_replayed_roles(cfg)
    _check_context_fits(cfg)
    _check_local_cpu_budget(cfg)
    if cfg.pipeline == "scalequest":
        _check_scalequest(cfg)
        validate_solvability(cfg.solvability, cfg.models)
        validate_difficulty(cfg.difficulty, cfg.models)
        validate_reward(cfg.reward, cfg.models)
        _check_quality(cfg)
    elif cfg.pipeline == "eval":
        _check_eval(cfg)
    elif cfg.pipeline in ("mathscale", "gsdp"):
        _check_concept_method(cfg)
        _check_quality(cfg)


def _check_run(cfg: DictConfig) -> None:
    name = cfg.run.name
    require(bool(name) and "/" not in name and name not in (".", ".."), "run.name",
             "must be a plain directory name", name)
    require(cfg.ray.num_cpus is None or cfg.ray.num_cpus >= 1, "ray.num_cpus", "must be >= 1",
             cfg.ray.num_cpus)
    require(bool(cfg.run.output_dir), "run.output_dir", "must not be empty", cfg.run.output_dir)
    _check_storage_scheme(str(cfg.run.output_dir))


def _check_storage_scheme(location: str) -> None:
    """A URI output_dir needs its fsspec filesystem installed; say which package, before work."""
    import fsspec

    if "://" not in location:
        return
    protocol = location.split("://", 1)[0]
    try:
        fsspec.get_filesystem_class(protocol)
    except (ImportError, ValueError) as error:
        raise ConfigError(f"run.output_dir: {location!r}: no filesystem for {protocol}:// "
                          f"({error}); for s3:// and gs:// install synth[cloud]") from None


def _check_models(models: DictConfig) -> None:
    require(len(models) > 0, "models", "at least one model role is required", dict(models))
    for role, model in models.items():
        key = f"models.{role}"
        require(model.engine in ENGINES, f"{key}.engine", f"must be one of {', '.join(ENGINES)}",
                 model.engine)
        replicas = list(model.replicas)
        require(len(replicas) == 2 and 1 <= replicas[0] <= replicas[1], f"{key}.replicas",
                 "must be [min, max] with 1 <= min <= max", replicas)
        require(model.batch_size >= 1, f"{key}.batch_size", "must be >= 1", model.batch_size)
        require(model.num_cpus >= 0, f"{key}.num_cpus", "must be >= 0", model.num_cpus)
        require(model.num_gpus >= 0, f"{key}.num_gpus", "must be >= 0", model.num_gpus)
        require(model.threads >= 1, f"{key}.threads", "must be >= 1", model.threads)
        require(model.context_length >= 16, f"{key}.context_length", "must be >= 16",
                 model.context_length)
        require(model.tensor_parallel_size >= 1, f"{key}.tensor_parallel_size", "must be >= 1",
                 model.tensor_parallel_size)
        require(model.max_retries >= 0, f"{key}.max_retries", "must be >= 0", model.max_retries)
        require(model.qps is None or model.qps > 0, f"{key}.qps", "must be > 0 (or null: unlimited)",
                 model.qps)
        require(model.retry_base_s >= 0, f"{key}.retry_base_s", "must be >= 0", model.retry_base_s)
        require(model.concurrency >= 1, f"{key}.concurrency", "must be >= 1", model.concurrency)
        require(model.request_timeout_s > 0, f"{key}.request_timeout_s", "must be > 0",
                 model.request_timeout_s)
        require(model.max_attempts_per_row >= 1, f"{key}.max_attempts_per_row", "must be >= 1",
                 model.max_attempts_per_row)
        _check_model_source(key, model)
        trained = trained_context_length(model.engine, model.model)
        require(trained is None or model.context_length <= trained, f"{key}.context_length",
                f"exceeds the {trained} tokens {model.model} was trained for", model.context_length)


def _check_replayed_roles(cfg: DictConfig) -> None:
    """A replayed role answers with what its file records: scores for the difficulty and reward
    scorers, text for every other role."""
    scorers = {section.model for name in ("difficulty", "reward")
               if (section := cfg.get(name)) is not None and section.get("enabled")}
    for role, model in cfg.models.items():
        if model.engine != "replayed":
            continue
        wanted = "score" if role in scorers else "text"
        kind, _ = describe_replies_file(str(Path(model.model).expanduser()))
        require(kind == wanted, f"models.{role}.model",
                f"a replayed {'scorer' if wanted == 'score' else 'completion'} role needs a "
                f"replies file with a `{wanted}` column", model.model)


def _check_context_fits(cfg: DictConfig) -> None:
    """Every stage's `max_tokens` leaves room for a prompt in its role's context: a plan whose
    every request would overflow fails here, not as a batch of engine errors."""
    for key, node in _sections_with_sampling(cfg):
        roles = [node[name] for name in ("model", "solver") if isinstance(node.get(name), str)]
        roles += [judge.model for judge in node.get("judges") or []]
        for role in roles:
            model = cfg.models.get(role)
            if model is None or model.engine == "http":
                continue
            require(node.sampling.max_tokens < model.context_length, f"{key}.sampling.max_tokens",
                    f"leaves no room for a prompt in models.{role}.context_length "
                    f"({model.context_length})", node.sampling.max_tokens)


def _sections_with_sampling(node: DictConfig, key: str = "") -> Iterator[tuple[str, DictConfig]]:
    """(dotted key, section) of every enabled section under `node` with `sampling` settings."""
    if node.get("enabled") is False:
        return
    if "sampling" in node and isinstance(node.sampling, DictConfig) and "max_tokens" in node.sampling:
        yield key or "sampling", node
    for name, child in node.items():
        if isinstance(child, DictConfig) and name not in ("models", "sampling"):
            yield from _sections_with_sampling(child, f"{key}.{name}" if key else str(name))


def _check_local_cpu_budget(cfg: DictConfig) -> None:
    """A CPU model pool must leave the local cluster a CPU for Ray Data's reads and writes.

    Replicas hold their logical CPUs for the whole stage; when the pool's minimum takes every
    CPU, the read task that feeds it can never be scheduled and the run hangs silently (seen
    with replicas [2, 2] x 1 CPU on 2 cores). Only the local cluster's size is known here.
    """
    if cfg.ray.address is not None or os.environ.get("RAY_ADDRESS"):
        return
    cpus = cfg.ray.num_cpus or os.cpu_count() or 1
    for role, model in cfg.models.items():
        reserved = model.replicas[0] * model.num_cpus
        require(model.num_gpus > 0 or reserved < cpus, f"models.{role}.num_cpus",
                f"{model.replicas[0]} replicas x {model.num_cpus:g} CPUs take all {cpus} CPUs of "
                "the local cluster and leave none for reading their input, so the stage would "
                "hang; lower num_cpus (a logical share: threads sets the real parallelism) or "
                "replicas", model.num_cpus)


def _check_model_source(key: str, model: DictConfig) -> None:
    """Unknown models fail here, before Ray starts, not inside an actor minutes later."""
    if model.engine == "llama_cpp":
        try:
            resolve_gguf(model.model)
        except ModelNotFoundError as error:
            raise ConfigError(f"{key}.model: {error}") from None
    elif model.engine == "transformers":
        is_packaged = model.model in PACKAGED_GGUF_MODELS
        require(is_packaged or Path(model.model).expanduser().is_dir(), f"{key}.model",
                 "must be a packaged model name or a local Hugging Face checkpoint directory",
                 model.model)
    elif model.engine == "replayed":
        try:
            describe_replies_file(str(Path(model.model).expanduser()))
        except RepliesFileError as error:
            raise ConfigError(f"{key}.model: {model.model}: {error}") from None
    elif model.engine == "http":
        url = model.url or ""
        require(url.startswith(("http://", "https://")), f"{key}.url",
                 "the http engine needs the base URL of an OpenAI-compatible API", model.url)
        if model.api_key_env:
            require(model.api_key_env in os.environ, f"{key}.api_key_env",
                     "names an environment variable that is not set", model.api_key_env)
    require(bool(model.model), f"{key}.model", "must not be empty", model.model)






def _check_scalequest(cfg: DictConfig) -> None:
    check_role("generate.model", cfg.generate.model, cfg.models)
    require(cfg.generate.num_questions >= 1, "generate.num_questions", "must be >= 1",
             cfg.generate.num_questions)
    require(bool(cfg.generate.template_prefix), "generate.template_prefix", "must not be empty",
             cfg.generate.template_prefix)
    check_sampling("generate.sampling", cfg.generate.sampling)
    require(cfg.language_filter.min_chars >= 0, "language_filter.min_chars", "must be >= 0",
             cfg.language_filter.min_chars)
    check_role("solve.model", cfg.solve.model, cfg.models)
    require(cfg.solve.num_samples >= 1, "solve.num_samples", "must be >= 1", cfg.solve.num_samples)
    require("{question}" in cfg.solve.prompt, "solve.prompt", "must contain {question}",
             cfg.solve.prompt)
    check_sampling("solve.sampling", cfg.solve.sampling)
    require(0 <= cfg.consensus.min_agreement <= 1, "consensus.min_agreement", "must be in [0, 1]",
             cfg.consensus.min_agreement)
    require(cfg.consensus.comparison_timeout_s > 0, "consensus.comparison_timeout_s", "must be > 0",
             cfg.consensus.comparison_timeout_s)
    require(cfg.consensus.min_votes >= 1, "consensus.min_votes", "must be >= 1",
            cfg.consensus.min_votes)
    votes_by_consensus = not (cfg.reward.enabled and cfg.reward.keep == "best")
    require(not votes_by_consensus or cfg.solve.num_samples >= cfg.consensus.min_votes,
            "consensus.min_votes", f"needs solve.num_samples >= {cfg.consensus.min_votes} "
            f"(it is {cfg.solve.num_samples}): no question could reach min_votes agreeing answers",
            cfg.consensus.min_votes)


def _check_data_source(key: str, section: DictConfig, packaged: tuple[str, ...], label: str,
                       fields: list[str]) -> None:
    """Exactly one of packaged/path/hf_dataset, and a file that exists, reads and holds
    `fields` (data_files.check_data_file, reported as `label`): a typo in a benchmark or seed
    source, or a bad file, fails before any model loads."""
    sources = [name for name in ("packaged", "path", "hf_dataset") if section[name]]
    require(len(sources) == 1, key,
             f"needs exactly one of packaged ({', '.join(packaged)}), path, hf_dataset",
             sources or None)
    if section.packaged:
        require(section.packaged in packaged, f"{key}.packaged",
                 f"must be one of {', '.join(packaged)}", section.packaged)
    if section.path:
        path = Path(section.path).expanduser()
        require(path.is_file(), f"{key}.path", "file not found", section.path)
        require(path.suffix in (".jsonl", ".json", ".parquet", ".gz"), f"{key}.path",
                 "must be a .jsonl or .parquet file", section.path)
        check_data_file(label, section.path, fields)
    require(section.limit is None or section.limit >= 1, f"{key}.limit", "must be >= 1",
             section.limit)


def _check_benchmark(key: str, benchmark: DictConfig) -> None:
    _check_data_source(key, benchmark, PACKAGED_BENCHMARKS, f"benchmark {benchmark.name}",
                       [benchmark.question_field])
    require(benchmark.answer_format in ANSWER_FORMATS, f"{key}.answer_format",
             f"must be one of {', '.join(ANSWER_FORMATS)}", benchmark.answer_format)


def _check_benchmarks(key: str, benchmarks: Any) -> None:
    names = [b.name for b in benchmarks]
    require(len(set(names)) == len(names), key, "benchmark names must be unique", names)
    for index, benchmark in enumerate(benchmarks):
        _check_benchmark(f"{key}[{index}]", benchmark)


def _check_quality(cfg: DictConfig) -> None:
    dedup = cfg.dedup
    require(dedup.ngram_size >= 1, "dedup.ngram_size", "must be >= 1", dedup.ngram_size)
    require(dedup.num_perm >= 16, "dedup.num_perm", "must be >= 16", dedup.num_perm)
    require(0 < dedup.threshold < 1, "dedup.threshold", "must be in (0, 1)", dedup.threshold)
    require(0 < dedup.semantic_threshold < 1, "dedup.semantic_threshold", "must be in (0, 1)",
             dedup.semantic_threshold)
    require(dedup.num_partitions is None or dedup.num_partitions >= 1, "dedup.num_partitions",
             "must be >= 1 (or null: sized from the data)",
             dedup.num_partitions)
    if dedup.enabled and dedup.semantic:
        try:
            resolve_embedding_model(dedup.semantic_model)
        except EmbeddingModelNotFoundError as error:
            raise ConfigError(f"dedup.semantic_model: {error}") from None
    decontamination = cfg.decontamination
    require(decontamination.ngram_size >= 1, "decontamination.ngram_size", "must be >= 1",
             decontamination.ngram_size)
    require(len(decontamination.columns) >= 1, "decontamination.columns",
             "name at least one text column", list(decontamination.columns))
    methods = list(decontamination.methods)
    require(len(methods) >= 1 and set(methods) <= {"ngram", "masked_ngram"},
            "decontamination.methods", "must name one or more of ngram, masked_ngram", methods)
    require(decontamination.masked_ngram_size >= 2, "decontamination.masked_ngram_size",
            "must be >= 2", decontamination.masked_ngram_size)
    for key in ("min_containment", "min_aligned"):
        require(0 < decontamination[key] <= 1, f"decontamination.{key}", "must be in (0, 1]",
                decontamination[key])
    if decontamination.enabled:
        _check_benchmarks("decontamination.benchmarks", decontamination.benchmarks)
    require(cfg.report.gpu_hour_usd >= 0, "report.gpu_hour_usd", "must be >= 0",
             cfg.report.gpu_hour_usd)
    require(cfg.report.cpu_hour_usd >= 0, "report.cpu_hour_usd", "must be >= 0",
             cfg.report.cpu_hour_usd)
    require(cfg.report.gpu_tokens_per_second > 0, "report.gpu_tokens_per_second", "must be > 0",
             cfg.report.gpu_tokens_per_second)


def _check_eval(cfg: DictConfig) -> None:
    check_role("model", cfg.model, cfg.models)
    require("{question}" in cfg.prompt, "prompt", "must contain {question}", cfg.prompt)
    check_sampling("sampling", cfg.sampling)
    require(len(cfg.benchmarks) >= 1, "benchmarks", "name at least one benchmark", [])
    _check_benchmarks("benchmarks", cfg.benchmarks)
    require(cfg.comparison_timeout_s > 0, "comparison_timeout_s", "must be > 0",
             cfg.comparison_timeout_s)


COMBINATION_KINDS = ("one_hop", "two_hop", "three_hop_core", "community")




def _check_concept_method(cfg: DictConfig) -> None:
    seeds = cfg.seeds
    _check_data_source("seeds", seeds, PACKAGED_SEEDS, "seeds",
                       [seeds.question_field, *([seeds.topic_field] if seeds.topic_field else [])])
    extract = cfg.extract
    check_role("extract.model", extract.model, cfg.models)
    require(extract.max_topics >= 1, "extract.max_topics", "must be >= 1", extract.max_topics)
    require(extract.max_knowledge_points >= 1, "extract.max_knowledge_points", "must be >= 1",
             extract.max_knowledge_points)
    check_prompt("extract.prompt", extract.prompt, "question")
    check_sampling("extract.sampling", extract.sampling)
    check_reply_mode("extract", extract, [cfg.models[extract.model].engine])
    graph = cfg.graph
    require(graph.min_count >= 1, "graph.min_count", "must be >= 1", graph.min_count)
    require(0 < graph.merge_threshold < 1, "graph.merge_threshold", "must be in (0, 1)",
             graph.merge_threshold)
    if graph.merge_similar:
        try:
            resolve_embedding_model(graph.embedding_model)
        except EmbeddingModelNotFoundError as error:
            raise ConfigError(f"graph.embedding_model: {error}") from None
    sample = cfg.sample
    require(sample.num_combinations >= 1, "sample.num_combinations", "must be >= 1",
             sample.num_combinations)
    require(sample.num_shards >= 1, "sample.num_shards", "must be >= 1", sample.num_shards)
    for key in ("topic_steps", "kp_steps", "community_size"):
        values = list(sample[key])
        require(bool(values) and all(v >= 0 for v in values), f"sample.{key}",
                 "must be a non-empty list of counts >= 0", values)
    require(min(sample.topic_steps) >= 1, "sample.topic_steps", "walks need >= 1 topic step",
             list(sample.topic_steps))
    require(min(sample.community_size) >= 2, "sample.community_size", "must be >= 2",
             list(sample.community_size))
    mix = dict(sample.mix)
    unknown = sorted(set(mix) - set(COMBINATION_KINDS))
    require(not unknown, "sample.mix", f"kinds must be among {', '.join(COMBINATION_KINDS)}",
             unknown)
    require(all(w >= 0 for w in mix.values()) and sum(mix.values()) > 0, "sample.mix",
             "weights must be >= 0 with a positive sum", mix)
    require(0 <= sample.core_quantile < 1, "sample.core_quantile", "must be in [0, 1)",
             sample.core_quantile)
    generate = cfg.generate
    check_role("generate.model", generate.model, cfg.models)
    require(generate.num_few_shot >= 0, "generate.num_few_shot", "must be >= 0",
             generate.num_few_shot)
    check_prompt("generate.prompt", generate.prompt, "knowledge_points")
    check_sampling("generate.sampling", generate.sampling)
    check_reply_mode("generate", generate, [cfg.models[generate.model].engine])
    judge = cfg.judge
    if judge.enabled:
        require(len(judge.judges) >= 1, "judge.judges", "name at least one judge role", [])
        for index, entry in enumerate(judge.judges):
            check_role(f"judge.judges[{index}].model", entry.model, cfg.models)
            require(entry.weight >= 0, f"judge.judges[{index}].weight", "must be >= 0",
                     entry.weight)
        require(sum(j.weight for j in judge.judges) > 0, "judge.judges",
                 "weights must have a positive sum", [j.weight for j in judge.judges])
        roles = [j.model for j in judge.judges]
        require(len(set(roles)) == len(roles), "judge.judges", "judge roles must be unique", roles)
        require(0 <= judge.threshold <= 1, "judge.threshold", "must be in [0, 1]", judge.threshold)
        check_prompt("judge.prompt", judge.prompt, "question", "solution")
        check_sampling("judge.sampling", judge.sampling)
        check_reply_mode("judge", judge, [cfg.models[j.model].engine for j in judge.judges])


TRAINING_PIPELINES = ("qft", "qpo")
LR_SCHEDULERS = ("linear", "cosine", "cosine_with_restarts", "polynomial", "constant",
                 "constant_with_warmup")
DPO_LOSS_TYPES = ("sigmoid", "hinge", "ipo", "robust", "bco_pair", "sppo_hard", "nca_pair",
                  "exo_pair", "apo_zero", "apo_down", "discopop", "sigmoid_norm")


def _check_training(cfg: DictConfig) -> None:
    """`synth train` configs: QFT's question source, QPO's roles and prompts, shared settings."""
    if cfg.pipeline == "qpo":  # the generator role names the QFT checkpoint: report it there first
        _check_models(cfg.models)
    _check_base_model(cfg.base_model, cfg.scaling.use_gpu)
    require(bool(cfg.template.prefix), "template.prefix", "must not be empty", cfg.template.prefix)
    require(bool(cfg.template.end_of_turn), "template.end_of_turn", "must not be empty",
             cfg.template.end_of_turn)
    _check_train_settings(cfg.train)
    scaling = cfg.scaling
    require(scaling.num_workers >= 1, "scaling.num_workers", "must be >= 1", scaling.num_workers)
    require(all(amount >= 0 for amount in scaling.resources_per_worker.values()),
             "scaling.resources_per_worker", "amounts must be >= 0",
             dict(scaling.resources_per_worker))
    require(bool(cfg.output_dir), "output_dir", "must not be empty", cfg.output_dir)
    if cfg.pipeline == "qft":
        _check_question_source(cfg.questions)
        return
    check_role("generate.model", cfg.generate.model, cfg.models)
    require(cfg.generate.num_questions >= 1, "generate.num_questions", "must be >= 1",
             cfg.generate.num_questions)
    check_sampling("generate.sampling", cfg.generate.sampling)
    check_role("rewrite.model", cfg.rewrite.model, cfg.models)
    check_prompt("rewrite.solvability_prompt", cfg.rewrite.solvability_prompt, "question")
    check_prompt("rewrite.difficulty_prompt", cfg.rewrite.difficulty_prompt, "question")
    check_sampling("rewrite.sampling", cfg.rewrite.sampling)
    require(cfg.train.beta > 0, "train.beta", "must be > 0", cfg.train.beta)
    require(cfg.train.loss_type in DPO_LOSS_TYPES, "train.loss_type",
             f"must be one of {', '.join(DPO_LOSS_TYPES)}", cfg.train.loss_type)


def _check_base_model(model: str, use_gpu: bool) -> None:
    """CPU runs have no model hub: only a packaged GGUF or a local checkpoint loads there."""
    is_local = model in PACKAGED_GGUF_MODELS or Path(model).expanduser().is_dir()
    looks_like_hub_id = model.count("/") == 1 and not model.startswith((".", "/", "~"))
    require(is_local or (use_gpu and looks_like_hub_id), "base_model",
             "must be a packaged model name, a local Hugging Face checkpoint directory, "
             "or (with scaling.use_gpu) a hub id", model)


def _check_train_settings(train: DictConfig) -> None:
    require(train.num_epochs >= 1, "train.num_epochs", "must be >= 1", train.num_epochs)
    require(train.learning_rate > 0, "train.learning_rate", "must be > 0", train.learning_rate)
    require(train.lr_scheduler in LR_SCHEDULERS, "train.lr_scheduler",
             f"must be one of {', '.join(LR_SCHEDULERS)}", train.lr_scheduler)
    require(0 <= train.warmup_ratio < 1, "train.warmup_ratio", "must be in [0, 1)",
             train.warmup_ratio)
    require(train.max_length >= 16, "train.max_length", "must be >= 16", train.max_length)
    require(train.per_device_batch_size >= 1, "train.per_device_batch_size", "must be >= 1",
             train.per_device_batch_size)
    require(train.gradient_accumulation_steps >= 1, "train.gradient_accumulation_steps",
             "must be >= 1", train.gradient_accumulation_steps)
    require(train.max_steps == -1 or train.max_steps >= 1, "train.max_steps",
             "must be -1 (full epochs) or >= 1", train.max_steps)
    require(train.logging_steps >= 1, "train.logging_steps", "must be >= 1", train.logging_steps)


def _check_question_source(questions: DictConfig) -> None:
    sources = [name for name in ("packaged", "paths") if questions[name]]
    require(len(sources) == 1, "questions", "needs exactly one of packaged (champ), paths",
             sources or None)
    if questions.packaged:
        require(questions.packaged == "champ", "questions.packaged", "must be champ",
                 questions.packaged)
    for index, raw_path in enumerate(questions.paths):
        path = Path(raw_path).expanduser()
        require(path.is_file(), f"questions.paths[{index}]", "file not found", raw_path)
        require(path.suffix in (".jsonl", ".json", ".parquet"), f"questions.paths[{index}]",
                 "must be a .jsonl or .parquet file", raw_path)
        check_data_file(f"questions.paths[{index}]", raw_path, [questions.question_field])
    require(questions.limit is None or questions.limit >= 1, "questions.limit", "must be >= 1",
             questions.limit)
