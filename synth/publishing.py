"""Publish a finished run's dataset to the Hugging Face Hub: `synth push`.

    HF_TOKEN=hf_... synth push runs/quickstart you/quickstart-math
    HF_TOKEN=hf_... synth push runs/quickstart you/quickstart-math --private --with-report

The dataset repo receives exactly the folder `datasets.load_dataset` reads: the data card
(`final/README.md`) as its README.md, whose front matter points at `data/*.parquet`, and
every Parquet file of `final/data/` under data/. `--with-report` adds report/ (report.md,
report.json, PNG plots), which that pattern never matches. Everything that can be wrong is
checked before a byte is sent: a finished run with rows, a valid repo id, a token, and a Hub
that answers and accepts the token. The upload is one commit, which also deletes data/ files
an earlier push left (Ray names its Parquet files anew on every run: a stale shard left in
data/ would be read as rows).
"""

from __future__ import annotations

import importlib
import os
from contextlib import ExitStack
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, BinaryIO

from synth.report.data_card import DATA_FILES
from synth.report.run_figures import final_row_count
from synth.run.directory import RunDirectory
from synth.run.storage import is_local

if TYPE_CHECKING:
    from huggingface_hub import HfApi

DATA_FOLDER = str(PurePosixPath(DATA_FILES).parent)  # "data": the folder the card points at
REPORT_FOLDER = "report"


class PushRefused(Exception):
    """Why nothing was pushed, in one line: the run, the repo id, the token or the Hub."""


class PushFailed(Exception):
    """The Hub refused or dropped the upload itself, in one line."""


def upload_plan(run_dir: RunDirectory, with_report: bool = False) -> list[tuple[Path, str]]:
    """(file in the run, path in the repo) for every file `synth push` uploads, card first.
    Reads the run directory only; a PushRefused when it holds no finished run with rows."""
    if not run_dir.card_path.is_file():
        raise PushRefused(f"{run_dir.root} is not a finished run: it has no data card "
                          f"{run_dir.card_path} (written when a run ends)")
    data_files = sorted(run_dir.final_path.glob("*.parquet"), key=str)
    if not data_files:
        raise PushRefused(f"{run_dir.root} is not a finished run: {run_dir.final_path} holds no "
                          "Parquet file")
    if final_row_count(run_dir.final_path) == 0:
        raise PushRefused(f"{run_dir.root} has no rows to publish (its data card says why); "
                          "`datasets` cannot load an empty split")
    plan = [(run_dir.card_path, "README.md")]
    plan += [(path, f"{DATA_FOLDER}/{path.name}") for path in data_files]
    if with_report:
        if not run_dir.report_dir.is_dir():
            raise PushRefused(f"--with-report: {run_dir.report_dir} does not exist")
        reports = sorted((p for p in run_dir.report_dir.iterdir() if p.is_file()), key=str)
        plan += [(path, f"{REPORT_FOLDER}/{path.name}") for path in reports]
    return plan


def hub_token() -> str:
    """The token in HF_TOKEN, the one place `synth push` takes it from."""
    token = os.environ.get("HF_TOKEN", "").strip()
    if not token:
        raise PushRefused("no Hugging Face token: set HF_TOKEN")
    return token


def check_repo_id(repo_id: str) -> None:
    """A PushRefused for a repo id the Hub would reject, said before any request is made."""
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    try:
        validate_repo_id(repo_id)
    except HFValidationError as error:
        raise PushRefused(f"REPO_ID {repo_id!r}: {_first_line(error)}") from None


def check_hub(api: HfApi) -> None:
    """Ask the Hub who the token belongs to before anything is uploaded (a cheap call): a
    PushRefused when the Hub cannot be reached or refuses the token."""
    from huggingface_hub.errors import HfHubHTTPError

    try:
        api.whoami()
    except HfHubHTTPError as error:
        status = error.response.status_code if error.response is not None else None
        if status == 401:
            raise PushRefused("the Hugging Face Hub refused the token in HF_TOKEN "
                              "(401 Unauthorized: invalid or expired)") from None
        raise PushRefused(f"the Hugging Face Hub answered {status}: {_first_line(error)}") from None
    except _connection_errors() as error:
        raise PushRefused(f"cannot reach the Hugging Face Hub at {api.endpoint} "
                          f"({type(error).__name__}: {_first_line(error)})") from None


def publish(api: HfApi, plan: list[tuple[Path, str]], repo_id: str, private: bool,
            message: str) -> str:
    """Create the dataset repo if needed and commit `plan` to it as one commit, deleting what
    an earlier push left in its folders; returns the dataset's URL."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete
    from huggingface_hub.errors import HfHubHTTPError

    try:
        url = api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        folders = {path.split("/", 1)[0] + "/" for _, path in plan if "/" in path}
        planned = {path for _, path in plan}
        stale = [path for path in api.list_repo_files(repo_id, repo_type="dataset")
                 if path.startswith(tuple(folders)) and path not in planned]
        deletions = [CommitOperationDelete(path_in_repo=path) for path in stale]
        with ExitStack() as open_files:
            additions = [CommitOperationAdd(path_in_repo=path,
                                            path_or_fileobj=_source(local, open_files))
                         for local, path in plan]
            api.create_commit(repo_id, [*additions, *deletions], commit_message=message,
                              repo_type="dataset")
    except HfHubHTTPError as error:
        raise PushFailed(f"the Hugging Face Hub refused the upload to {repo_id}: "
                         f"{_first_line(error)}") from None
    except _connection_errors() as error:
        raise PushFailed(f"the connection to the Hugging Face Hub broke during the upload "
                         f"({type(error).__name__}: {_first_line(error)})") from None
    return str(url)


def push_run(root: Path, repo_id: str, private: bool = False,
             with_report: bool = False) -> tuple[str, int]:
    """`synth push`: check everything, then upload; returns (dataset URL, files uploaded)."""
    from huggingface_hub import HfApi

    run_dir = RunDirectory(root)
    plan = upload_plan(run_dir, with_report)
    check_repo_id(repo_id)
    api = HfApi(token=hub_token())
    check_hub(api)
    url = publish(api, plan, repo_id, private, f"synth push: run {root.name}")
    return url, len(plan)


def _source(path: Path, open_files: ExitStack) -> str | BinaryIO:
    """What CommitOperationAdd reads: a local path, or an open file for object storage (the
    Hub client only opens paths on this machine)."""
    return str(path) if is_local(path) else open_files.enter_context(path.open("rb"))


def _connection_errors() -> tuple[type[BaseException], ...]:
    """What the Hub client raises when no answer comes: its own offline error, and the
    transport errors of whichever HTTP library this huggingface_hub uses (httpx2 in 2.x,
    httpx in 1.x, requests before)."""
    from huggingface_hub.errors import OfflineModeIsEnabled

    errors: list[type[BaseException]] = [OfflineModeIsEnabled]
    for module, name in (("httpx2", "TransportError"), ("httpx", "TransportError"),
                         ("requests", "ConnectionError"), ("requests", "Timeout")):
        try:
            errors.append(getattr(importlib.import_module(module), name))
        except (ImportError, AttributeError):
            continue
    return tuple(errors)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
