"""The four registry-file imports refuse a bad file the same way: the file named, nothing
changed, every problem on one line however long (a wrapped line cannot be grepped or clicked)."""

from __future__ import annotations

import pytest

from tests.fixtures import workspace

LONG_NAME = "a-registry-file-with-a-name-long-enough-to-pass-eighty-columns-on-its-own.yaml"


@pytest.mark.parametrize("command", ["partnership", "programs", "evidence", "workforce"])
def test_a_refused_file_names_each_problem_on_one_line(tmp_path, command):
    bad = tmp_path / LONG_NAME
    bad.write_text("format: not-a-format/9\n")
    (tmp_path / "ws").mkdir()
    with workspace(tmp_path / "ws") as ws:
        result = ws.run(command, "import", str(bad), check=False)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert f"Refused {bad}: nothing was changed." in lines
    problems = [line for line in lines if line.strip() and not line.startswith("Refused ")]
    assert problems and all(line.startswith(f"{bad}:1: ") for line in problems), result.stderr
