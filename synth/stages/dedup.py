"""Drop exact and near-duplicate rows across the whole dataset (optionally semantic ones too).

Every row gets bucket keys: a hash of its normalised text (exact), MinHash LSH bands of its
word shingles (near), and, when `semantic` is on, SimHash bands of its sentence embedding
(candidates, confirmed by exact cosine). `synth.quality.duplicate_resolution` groups rows by
key with Ray Data shuffles; within a group the smallest id survives. Dropped rows keep
`duplicate_of`, the id they repeat.
"""

from __future__ import annotations

import pyarrow as pa
from ray.data import Dataset

from synth.config.quality import DedupConfig
from synth.embeddings import EMBEDDING, EmbeddingModel, embedding_array, embedding_matrix
from synth.engines.model_role import ModelRole
from synth.quality.duplicate_resolution import (
    DUPLICATE_REASONS,
    EXACT,
    KEY_COLUMNS,
    NEAR,
    find_duplicates,
    find_semantic_duplicates,
    merge_duplicates,
)
from synth.quality.lsh_bands import MinHashBander, SimHashBander
from synth.quality.text_normalization import hash64, normalized_words
from synth.shuffle_sizing import stage_partitions
from synth.stages.base import Stage, with_drop_reasons

KEY_TYPE = pa.list_(pa.int64())
KIND_TYPE = pa.list_(pa.int8())


class TextKeys:
    """Exact-text and MinHash band keys for one text column."""

    def __init__(self, column: str, bander: MinHashBander) -> None:
        self.column = column
        self.bander = bander

    def __call__(self, batch: pa.Table) -> pa.Table:
        words = [normalized_words(text) for text in batch.column(self.column).to_pylist()]
        keys, kinds = [], []
        for text_words, bands in zip(words, self.bander.keys(words)):
            exact = [hash64(" ".join(text_words), "exact")]
            keys.append(exact + bands)
            kinds.append([EXACT] + [NEAR] * len(bands))
        return pa.table({"id": batch.column("id"), "bucket_keys": pa.array(keys, KEY_TYPE),
                         "bucket_kinds": pa.array(kinds, KIND_TYPE)})


class TextAndSemanticKeys:
    """Text keys plus the SimHash band keys of each row's embedding (computed upstream by the
    embedding model role), and the embedding as a fixed-size vector for the cosine check."""

    def __init__(self, text_keys: TextKeys, threshold: float) -> None:
        self.text_keys = text_keys
        self.threshold = threshold

    def __call__(self, batch: pa.Table) -> pa.Table:
        vectors = embedding_matrix(batch.column(EMBEDDING))
        bander = SimHashBander(vectors.shape[1], self.threshold)  # seeded: the same every batch
        return (self.text_keys(batch)
                .append_column("semantic_keys", pa.array(bander.keys(vectors), KEY_TYPE))
                .append_column(EMBEDDING, embedding_array(vectors)))


def _mark_duplicates(batch: pa.Table) -> pa.Table:
    # A join partition that met no duplicate carries no right-hand columns at all.
    if "duplicate_kind" not in batch.column_names:
        batch = batch.append_column("duplicate_of", pa.nulls(batch.num_rows, pa.string()))
        return with_drop_reasons(batch, [None] * batch.num_rows)
    kinds = batch.column("duplicate_kind").to_pylist()
    reasons = [None if kind is None else DUPLICATE_REASONS[kind] for kind in kinds]
    return with_drop_reasons(batch.drop_columns(["duplicate_kind"]), reasons)


class DedupStage(Stage):
    """Marks `exact_duplicate`, `near_duplicate` and `semantic_duplicate` rows."""

    name = "dedup"
    local_columns = ("duplicate_of",)

    def __init__(self, config: DedupConfig) -> None:
        self.config = config
        self.requires = ("id", config.column)
        self.bander = MinHashBander(config.ngram_size, config.num_perm, config.threshold)
        self.embedder = EmbeddingModel(config.semantic_model, config.column) \
            if config.semantic else None

    @property
    def model_roles(self) -> tuple[ModelRole, ...]:
        return (self.embedder,) if self.embedder is not None else ()

    def describe(self) -> str:
        semantic = f" + semantic {self.config.semantic_model}" if self.config.semantic else ""
        return (f"{self.name}  [minhash {self.config.num_perm} perms, {self.bander.bands} bands x "
                f"{self.bander.rows}, threshold {self.config.threshold}{semantic}]")

    def apply(self, rows: Dataset | None) -> Dataset:
        texts = rows.select_columns(["id", self.config.column])
        text_keys = TextKeys(self.config.column, self.bander)
        if self.config.semantic:
            embedded = self.embedder.embed(texts)
            keyed = embedded.map_batches(
                TextAndSemanticKeys(text_keys, self.config.semantic_threshold),
                batch_format="pyarrow")
            keyed = keyed.materialize()  # embeddings are computed once, used by both searches
        else:
            # Computed once and kept: the bucket search reads the keys twice (group, then join).
            keyed = texts.map_batches(text_keys, batch_format="pyarrow").materialize()
        partitions = stage_partitions(self.config.num_partitions)
        duplicates = find_duplicates(keyed.select_columns(["id", *KEY_COLUMNS]), partitions)
        if self.config.semantic:
            semantic = find_semantic_duplicates(
                keyed.select_columns(["id", "semantic_keys", "embedding"]),
                self.config.semantic_threshold, partitions)
            duplicates = merge_duplicates(duplicates.union(semantic), partitions)
        return (rows.join(duplicates, join_type="left_outer",
                          num_partitions=partitions, on=("id",))
                .map_batches(_mark_duplicates, batch_format="pyarrow"))
