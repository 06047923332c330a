"""How a failed command ends for its user: one line, never a traceback on the terminal.

A write that failed mid-run (permission, disk full, an object store refusing) is said as the
path and the cause: whatever was complete is kept, so the same command resumes once the cause
is gone. Any other unexpected exception is said in one line, and its whole traceback goes to
`<run dir>/logs/` (or the temp directory when there is no run directory to write), where the
line points; `--verbose` shows it on the terminal instead.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path

from synth.run.directory import RunDirectory


def _causes(error: BaseException) -> Iterator[BaseException]:
    """`error` and what it wraps: Python's cause/context chain, and Ray's `cause` of an
    exception raised in a task or actor."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        wrapped = getattr(current, "cause", None)
        current = (wrapped if isinstance(wrapped, BaseException)
                   else current.__cause__ or current.__context__)


RESUMES = "completed stages and answered requests are kept; the same command resumes"


def write_failure(error: BaseException, run_dir: Path | None) -> str | None:
    """The line for a failed filesystem or object-store operation in the run directory that
    `error` is or wraps (its path and cause: Python's errors carry the path apart, pyarrow's
    in the message), else None. A refused connection is an OSError too, but no write."""
    failed = [cause for cause in _causes(error) if isinstance(cause, OSError)
              and not isinstance(cause, (ConnectionError, TimeoutError))]
    if not failed or run_dir is None:
        return None
    cause = failed[-1]  # the innermost: Ray's task errors wrap it, and are OSErrors too
    if cause.strerror and ("'/" in cause.strerror or "://" in cause.strerror):
        line = f"a write failed: {cause.strerror}"  # pyarrow: the path is in the text
    elif cause.filename and cause.strerror:
        line = f"cannot write {cause.filename}: {cause.strerror}"
    else:
        line = f"a write failed: {str(cause).strip().splitlines()[0]}"
    where = getattr(run_dir, "path", None) or str(run_dir)  # object storage: without the scheme
    return f"{line}; {RESUMES}" if where in line else None


def save_traceback(error: BaseException, run_dir: Path | None) -> Path:
    """Write `error`'s full traceback to `run_dir/logs/` (the temp directory when that cannot
    be written) and return the file."""
    text = "".join(traceback.format_exception(error))
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    logs = [RunDirectory(run_dir).logs_dir] if run_dir is not None else []
    for folder in logs + [Path(tempfile.gettempdir())]:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"synth-traceback-{stamp}.txt"
            path.write_text(text)
            return path
        except OSError:
            continue
    raise error


def unexpected_line(error: BaseException, log: Path) -> str:
    """The one line an unexpected error gets: its kind, its first line, where the rest is."""
    first = next(iter(str(error).strip().splitlines()), "")
    return (f"unexpected error: {type(error).__name__}: {first} (full traceback: {log}; "
            "rerun with --verbose to see it here)")
