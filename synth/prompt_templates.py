"""Fill `{name}` placeholders in user-editable prompt templates.

Only the named placeholders are replaced, so a template may contain JSON braces or `\\boxed{}`
without escaping them (str.format would choke on both).
"""

from __future__ import annotations


def fill_template(template: str, **values: object) -> str:
    """`template` with each `{name}` replaced by `str(values[name])`."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", str(value))
    return template


def placeholders_missing(template: str, *names: str) -> list[str]:
    """The `{name}` placeholders of `names` that `template` lacks (for config validation)."""
    return [name for name in names if "{" + name + "}" not in template]
