"""Fail any test that reads a file beside the checkout instead of inside it.

A fresh clone has nothing next to it: data that the suite finds in a sibling folder on the
build machines (`../shared/data/...`) is missing for everyone else. Python's audit hook sees
every `open` (and directory listing) this process makes, so a test that reaches outside the
repository fails here, on every machine, instead of only on a clean one. Library, virtualenv,
temporary and hidden (cache) folders stay readable: the check is about project data.
"""

from __future__ import annotations

import os
import site
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# When the checkout sits at the filesystem root, its neighbours are the system's own folders.
_SYSTEM_FOLDERS = {"bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "libx32", "opt", "proc",
                   "run", "sbin", "srv", "sys", "tmp", "usr", "var"}
_AUDITED_EVENTS = {"open", "os.listdir", "os.scandir"}


def _readable_roots() -> list[Path]:
    """Folders outside the checkout that any Python process legitimately reads."""
    candidates = [sys.prefix, sys.base_prefix, sys.exec_prefix, tempfile.gettempdir(),
                  *site.getsitepackages(), site.getusersitepackages()]
    roots = [Path(c).resolve() for c in candidates if c]
    return [root for root in roots if not REPO.is_relative_to(root)]  # an ancestor allows all


_READABLE = _readable_roots()


def is_beside_checkout(path: Path) -> bool:
    """True when `path` lies next to the repository: under its parent folder, not inside it."""
    path = path.resolve()
    if path.is_relative_to(REPO) or not path.is_relative_to(REPO.parent) or path == REPO.parent:
        return False
    first = path.relative_to(REPO.parent).parts[0]
    if first.startswith(".") or (REPO.parent == Path(REPO.anchor) and first in _SYSTEM_FOLDERS):
        return False
    return not any(path.is_relative_to(root) for root in _READABLE)


_reads_beside_checkout: list[str] = []


def _audit(event: str, args: tuple) -> None:
    if event not in _AUDITED_EVENTS or not args or not isinstance(args[0], (str, os.PathLike)):
        return
    try:
        if is_beside_checkout(Path(os.fspath(args[0]))):
            _reads_beside_checkout.append(f"{event} {args[0]}")
    except (OSError, ValueError, RuntimeError):  # unresolvable names are not project data
        pass


sys.addaudithook(_audit)


@pytest.fixture(autouse=True)
def files_come_from_the_checkout():
    """Each test may read only files the repository or an installed package ships."""
    _reads_beside_checkout.clear()
    yield
    reads, _reads_beside_checkout[:] = list(_reads_beside_checkout), []
    assert not reads, f"read outside the checkout ({REPO}): {reads}"
