"""Where a run's files live: a local path, or any fsspec/pyarrow URI (s3://, gs://, hdfs://...).

On a multi-node cluster every node writes its share of a stage's Parquet, so `run.output_dir`
must be storage they all reach: a shared mount, or object storage. Run paths are
`universal_pathlib` paths: a local one is a plain `pathlib.Path`, a URI one lists, reads and
writes through its fsspec filesystem (s3fs, gcsfs, ... must be installed for the scheme).
Parquet goes through pyarrow, which Ray Data and the driver's bookkeeping both use:
`arrow_dataset` hands pyarrow the same fsspec filesystem the listing used.

Object storage has no atomic directory rename, so there a stage is written in place and only
its record (written last) marks it complete; locally it is still written aside and renamed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as pads
from upath import UPath


def run_path(location: str) -> Path:
    """`location` as a path object: a pathlib.Path for local paths and file:// URIs, a UPath
    for every other URI."""
    path = UPath(location)
    return Path(path.path).expanduser() if path.protocol in ("", "file", "local") else path


def is_local(path: Path) -> bool:
    """True for paths on this machine's filesystem (renames are atomic there)."""
    return not isinstance(path, UPath) or path.protocol == ""


def storage_location(path: Path) -> str:
    """`path` as libraries that take a string want it (Ray Train's `storage_path`, Ray Data's
    writers): the URI of an object-storage path, the absolute form of a local one."""
    return str(path.resolve()) if is_local(path) else str(path)


def remove_tree(path: Path) -> None:
    """Delete the directory `path` and everything under it; nothing if it is absent."""
    if is_local(path):
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        path.fs.rm(path.path, recursive=True)


# Batches the driver scans at a time: pyarrow's default readahead (4 files, 16 batches) holds
# whole row groups of several files at once, and Ray Data's files grow with a stage's rows.
DRIVER_SCAN_BATCH_ROWS = 65_536


def driver_batches(dataset: pads.Dataset, columns: list[str],
                   filter: pads.Expression | None = None) -> Iterator[pa.RecordBatch]:
    """`columns` of `dataset` (rows matching `filter`) a bounded batch at a time, so the driver's
    memory for bookkeeping scans stays flat however many rows a stage wrote."""
    return dataset.to_batches(columns=columns, filter=filter, batch_size=DRIVER_SCAN_BATCH_ROWS,
                              batch_readahead=1, fragment_readahead=1)


def arrow_dataset(files: list[Path]) -> pads.Dataset:
    """A pyarrow dataset over Parquet `files` (all on one filesystem)."""
    if is_local(files[0]):
        return pads.dataset([str(f) for f in files], format="parquet")
    from pyarrow.fs import FSSpecHandler, PyFileSystem

    return pads.dataset([f.path for f in files], format="parquet",
                        filesystem=PyFileSystem(FSSpecHandler(files[0].fs)))


def parquet_dataset(path: Path) -> pads.Dataset | None:
    """The Parquet files under `path`, or None when the stage wrote no rows."""
    files = sorted(path.glob("*.parquet"), key=str)
    return arrow_dataset(files) if files else None


def parquet_bytes(path: Path) -> int:
    """The size on storage of the Parquet files under `path`."""
    dataset = parquet_dataset(path)
    if dataset is None:
        return 0
    infos = dataset.filesystem.get_file_info(dataset.files)
    return sum(info.size or 0 for info in infos)
