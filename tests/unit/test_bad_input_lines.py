"""Every bad input gets one clear line before any work, and a failed run never ends in a
traceback: each case asserts the exit code, the one line (naming the file or key, and the
cause) and that Ray was never started where the check is pre-flight."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from omegaconf import OmegaConf

from synth.cli import main
from synth.config.concept_methods import SeedsConfig
from synth.config.loading import load_config
from synth.data_files import PREFLIGHT_LINES
from synth.run.directory import RunDirectory

GOOD = b'{"question": "What is 2+2?", "solution": "\\\\boxed{4}"}\n'
FILES = {  # name: (content, what the line says is wrong)
    "malformed": (GOOD + b'{"question": "x"\n', "line 2: not a JSON object (Expecting"),
    "no_field": (b'{"problem": "What is 2+2?"}\n', "line 1: no field 'question' (fields: problem)"),
    "not_utf8": (GOOD + b'{"question": "caf\xe9"}\n', "line 2: not UTF-8 text"),
    "empty": (b"", "holds no records (the file is empty)"),
    "not_objects": (b'["a list"]\n', "line 1: not a JSON object (a JSON list, not an object)"),
}
# Where data enters: the config each entry point is checked in, and the overrides naming a file.
ENTRY_POINTS = {
    "seeds": (["run", "pipelines/mathscale_cpu.yaml"],
              lambda path: ["seeds.packaged=null", "seeds.topic_field=null", f"seeds.path={path}"], "seeds: "),
    "decontamination benchmark": (["run", "pipelines/quickstart.yaml"],
                                  lambda path: [f"decontamination.benchmarks=[{{name: held_out, path: {path}}}]"],
                                  "benchmark held_out: "),
    "eval benchmark": (["eval", "pipelines/eval_cpu.yaml"],
                       lambda path: [f"benchmarks=[{{name: held_out, path: {path}}}]"],
                       "benchmark held_out: "),
    "QFT questions": (["train", "qft", "pipelines/qft_cpu.yaml"],
                      lambda path: ["questions.packaged=null", f"questions.paths=[{path}]"],
                      "questions.paths[0]: "),
    "difficulty-label seeds": (["train", "difficulty", "pipelines/difficulty_cpu.yaml"],
                               lambda path: ["train.seeds.packaged=null", f"train.seeds.path={path}"],
                               "train.seeds: "),
}


@pytest.fixture
def no_ray(monkeypatch):
    """Fails the test if anything starts Ray: these checks come before any work. (`ray.init`
    itself: a module that imported `start_ray` while a patch of it was active would keep it.)"""
    def refuse(*args, **kwargs):
        raise AssertionError("Ray was started")
    monkeypatch.setattr("ray.init", refuse)


def one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.splitlines() == [err], err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
@pytest.mark.parametrize("case", list(FILES))
def test_a_bad_data_file_is_one_line_and_exit_2_before_ray(entry, case, tmp_path: Path, capsys, no_ray):
    command, overrides, label = ENTRY_POINTS[entry]
    content, problem = FILES[case]
    path = tmp_path / f"{case}.jsonl"
    path.write_bytes(content)
    dry_run = ["--dry-run", f"run.output_dir={tmp_path / 'runs'}"] if command[0] != "train" else []
    code = main([*command, *dry_run, *overrides(path)])
    err = one_line(capsys)
    assert code == 2, err
    assert err.startswith(f"synth: bad input: {label}{path}"), err
    assert problem in err, err


def test_a_parquet_file_without_the_field_or_rows_is_one_line(tmp_path: Path, capsys, no_ray):
    missing = tmp_path / "missing.parquet"
    pq.write_table(pa.table({"problem": ["What is 2+2?"]}), missing)
    empty = tmp_path / "empty.parquet"
    pq.write_table(pa.table({"question": pa.array([], pa.string())}), empty)
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    for path, problem in [(missing, "has no column 'question' (columns: problem)"),
                          (empty, "holds no records (0 rows)"),
                          (broken, "is not a readable Parquet file")]:
        code = main(["run", "pipelines/mathscale_cpu.yaml", "--dry-run", "seeds.packaged=null",
                     "seeds.topic_field=null", f"seeds.path={path}", f"run.output_dir={tmp_path / 'runs'}"])
        err = one_line(capsys)
        assert code == 2 and err.startswith(f"synth: bad input: seeds: {path}") and problem in err, err


def test_only_the_first_lines_are_read_before_ray(tmp_path: Path, capsys, no_ray):
    """A bad line past the pre-flight window is the stage's `bad_record` row, not an error."""
    path = tmp_path / "seeds.jsonl"
    path.write_bytes(GOOD * PREFLIGHT_LINES + b"not json\n")
    code = main(["run", "pipelines/mathscale_cpu.yaml", "--dry-run", "seeds.packaged=null",
                 "seeds.topic_field=null", f"seeds.path={path}", f"run.output_dir={tmp_path / 'runs'}"])
    capsys.readouterr()
    assert code == 0


def test_a_malformed_seed_met_mid_run_is_a_counted_bad_record_with_its_line(ray_cluster, tmp_path: Path):
    from synth.stages.load_seeds import LoadSeedsStage

    lines = [json.dumps({"question": f"What is {n} + 1?", "solution": f"\\boxed{{{n + 1}}}"})
             for n in range(5)]
    lines[2] = '{"question": "cut off'
    lines.insert(4, "")  # a blank line counts in the numbering, and is no record
    lines[4:4] = ['{"problem": "a record without the question field"}']
    path = tmp_path / "seeds.jsonl"
    path.write_text("\n".join(lines) + "\n")
    seeds = OmegaConf.structured(SeedsConfig(path=str(path)))  # as if the bad lines were past the pre-flight window
    rows = sorted(LoadSeedsStage(seeds).apply(None).take_all(), key=lambda row: row["source_line"])
    assert [row["source_line"] for row in rows] == [1, 2, 3, 4, 5, 7]
    assert [row["drop_reason"] for row in rows] == [None, None, "bad_record", None, "bad_record", None]
    assert [row["question"] for row in rows if row["drop_reason"] is None] == [
        "What is 0 + 1?", "What is 1 + 1?", "What is 3 + 1?", "What is 4 + 1?"]


def test_seeds_the_hub_cannot_give_are_one_line_before_any_model(monkeypatch):
    """The Hub cannot be asked before Ray starts without network; the seed stage asks it first
    and an answer it cannot get is the same kind of one-line input error (exit 2)."""
    import datasets.config
    import huggingface_hub.constants

    from synth.data_files import DataFileError
    from synth.stages.load_seeds import LoadSeedsStage

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    for module, flag in ((datasets.config, "HF_DATASETS_OFFLINE"), (datasets.config, "HF_HUB_OFFLINE"),
                         (huggingface_hub.constants, "HF_HUB_OFFLINE")):
        monkeypatch.setattr(module, flag, True)  # read at import: set where a test imported it
    seeds = OmegaConf.structured(SeedsConfig(hf_dataset="no-such-owner/no-such-seeds"))
    with pytest.raises(DataFileError) as raised:
        LoadSeedsStage(seeds).apply(None)
    message = str(raised.value)
    assert message.startswith("seeds: cannot load hf_dataset 'no-such-owner/no-such-seeds' (")
    assert "\n" not in message


@pytest.mark.parametrize("output_dir, problem", [
    ("{file}/sub", "run.output_dir: cannot create {file}/sub/quickstart: {file} is not a directory"),
    ("/proc/synth-runs", "run.output_dir: cannot write in /proc ("),
])
def test_a_run_directory_that_cannot_be_written_is_refused_by_the_dry_run(
        output_dir, problem, tmp_path: Path, capsys, no_ray):
    file = tmp_path / "a_file"
    file.write_text("")
    code = main(["run", "pipelines/quickstart.yaml", "--dry-run",
                 f"run.output_dir={output_dir.format(file=file)}"])
    err = one_line(capsys)
    assert code == 2
    assert err.startswith("synth: config error: " + problem.format(file=file)), err


def test_the_dry_run_refuses_a_changed_config_and_names_a_growing_one(tmp_path: Path, capsys, no_ray):
    overrides = [f"run.output_dir={tmp_path}", "generate.num_questions=4"]
    RunDirectory(tmp_path / "quickstart").prepare(load_config("pipelines/quickstart.yaml", overrides))
    code = main(["run", "pipelines/quickstart.yaml", "--dry-run", *overrides, "solve.sampling.top_p=0.5"])
    err = one_line(capsys)
    assert code == 2 and "run.name: " in err and "holds a run with a different config" in err, err
    code = main(["run", "pipelines/quickstart.yaml", "--dry-run", f"run.output_dir={tmp_path}",
                 "generate.num_questions=8"])
    out = capsys.readouterr().out
    assert code == 0
    assert "(grows: generate.num_questions: 4 -> 8)" in out.splitlines()[0]


def test_an_unexpected_error_is_one_line_with_its_traceback_in_the_run_logs(tmp_path: Path, capsys,
                                                                            monkeypatch, no_ray):
    import synth.pipelines

    def broken(cfg):
        raise RuntimeError("the plan broke\nwith a second line")
    monkeypatch.setattr(synth.pipelines, "build_stages", broken)
    command = ["run", "pipelines/quickstart.yaml", f"run.output_dir={tmp_path}"]
    code = main(command)
    err = one_line(capsys)
    assert code == 1
    logs = list((tmp_path / "quickstart" / "logs").glob("synth-traceback-*.txt"))
    assert len(logs) == 1
    assert err == (f"synth: unexpected error: RuntimeError: the plan broke (full traceback: "
                   f"{logs[0]}; rerun with --verbose to see it here)")
    assert "Traceback" in logs[0].read_text() and "with a second line" in logs[0].read_text()
    with pytest.raises(RuntimeError, match="the plan broke"):
        main([*command, "--verbose"])


def test_a_write_that_fails_mid_run_names_the_path_and_the_cause(tmp_path: Path, capsys, monkeypatch):
    import synth.runner

    target = tmp_path / "quickstart" / "stages" / "05_solve.partial" / "part-0.parquet"

    def disk_full(cfg, stages):
        try:
            raise OSError(28, "No space left on device", str(target))
        except OSError as error:  # as Ray Data hands it on: wrapped in its own error
            raise RuntimeError("Failed to write the dataset") from error
    monkeypatch.setattr(synth.runner, "run_pipeline", disk_full)
    code = main(["run", "pipelines/quickstart.yaml", f"run.output_dir={tmp_path}"])
    err = one_line(capsys)
    assert code == 1
    assert err == (f"synth: cannot write {target}: No space left on device; completed stages "
                   "and answered requests are kept; the same command resumes")


@pytest.mark.parametrize("override, message", [
    ("solve.sampling.max_tokens=2048", ("solve.sampling.max_tokens: leaves no room for a prompt "
                                        "in models.solver.context_length (2048) (got 2048)")),
    ("models.solver.context_length=16384", ("models.solver.context_length: exceeds the 8192 "
                                            "tokens smollm2-135m-instruct was trained for (got 16384)")),
])
def test_a_plan_that_cannot_fit_the_models_context_is_a_config_error(override, message, capsys, no_ray):
    code = main(["run", "pipelines/quickstart.yaml", "--dry-run", override])
    assert code == 2
    assert one_line(capsys) == f"synth: config error: {message}"


def test_an_over_long_prompt_is_one_error_row_not_a_failed_batch():
    """Real llama.cpp, a 64-token context: the long request is an error row saying why, the
    short one in the same batch is answered."""
    from synth.engines.llama_cpp_engine import LlamaCppWorker
    from synth.engines.packaged_models import packaged_gguf_path

    worker = LlamaCppWorker(str(packaged_gguf_path("smollm2-135m-instruct")), 1, 64, chat=True)
    params = {"temperature": 0.0, "top_p": 1.0, "max_tokens": 8, "stop": None, "seed": 1}
    batch = pa.Table.from_pylist([
        {"messages": [{"role": "user", "content": "word " * 200}], "sampling_params": params},
        {"messages": [{"role": "user", "content": "What is 2+2?"}], "sampling_params": params}])
    long, short = worker(batch).to_pylist()
    assert long["finish_reason"] == "error" and long["generated_text"] is None
    assert long["engine_error"] == ("PromptTooLong: the prompt's 201 tokens leave no room in the "
                                    "model's 64-token context (context_length)")
    assert short["engine_error"] is None and short["generated_text"]


def test_only_a_failed_operation_in_the_run_directory_is_called_a_write_failure(tmp_path: Path):
    from synth.failure_lines import write_failure

    run_dir = tmp_path / "quickstart"
    inside = OSError(13, "Permission denied", str(run_dir / "summary.json"))
    assert write_failure(RuntimeError("wrapped"), run_dir) is None
    assert write_failure(inside, run_dir).startswith(f"cannot write {run_dir / 'summary.json'}: "
                                                     "Permission denied; ")
    assert write_failure(OSError(2, "No such file or directory", "/elsewhere/model.gguf"), run_dir) is None
    assert write_failure(ConnectionRefusedError(111, "Connection refused"), run_dir) is None


def test_the_readme_documents_the_exit_codes():
    from tests.conftest import REPO

    readme = (REPO / "README.md").read_text()
    for line in ("`0`", "`1`", "`2`", "`130`", "`143`"):
        assert line in readme.split("## Exit codes")[1].split("\n## ")[0]
