"""A decontamination benchmark that is empty, malformed or not UTF-8 stops `synth run` before
any work with one line naming the file (and line) and exit code 2, never a traceback or a
decontamination step that silently checks nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from synth.cli import main

CASES = {
    "empty": (b"", "no items to decontaminate against (the source is empty)"),
    "malformed": (b'{"question": "What is 2+2?"}\n{"question": "x"\n', "line 2: not a JSON object"),
    "not_utf8": (b'{"question": "caf\xe9"}\n', "line 1: not UTF-8 text"),
    "not_objects": (b'["a list"]\n', "line 1: not a JSON object (a JSON list, not an object)"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_benchmark_file_is_one_line_and_exit_2(case, tmp_path: Path, capsys):
    content, message = CASES[case]
    path = tmp_path / f"{case}.jsonl"
    path.write_bytes(content)
    code = main(["run", "pipelines/quickstart.yaml", "--dry-run",
                 f"run.output_dir={tmp_path}", f"decontamination.benchmarks=[{{name: held_out, path: {path}}}]"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.splitlines() == [err] and "Traceback" not in err
    assert err.startswith("synth: bad input: benchmark held_out: ") and message in err
    if case != "empty":
        assert str(path) in err
