"""Config changes as `key=value` overrides, for tests that load a whole config with one change."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PIPELINES = Path(__file__).resolve().parents[1] / "pipelines"
QUICKSTART = PIPELINES / "quickstart.yaml"


def overrides(prefix: str, change: dict[str, Any]) -> list[str]:
    """`{"seeds": {"path": None}}` under `train` -> ["train.seeds.path=null"]."""
    found = []
    for name, value in change.items():
        key = f"{prefix}.{name}" if prefix else name
        if isinstance(value, dict):
            found += overrides(key, value)
        else:
            found.append(f"{key}={value if isinstance(value, str) else json.dumps(value)}")
    return found
