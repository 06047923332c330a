"""`synth push` uploads exactly the folder `datasets.load_dataset` reads, and every refusal
is one line and exit 2 before anything is sent. The Hub is never contacted: the upload goes
to a recording stand-in bound to HfApi's real signatures, and the CLI cases point HF_ENDPOINT
at a closed port (offline) or at a loopback server that answers 401 (a bad token)."""

from __future__ import annotations

import fnmatch
import inspect
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from huggingface_hub import HfApi
from upath import UPath

from synth.publishing import PushRefused, publish, upload_plan
from synth.report.data_card import DATA_FILES
from synth.runner import write_empty_dataset
from tests.fake_finished_run import FINAL_SCHEMA, REPORT_FILES, finished_run

REPO = Path(__file__).resolve().parents[2]


def materialise(plan: list[tuple[Path, str]], folder: Path) -> Path:
    for local, in_repo in plan:
        (folder / in_repo).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(local, folder / in_repo)
    return folder


def load_rows(folder: Path, cache: Path):
    import datasets

    return datasets.load_dataset(str(folder), split="train", cache_dir=str(cache))


def test_the_plan_is_the_card_and_the_parquet_that_load_dataset_reads(tmp_path: Path):
    import datasets

    _, run_dir = finished_run(tmp_path / "tiny")
    plan = upload_plan(run_dir)
    assert plan == [(run_dir.card_path, "README.md"),
                    (run_dir.final_path / "part-0.parquet", "data/part-0.parquet"),
                    (run_dir.final_path / "part-1.parquet", "data/part-1.parquet")]
    folder = materialise(plan, tmp_path / "repo")
    builder = datasets.load_dataset_builder(str(folder), cache_dir=str(tmp_path / "cache"))
    read = sorted(Path(f).relative_to(folder).as_posix() for f in builder.config.data_files["train"])
    assert read == [in_repo for _, in_repo in plan[1:]]  # the card's pattern matches the plan
    assert all(fnmatch.fnmatch(path, DATA_FILES) for path in read)
    rows = load_rows(folder, tmp_path / "cache")
    assert sorted(rows["id"]) == sorted(f"id-{n}" for n in range(10))


def test_the_report_goes_under_report_and_is_never_read_as_rows(tmp_path: Path):
    _, run_dir = finished_run(tmp_path / "tiny")
    plan = upload_plan(run_dir, with_report=True)
    assert [in_repo for _, in_repo in plan[3:]] == sorted(f"report/{name}" for name in REPORT_FILES)
    assert load_rows(materialise(plan, tmp_path / "repo"), tmp_path / "cache").num_rows == 10


def test_a_run_without_a_card_or_rows_is_refused(tmp_path: Path):
    _, run_dir = finished_run(tmp_path / "tiny")
    run_dir.card_path.unlink()
    with pytest.raises(PushRefused, match="is not a finished run: it has no data card"):
        upload_plan(run_dir)
    _, run_dir = finished_run(tmp_path / "empty")
    write_empty_dataset(FINAL_SCHEMA, run_dir.final_path)
    with pytest.raises(PushRefused, match="has no rows to publish"):
        upload_plan(run_dir)


class RecordingHub:
    """Records what `publish` asks of the Hub; each call must bind to HfApi's own signature."""

    endpoint = "https://hub.invalid"

    def __init__(self, files_in_repo: list[str]) -> None:
        self.files_in_repo = files_in_repo
        self.calls: dict[str, inspect.BoundArguments] = {}
        self.uploaded: dict[str, bytes] = {}

    def _record(self, name: str, *args, **kwargs) -> None:
        bound = inspect.signature(getattr(HfApi, name)).bind(self, *args, **kwargs)
        self.calls[name] = bound

    def create_repo(self, *args, **kwargs) -> str:
        self._record("create_repo", *args, **kwargs)
        return f"{self.endpoint}/datasets/{args[0]}"

    def list_repo_files(self, *args, **kwargs) -> list[str]:
        self._record("list_repo_files", *args, **kwargs)
        return self.files_in_repo

    def create_commit(self, *args, **kwargs) -> None:
        self._record("create_commit", *args, **kwargs)
        for operation in self.calls["create_commit"].arguments["operations"]:
            if hasattr(operation, "as_file"):
                with operation.as_file() as content:
                    self.uploaded[operation.path_in_repo] = content.read()


@pytest.mark.parametrize("where", ["local", "object storage"])
def test_publish_commits_the_plan_and_deletes_stale_shards(where: str, tmp_path: Path):
    root = tmp_path / "tiny" if where == "local" else UPath(f"memory://runs-{os.getpid()}/tiny")
    _, run_dir = finished_run(root)
    plan = upload_plan(run_dir, with_report=True)
    hub = RecordingHub([".gitattributes", "notes.md", "data/part-0.parquet",
                        "data/old-run.parquet", "report/old.png"])
    url = publish(hub, plan, "someone/tiny", private=True, message="synth push: run tiny")
    assert url == "https://hub.invalid/datasets/someone/tiny"
    created = hub.calls["create_repo"].arguments
    assert (created["repo_type"], created["private"], created["exist_ok"]) == ("dataset", True, True)
    commit = hub.calls["create_commit"].arguments
    assert commit["repo_type"] == "dataset"
    assert hub.uploaded == {in_repo: local.read_bytes() for local, in_repo in plan}
    deleted = [op.path_in_repo for op in commit["operations"] if not hasattr(op, "as_file")]
    assert deleted == ["data/old-run.parquet", "report/old.png"]  # stale shards would be rows


def synth_push(run_dir: Path, *flags: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_ENDPOINT", "HF_HUB_OFFLINE")}
    return subprocess.run([sys.executable, "-m", "synth.cli", "push", str(run_dir), "someone/tiny",
                           *flags], cwd=REPO, env={**environment, **env}, capture_output=True,
                          text=True, timeout=120, check=False)


def one_line(result: subprocess.CompletedProcess) -> str:
    err = result.stderr.strip()
    assert err.splitlines() == [err], result.stderr
    assert "Traceback" not in err
    assert result.stdout == ""
    return err


def test_no_token_is_one_line_and_exit_2(tmp_path: Path):
    _, run_dir = finished_run(tmp_path / "tiny")
    result = synth_push(run_dir.root)
    assert one_line(result) == "synth push: no Hugging Face token: set HF_TOKEN"
    assert result.returncode == 2


def test_an_unreachable_hub_is_one_line_and_exit_2(tmp_path: Path):
    _, run_dir = finished_run(tmp_path / "tiny")
    result = synth_push(run_dir.root, "--with-report", HF_TOKEN="hf_fake",
                        HF_ENDPOINT="http://127.0.0.1:9")  # a closed port: offline
    assert one_line(result).startswith(
        "synth push: cannot reach the Hugging Face Hub at http://127.0.0.1:9 (")
    assert result.returncode == 2


class Unauthorized(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # the Hub's answer to an invalid token on /api/whoami-v2
        body = b'{"error": "Invalid credentials in Authorization header"}'
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_an_invalid_token_is_one_line_and_exit_2(tmp_path: Path):
    _, run_dir = finished_run(tmp_path / "tiny")
    server = HTTPServer(("127.0.0.1", 0), Unauthorized)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = synth_push(run_dir.root, HF_TOKEN="hf_invalid",
                            HF_ENDPOINT=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
    assert one_line(result) == ("synth push: the Hugging Face Hub refused the token in HF_TOKEN "
                                "(401 Unauthorized: invalid or expired)")
    assert result.returncode == 2


def test_a_directory_that_is_no_finished_run_is_one_line_and_exit_2(tmp_path: Path):
    result = synth_push(tmp_path / "nothing", HF_TOKEN="hf_fake")
    assert one_line(result) == (f"synth push: {tmp_path / 'nothing'} is not a finished run: it has "
                                f"no data card {tmp_path / 'nothing' / 'final' / 'README.md'} "
                                "(written when a run ends)")
    assert result.returncode == 2
