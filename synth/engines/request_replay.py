"""Request-level replay: every answered model request is kept, so a rerun never sends it again.

    runs/<run>/requests/<role>/part-<hash>.parquet   one file per answered batch, as it finishes

Each request gets a content key (`_request_key`): a hash of the role's model identity (what
serves it, and the model) and the request's own columns: for a completion the `messages` or
`prompt` and the sampling parameters, seed included; for a scorer the text it scores. The
replica that answered a batch writes the batch's answers (the role's answer columns: text,
token counts and finish reason for a completion, a reward, a difficulty or an embedding for a
scorer) before it hands the batch on, so a kill loses at most the batches in flight. Failed
requests are not kept: a rerun tries them again. Locally a file is written aside and renamed;
on object storage one PUT is atomic. The file name is a hash of the batch's keys, so a batch
that Ray retries after a replica died overwrites its own file instead of adding a second copy.

A rerun of a stage looks every request up in a `ReplayIndex`: one Ray task reads the key column
of the persisted files into sorted 64-bit integers (16 bytes a request: 1M requests, 16 MB)
and puts it in the object store, where every lookup task maps it without copying; the driver
only holds the reference, never the keys. Found requests take their stored answer, the rest go
to the engine. Ray Data's `CheckpointConfig` was weighed and not used: it keys on a row id at
the read (a fanned-out request has none there), loads every checkpointed id into memory before
the run, and could not grow a run, which needs lookups by request content.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from synth.engines.base import ENGINE_CPU_COLUMN, ENGINE_GPU_COLUMN, ENGINE_NODE_COLUMN, REQUEST_KEY
from synth.structured_replies import RESPONSE_SCHEMA, SCHEMA_DECODED

REPLAYED = "_replayed"  # True: answered from the run's store; False: sent to the engine
# A completion request: chat `messages` or a raw `prompt` (a row has one), and its sampling.
# A reply schema (`response_schema`, only on stages that decode under one) is part of it.
COMPLETION_REQUEST = ("messages", "prompt", "sampling_params", RESPONSE_SCHEMA)
COMPLETION_ANSWER = pa.schema([("generated_text", pa.string()), ("num_input_tokens", pa.int64()),
                               ("num_generated_tokens", pa.int64()), ("finish_reason", pa.string()),
                               (SCHEMA_DECODED, pa.bool_())])
# Bookkeeping every answered row carries besides the role's answer columns.
ANSWER_BOOKKEEPING = ("engine_error", ENGINE_CPU_COLUMN, ENGINE_GPU_COLUMN, ENGINE_NODE_COLUMN,
                      REPLAYED)


def request_keys(batch: pa.Table, model_identity: str,
                 request_columns: tuple[str, ...] = COMPLETION_REQUEST) -> pa.Array:
    """The content key of every row of `batch` (completions already fanned out to one sample
    each): a hash of the model identity and the row's request columns that `batch` has."""
    columns = [c for c in request_columns if c in batch.column_names]
    keys = []
    for row in batch.select(columns).to_pylist():
        text = json.dumps([model_identity, *(row[c] for c in columns)], sort_keys=True, default=str)
        keys.append(hashlib.sha256(text.encode()).hexdigest()[:32])
    return pa.array(keys, pa.string())


def with_request_keys(batch: pa.Table, model_identity: str,
                      request_columns: tuple[str, ...] = COMPLETION_REQUEST) -> pa.Table:
    """`batch` with its `_request_key` column."""
    if REQUEST_KEY in batch.column_names:
        batch = batch.drop_columns([REQUEST_KEY])
    return batch.append_column(REQUEST_KEY, request_keys(batch, model_identity, request_columns))


def failed_requests(batch: pa.Table) -> pa.Array:
    """True for the rows whose request failed (an `engine_error`, or finish reason "error")."""
    failed = pa.array([False] * batch.num_rows, pa.bool_())
    if "engine_error" in batch.column_names:
        failed = pc.or_(failed, pc.is_valid(batch.column("engine_error")))
    if "finish_reason" in batch.column_names:
        failed = pc.or_(failed, pc.fill_null(pc.equal(batch.column("finish_reason"), "error"), False))
    return failed


def _key_integers(keys: pa.Array) -> np.ndarray:
    """The first 64 bits of each hex key: what the index sorts and searches."""
    return np.array([int(key[:16], 16) for key in keys.to_pylist()], dtype=np.uint64)


class RequestStore:
    """The persisted answers of one model role in one run (local path or object-storage URI),
    each a request key and the role's answer columns (`answer_schema`).

    Only the location and the schema travel to Ray workers; each process opens its own
    filesystem."""

    def __init__(self, location: str, answer_schema: pa.Schema = COMPLETION_ANSWER) -> None:
        self.location = location.rstrip("/")
        self.answer_schema = answer_schema
        self._filesystem = None

    def __getstate__(self) -> dict[str, Any]:
        return {"location": self.location, "answer_schema": self.answer_schema,
                "_filesystem": None}

    def _fs(self):
        from pyarrow import fs

        if self._filesystem is None:
            self._filesystem, self._root = fs.FileSystem.from_uri(self.location) \
                if "://" in self.location else (fs.LocalFileSystem(), os.path.abspath(self.location))
        return self._filesystem, self._root

    def files(self) -> list[str]:
        """The persisted batch files, in the filesystem's own path form."""
        from pyarrow import fs

        filesystem, root = self._fs()
        selector = fs.FileSelector(root, allow_not_found=True)
        return sorted(info.path for info in filesystem.get_file_info(selector)
                      if info.type == fs.FileType.File and info.path.endswith(".parquet"))

    def append(self, answered: pa.Table) -> None:
        """Keep the answered (not failed) requests of one batch; one file, written atomically."""
        rows = answered.filter(pc.invert(failed_requests(answered)))
        for field in self.answer_schema:  # an answer column an engine leaves out is null
            if field.name not in rows.column_names:
                rows = rows.append_column(field, pa.nulls(rows.num_rows, field.type))
        rows = rows.select([REQUEST_KEY, *self.answer_schema.names])
        if rows.num_rows == 0:
            return
        rows = rows.cast(pa.schema([(REQUEST_KEY, pa.string()), *self.answer_schema]))
        keys = rows.column(REQUEST_KEY).to_pylist()
        name = "part-" + hashlib.sha256("".join(sorted(keys)).encode()).hexdigest()[:32] + ".parquet"
        filesystem, root = self._fs()
        filesystem.create_dir(root, recursive=True)
        target = f"{root}/{name}"
        local = "://" not in self.location or self.location.startswith("file://")
        scratch = f"{root}/.{name}.{uuid.uuid4().hex}.tmp" if local else target
        with filesystem.open_output_stream(scratch) as sink:
            pq.write_table(rows, sink)
        if scratch != target:
            filesystem.move(scratch, target)

    def read(self, path: str, rows: np.ndarray) -> pa.Table:
        """Rows `rows` of one persisted file."""
        filesystem, _ = self._fs()
        with filesystem.open_input_file(path) as source:
            return pq.read_table(source).take(pa.array(rows, pa.int64()))

    def index(self):
        """An object reference to this store's ReplayIndex, or None while nothing is persisted.
        Built by one Ray task, so the keys never pass through the driver."""
        import ray

        if not self.files():
            return None
        return ray.remote(num_cpus=0.5)(_build_index).remote(self)


@dataclass(frozen=True)
class ReplayIndex:
    """Sorted 64-bit key prefixes of a store's requests, and where each one is stored."""

    keys: np.ndarray  # uint64, sorted, unique
    file_ids: np.ndarray  # int32: position in `files`
    rows: np.ndarray  # int32: row inside that file
    files: tuple[str, ...]

    def find(self, keys: pa.Array) -> tuple[np.ndarray, np.ndarray]:
        """For each key: whether a stored answer may exist, and its index position."""
        wanted = _key_integers(keys)
        positions = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
        return self.keys[positions] == wanted, positions


def _build_index(store: RequestStore) -> ReplayIndex:
    files = store.files()
    filesystem, _ = store._fs()
    keys, file_ids, rows = [], [], []
    for file_id, path in enumerate(files):
        with filesystem.open_input_file(path) as source:
            column = pq.read_table(source, columns=[REQUEST_KEY]).column(REQUEST_KEY).combine_chunks()
        keys.append(_key_integers(column))
        file_ids.append(np.full(len(column), file_id, dtype=np.int32))
        rows.append(np.arange(len(column), dtype=np.int32))
    # Built only for a store with files, and no file is empty (append skips empty batches).
    unique, first = np.unique(np.concatenate(keys), return_index=True)  # stored twice: either copy
    return ReplayIndex(unique, np.concatenate(file_ids)[first], np.concatenate(rows)[first],
                       tuple(files))


class ReplayLookup:
    """A Ray Data map: each request gets its stored answer (`_replayed` True) or none."""

    def __init__(self, store: RequestStore, index_ref: Any) -> None:
        self.store = store
        self.index_ref = index_ref
        self._index: ReplayIndex | None = None

    def __call__(self, batch: pa.Table) -> pa.Table:
        import ray

        if self._index is None:
            self._index = ray.get(self.index_ref)
        keys = batch.column(REQUEST_KEY).combine_chunks()
        found, positions = self._index.find(keys)
        answers: dict[int, dict[str, Any]] = {}
        hits = np.flatnonzero(found)
        by_file: dict[int, list[int]] = {}
        for row in hits:
            by_file.setdefault(int(self._index.file_ids[positions[row]]), []).append(int(row))
        for file_id, batch_rows in by_file.items():
            stored = self.store.read(self._index.files[file_id],
                                     self._index.rows[positions[batch_rows]]).to_pylist()
            for row, answer in zip(batch_rows, stored):
                if answer[REQUEST_KEY] == keys[row].as_py():  # the full key, not just its prefix
                    answers[row] = answer
        return with_answers(batch, answers, self.store.answer_schema)


def with_answers(batch: pa.Table, answers: dict[int, dict[str, Any]],
                 answer_schema: pa.Schema = COMPLETION_ANSWER) -> pa.Table:
    """`batch` with the answer columns filled for the rows in `answers` (replayed) and null for
    the rest, which still need the model."""
    count = batch.num_rows
    columns = {field.name: pa.array([answers[i].get(field.name) if i in answers else None
                                     for i in range(count)], field.type)
               for field in answer_schema}
    columns |= {
        "engine_error": pa.nulls(count, pa.string()),
        ENGINE_CPU_COLUMN: pa.array([0.0] * count, pa.float64()),
        ENGINE_GPU_COLUMN: pa.array([0.0] * count, pa.float64()),
        ENGINE_NODE_COLUMN: pa.nulls(count, pa.string()),
        REPLAYED: pa.array([i in answers for i in range(count)], pa.bool_()),
    }
    batch = batch.drop_columns([name for name in columns if name in batch.column_names])
    for name, values in columns.items():
        batch = batch.append_column(name, values)
    return batch


def still_to_send(batch: pa.Table, answer_schema: pa.Schema = COMPLETION_ANSWER) -> pa.Table:
    """The rows of a looked-up batch that need the model, without the empty answer columns."""
    pending = batch.filter(pc.invert(batch.column(REPLAYED)))
    return pending.drop_columns([c for c in (*answer_schema.names, *ANSWER_BOOKKEEPING)
                                 if c in pending.column_names])


def already_answered(batch: pa.Table) -> pa.Table:
    """The rows of a looked-up batch that were answered from the store."""
    return batch.filter(batch.column(REPLAYED))


def mark_sent(batch: pa.Table) -> pa.Table:
    """`batch` (just answered by the engine) with `_replayed` False on every row."""
    if REPLAYED in batch.column_names:
        batch = batch.drop_columns([REPLAYED])
    return batch.append_column(REPLAYED, pa.array([False] * batch.num_rows, pa.bool_()))


class PersistAnswered:
    """A Ray Data map after an engine whose own workers synth does not write (processors):
    marks the batch sent and persists it."""

    def __init__(self, store: RequestStore | None) -> None:
        self.store = store

    def __call__(self, batch: pa.Table) -> pa.Table:
        answered = mark_sent(batch)
        if self.store is not None:
            self.store.append(answered)
        return answered
