"""The checks that read more than one section: model roles and their sources, the local CPU
budget, every file a config names. Each section's own checks live with its dataclass
(synth/config/sections.py); a pipeline kind's checks that span its own sections live in its
kind module (synth/kinds/).

Each failed check raises `ConfigError("<key>: <what is wrong> (got <value>)")`, so the user
sees which key to fix without reading a traceback. `validate` runs them all, in this order:
every section's own checks, the model roles, the files, then the kind's own.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from synth.config.common import EngineKind
from synth.config.errors import ConfigError
from synth.config.sections import Section, check_sections, enabled_sections
from synth.data_files import check_data_file
from synth.embeddings import EmbeddingModelNotFoundError, resolve_embedding_model
from synth.engines.context_limits import trained_context_length
from synth.engines.packaged_models import PACKAGED_GGUF_MODELS, ModelNotFoundError, resolve_gguf
from synth.engines.replayed_replies import RepliesFileError, describe_replies_file
from synth.structured_replies import engine_decodes_under_schema


def require(condition: bool, key: str, problem: str, value: Any) -> None:
    """Raise ConfigError("<key>: <problem> (got <value>)") unless `condition` holds."""
    if not condition:
        raise ConfigError(f"{key}: {problem} (got {value!r})")


def validate(cfg: DictConfig, kind_checks: Callable[[DictConfig, Any], None]) -> None:
    """Validate a merged config: its sections, its roles and files, then `kind_checks(cfg,
    typed)` (the kind's own checks across its sections); raises ConfigError on the first problem."""
    typed = OmegaConf.to_object(cfg)
    check_sections(typed)
    sections = list(enabled_sections(typed))
    models = typed.models
    _check_roles_named(sections, models)
    for role, model in models.items():
        check_model_source(f"models.{role}", model)
    _check_replayed_roles(sections, models)
    _check_context_fits(sections, models)
    _check_reply_modes(sections, models)
    _check_local_cpu_budget(cfg.ray, models)
    _check_files(sections)
    _check_embedding_models(sections)
    kind_checks(cfg, typed)


def _check_roles_named(sections: list[tuple[str, Section]], models: dict) -> None:
    for key, section in sections:
        for field, role in section.roles().items():
            require(role in models, f"{key}.{field}" if key else field,
                    f"names no role under models (have: {', '.join(models)})", role)


def check_model_source(key: str, model: Any) -> None:
    """Unknown models fail here, before Ray starts, not inside an actor minutes later."""
    if model.engine == EngineKind.llama_cpp:
        try:
            resolve_gguf(model.model)
        except ModelNotFoundError as error:
            raise ConfigError(f"{key}.model: {error}") from None
    elif model.engine == EngineKind.transformers:
        require(loads_with_transformers(model.model), f"{key}.model",
                "must be a packaged model name or a local Hugging Face checkpoint directory",
                model.model)
    elif model.engine == EngineKind.replayed:
        try:
            describe_replies_file(str(Path(model.model).expanduser()))
        except RepliesFileError as error:
            raise ConfigError(f"{key}.model: {model.model}: {error}") from None
    trained = trained_context_length(model.engine, model.model)
    require(trained is None or model.context_length <= trained, f"{key}.context_length",
            f"exceeds the {trained} tokens {model.model} was trained for", model.context_length)


def loads_with_transformers(model: str) -> bool:
    """A packaged model or a local checkpoint: what transformers loads without a model hub."""
    return model in PACKAGED_GGUF_MODELS or Path(model).expanduser().is_dir()


def _check_replayed_roles(sections: list[tuple[str, Section]], models: dict) -> None:
    """A replayed role answers with what its file records: scores for a role a scoring section
    names (difficulty, reward), text for every other role."""
    scorers = {role for _, section in sections if section.scores
               for role in section.roles().values()}
    for role, model in models.items():
        if model.engine != EngineKind.replayed:
            continue
        wanted = "score" if role in scorers else "text"
        kind, _ = describe_replies_file(str(Path(model.model).expanduser()))
        require(kind == wanted, f"models.{role}.model",
                f"a replayed {'scorer' if wanted == 'score' else 'completion'} role needs a "
                f"replies file with a `{wanted}` column", model.model)


def _check_context_fits(sections: list[tuple[str, Section]], models: dict) -> None:
    """Every section's `max_tokens` leaves room for a prompt in its roles' context: a plan whose
    every request would overflow fails here, not as a batch of engine errors."""
    for key, section in sections:
        sampling = getattr(section, "sampling", None)
        if sampling is None:
            continue
        for role in section.roles().values():
            model = models.get(role)
            if model is None or model.engine == EngineKind.http:
                continue
            require(sampling.max_tokens < model.context_length,
                    f"{key}.sampling.max_tokens" if key else "sampling.max_tokens",
                    f"leaves no room for a prompt in models.{role}.context_length "
                    f"({model.context_length})", sampling.max_tokens)


def _check_reply_modes(sections: list[tuple[str, Section]], models: dict) -> None:
    """A started free-text reply (`response_prefix`) cannot precede a schema-constrained one."""
    for key, section in sections:
        if not getattr(section, "response_prefix", ""):
            continue
        engines = [models[role].engine for role in section.roles().values()]
        constrained = section.structured and any(map(engine_decodes_under_schema, engines))
        require(not constrained, f"{key}.response_prefix",
                f"starts a free-text reply, which a JSON-schema reply cannot follow; set "
                f"{key}.structured: false to keep raw-prompt mode", section.response_prefix)


def _check_local_cpu_budget(ray: DictConfig, models: dict) -> None:
    """A CPU model pool must leave the local cluster a CPU for Ray Data's reads and writes.

    Replicas hold their logical CPUs for the whole stage; when the pool's minimum takes every
    CPU, the read task that feeds it can never be scheduled and the run hangs silently (seen
    with replicas [2, 2] x 1 CPU on 2 cores). Only the local cluster's size is known here.
    """
    if ray.address is not None or os.environ.get("RAY_ADDRESS"):
        return
    cpus = ray.num_cpus or os.cpu_count() or 1
    for role, model in models.items():
        reserved = model.replicas[0] * model.num_cpus
        require(model.num_gpus > 0 or reserved < cpus, f"models.{role}.num_cpus",
                f"{model.replicas[0]} replicas x {model.num_cpus:g} CPUs take all {cpus} CPUs of "
                "the local cluster and leave none for reading their input, so the stage would "
                "hang; lower num_cpus (a logical share: threads sets the real parallelism) or "
                "replicas", model.num_cpus)


def _check_files(sections: list[tuple[str, Section]]) -> None:
    """Every data file a section names exists, reads, and holds the fields it needs
    (data_files.check_data_file): a typo in a benchmark or seed source, or a bad file, fails
    before any model loads."""
    for key, section in sections:
        for field, path, label, fields in section.files():
            field_key = f"{key}.{field}" if not field.startswith("[") else key + field
            require(Path(path).expanduser().is_file(), field_key, "file not found", path)
            check_data_file(label or field_key, path, fields)


def _check_embedding_models(sections: list[tuple[str, Section]]) -> None:
    for key, section in sections:
        for field, model in section.embedding_models().items():
            try:
                resolve_embedding_model(model)
            except EmbeddingModelNotFoundError as error:
                raise ConfigError(f"{key}.{field}: {error}") from None
