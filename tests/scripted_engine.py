"""A scripted engine for unit tests of stage logic: answers come from a function, not a model.

It still runs through real Ray Data (map_batches on the local cluster) and the real fan-out and
output-column code, so only the model is fake.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

from omegaconf import OmegaConf
from ray.data import Dataset

from synth.engines.base import Completion, CompletionWorker, Engine
from synth.structured_replies import RESPONSE_SCHEMA

Script = Callable[[str, dict[str, Any]], Completion]


class ScriptedWorker(CompletionWorker):
    def __init__(self, chat: bool, script: Script) -> None:
        super().__init__(chat)
        self.script = script

    def complete(self, row: dict[str, Any]) -> Completion:
        text = row["messages"][-1]["content"] if self.chat else row["prompt"]
        completion = self.script(text, row["sampling_params"])
        if row.get(RESPONSE_SCHEMA) and completion.schema_decoded is None:
            return replace(completion, schema_decoded=True)  # as a constraining engine says
        return completion


class ScriptedEngine(Engine):
    """`constrains_replies`: the engine says it decodes under a request's schema (the script
    writes what such an engine would, or `schema_decoded=False` for a refusing server)."""

    def __init__(self, role: str, script: Script, constrains_replies: bool = False) -> None:
        super().__init__(role, OmegaConf.create({"engine": "scripted", "model": "script",
                                                 "replicas": [1, 1], "num_cpus": 0.5,
                                                 "num_gpus": 0, "accelerator_type": None}))
        self.script = script
        self.constrains = constrains_replies

    @property
    def constrains_replies(self) -> bool:
        return self.constrains

    def _complete(self, ds: Dataset, *, chat: bool) -> Dataset:
        worker = ScriptedWorker(chat, self.script)
        return ds.map_batches(worker, batch_format="pyarrow", batch_size=4)
