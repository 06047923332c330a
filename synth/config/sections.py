"""Config sections that check their own fields, and the walk that runs every section's checks.

A section is a structured-config dataclass. What its types cannot say (ranges, placeholders a
prompt must contain, fields that go together) it says in its own `check()`, beside the fields:

    @dataclass
    class ConsensusConfig(Section):
        min_votes: int = 2

        def check(self) -> None:
            need(self.min_votes >= 1, "min_votes", "must be >= 1", self.min_votes)

A section knows its field names, not where it sits in a file; `check_sections` walks the
config typed by `OmegaConf.to_object` and names the whole key in the one-line error:

    ConfigError("consensus.min_votes: must be >= 1 (got 0)")

Fixed choices are `StrEnum` fields, which OmegaConf validates itself. Checks that read more
than one section (model roles, the local CPU budget, files) live in `synth.config.validation`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any, ClassVar

from synth.config.errors import ConfigError


class FieldProblem(Exception):
    """A section's field is wrong; `check_sections` adds the section's key to `field`."""

    def __init__(self, field: str, problem: str, value: Any) -> None:
        super().__init__(f"{field}: {problem} (got {value!r})")
        self.field, self.problem, self.value = field, problem, value


def need(condition: bool, field: str, problem: str, value: Any) -> None:
    """Raise FieldProblem for `field` (a name inside the section) unless `condition` holds."""
    if not condition:
        raise FieldProblem(field, problem, value)


def need_placeholders(field: str, template: str, *names: str) -> None:
    """`template` must contain `{name}` for each of `names`."""
    missing = [name for name in names if "{" + name + "}" not in template]
    need(not missing, field, f"must contain {', '.join('{' + n + '}' for n in missing)}",
         template[:60] + ("..." if len(template) > 60 else ""))


class Section:
    """Base of config dataclasses with checks of their own."""

    role_fields: ClassVar[tuple[str, ...]] = ()  # fields naming a role under `models:`
    scores: ClassVar[bool] = False  # its roles answer with a number per row, not with text

    def check(self) -> None:
        """Raise FieldProblem (through `need`) for the first wrong field; nothing by default."""

    def roles(self) -> dict[str, str]:
        """Field (within the section) -> the model role it names; checked across sections."""
        return {name: getattr(self, name) for name in self.role_fields}

    def files(self) -> list[tuple[str, str, str | None, list[str]]]:
        """(field, path, label, fields every record needs) of each data file the section
        names; the label names the source in errors (None: the field's key)."""
        return []

    def embedding_models(self) -> dict[str, str]:
        """Field -> the embedding model (packaged name or directory) the section loads."""
        return {}


def enabled_sections(config: Any, key: str = "") -> Iterator[tuple[str, Section]]:
    """(dotted key, section) of every section in `config` (an `OmegaConf.to_object` result),
    parents before their children, in field order. A section switched off
    (`enabled: false`) is left out, and so is everything in it."""
    if getattr(config, "enabled", True) is False:
        return
    if isinstance(config, Section):
        yield key, config
    if dataclasses.is_dataclass(config):
        for field in dataclasses.fields(config):
            yield from enabled_sections(getattr(config, field.name), _joined(key, field.name))
    elif isinstance(config, dict):
        for name, value in config.items():
            yield from enabled_sections(value, _joined(key, str(name)))
    elif isinstance(config, list):
        for index, value in enumerate(config):
            yield from enabled_sections(value, f"{key}[{index}]")


def check_sections(config: Any) -> None:
    """Run `check()` of every enabled section of `config`; the first problem is raised as a
    ConfigError naming its whole key."""
    for key, section in enabled_sections(config):
        try:
            section.check()
        except FieldProblem as problem:
            raise ConfigError(f"{_joined(key, problem.field)}: {problem.problem} "
                              f"(got {problem.value!r})") from None


def _joined(key: str, field: str) -> str:
    """`key` and a field name within it ("" names the section itself)."""
    if not key or not field or field.startswith("["):
        return key + field
    return f"{key}.{field}"
