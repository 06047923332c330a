"""Pipeline kinds: what a config's `pipeline:` value means, one module each.

A kind module holds what is particular to the kind (its checks that span its own sections)
and registers a `PipelineKind`: the schema its YAML is merged onto, those checks, the
`synth` command that runs it and what that command calls (a stage builder, a trainer). Adding a
kind is its module plus one line in KIND_MODULES; code outside (tests, plugins) can call
`register_kind` itself.

    scalequest        ScaleQuest: generate -> filter -> solve -> vote        synth run
    concept_methods   MathScale and GSDP: seeds -> concept graph -> problems  synth run
    evaluation        one model on benchmark sets                            synth eval
    qft, qpo          ScaleQuest's question generator                        synth train
    difficulty        ScaleQuest's difficulty scorer                         synth train
"""

from __future__ import annotations

import importlib

from synth.config.errors import ConfigError
from synth.kinds.kind import Command, PipelineKind

# Imported to list the kinds (`synth train`'s choices, every config load), so a kind module
# imports schemas only; what its checks need (models, files: Ray) it imports inside them.
KIND_MODULES = (
    "synth.kinds.scalequest",
    "synth.kinds.concept_methods",
    "synth.kinds.evaluation",
    "synth.kinds.qft",
    "synth.kinds.qpo",
    "synth.kinds.difficulty",
)

_REGISTERED: dict[str, PipelineKind] = {}


def register_kind(kind: PipelineKind) -> PipelineKind:
    """Make `kind` known by its name (a later registration of the same name replaces it)."""
    _REGISTERED[kind.name] = kind
    return kind


def pipeline_kinds() -> dict[str, PipelineKind]:
    """Every registered kind by name, the built-in ones included."""
    for module in KIND_MODULES:
        importlib.import_module(module)
    return _REGISTERED


def kind_named(name: object) -> PipelineKind:
    """The kind a config's `pipeline:` names; a ConfigError listing the known ones otherwise."""
    kinds = pipeline_kinds()
    if name not in kinds:
        raise ConfigError(f"pipeline: unknown pipeline {name!r} (expected one of: "
                          f"{', '.join(sorted(kinds))})")
    return kinds[name]


def kinds_run_by(command: Command) -> list[str]:
    """Names of the kinds `command` runs, sorted."""
    return sorted(name for name, kind in pipeline_kinds().items() if kind.command == command)
