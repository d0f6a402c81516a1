"""``backbone check-disclosure`` run as a real process on exports written into tmp_path."""

from __future__ import annotations

import json
import os
import subprocess

from backbone.disclosure import Cell, Partition, Policy, protect
from tests.disclosure.exports import INDICATOR, RACE, published_rows, row, write_export
from tests.fixtures import BACKBONE, PROJECT_ROOT


def check(directory) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"COLUMNS": "200", "PYTHONPATH": str(PROJECT_ROOT / "src")}
    return subprocess.run(
        [*BACKBONE, "check-disclosure", str(directory)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_a_group_recoverable_by_subtraction_fails_the_check(tmp_path):
    rows = [
        row("all", 120, 30, display="25%", value=25),
        row("Asian", None, None, display="*", rule="small numerator"),
        row("Black", 50, 14, display="28%", value=28),
        row("White", 62, 12, display="19%", value=19),
    ]
    result = check(write_export(tmp_path, rows))
    assert result.returncode == 1, result.stdout + result.stderr
    # 120 - 50 - 62 = 8 students, 30 - 14 - 12 = 4 chronically absent, 4 not.
    line = next(line for line in result.stdout.splitlines() if "denominator" in line)
    for text in (INDICATOR, "2024-25", RACE, "Asian", "denominator", "8"):
        assert text in line
    assert "numerator" in result.stdout and "complement" in result.stdout
    assert "3 small count(s) can be narrowed." in result.stdout


def test_a_safe_export_passes_with_a_one_line_summary(tmp_path):
    rows = [
        row("all", 120, 30, display="25%", value=25),
        row("Asian", None, None, display="*"),
        row("Black", None, None, display="‡"),
        row("White", 62, 12, display="19%", value=19),
    ]
    result = check(write_export(tmp_path, rows))
    assert result.returncode == 0, result.stdout + result.stderr
    summary = " ".join(result.stdout.split())
    assert summary.startswith("4 cells checked in ")
    assert summary.endswith("no small count can be narrowed to fewer than four values.")


def test_an_undeclared_additive_dimension_is_still_checked(tmp_path):
    rows = [row("all", 40), row("Asian", None), row("Black", 35)]
    additive = check(write_export(tmp_path, rows, additive=True))
    assert additive.returncode == 1
    assert "Asian" in additive.stdout and "outside" not in additive.stdout
    # Overlapping groups do not add up, but each is part of the total: 40 - 35 = 5 people are
    # outside the Black group, a small count published by subtraction.
    overlapping = check(write_export(tmp_path, rows, additive=False))
    assert overlapping.returncode == 1
    line = next(line for line in overlapping.stdout.splitlines() if "Black" in line)
    assert "outside denominator" in line and " 5 " in line and "Asian" not in overlapping.stdout


def test_declared_partitions_across_periods_are_used(tmp_path):
    year, quarters = "2024", ["2024-Q1", "2024-Q2", "2024-Q3"]
    rows = [row("all", 90, period=year)] + [
        row("all", size, period=quarter)
        for quarter, size in zip(quarters, [40, None, 45], strict=True)
    ]
    partition = {
        "indicator": INDICATOR,
        "period": year,
        "total": ["overall", "all"],
        "parts": [["overall", "all", quarter] for quarter in quarters],
    }
    result = check(write_export(tmp_path, rows, [partition]))
    assert result.returncode == 1  # 90 - 40 - 45 = 5 in the second quarter
    assert "2024-Q2" in result.stdout


def test_protected_output_passes_the_check(tmp_path):
    groups = {"Asian": (2, 7), "Black": (14, 50), "Hispanic": (20, 61), "White": (12, 62)}
    cells = [Cell("all", 48, 180, None, "percent")]
    cells += [Cell(g, n, d, None, "percent") for g, (n, d) in groups.items()]
    published = protect(cells, [Partition("all", tuple(groups))], Policy())
    rows = published_rows(published, "percent")
    result = check(write_export(tmp_path, rows))
    assert result.returncode == 0, result.stdout + result.stderr
    assert {published["Asian"].display, published["White"].display} == {"*", "‡"}


def test_a_malformed_row_names_file_row_and_field(tmp_path):
    rows = [row("all", 120, 30), row("Asian", 12, None) | {"numerator": "twelve"}]
    result = check(write_export(tmp_path, rows))
    assert result.returncode == 2
    assert "data/results.csv row 3, field 'numerator': 'twelve' is not a whole number" in " ".join(
        result.stderr.split()
    )


def test_a_missing_export_is_reported(tmp_path):
    result = check(tmp_path)
    assert result.returncode == 2
    assert "data/results.csv: file not found" in " ".join(result.stderr.split())


def test_a_partition_naming_an_unknown_row_is_reported(tmp_path):
    partition = {"indicator": INDICATOR, "period": "2024-25", "total": ["overall", "all"]}
    partition["parts"] = [[RACE, "Asian"], [RACE, "Martian"]]
    write_export(tmp_path, [row("all", 40), row("Asian", 40)], [partition])
    result = check(tmp_path)
    assert result.returncode == 2
    message = " ".join(result.stderr.split())
    assert "data/partitions.json entry 1, field 'parts[1]'" in message
    assert "Martian" in message


def test_a_bad_dimensions_file_is_reported(tmp_path):
    write_export(tmp_path, [row("all", 40)])
    (tmp_path / "data" / "dimensions.json").write_text(json.dumps({INDICATOR: {RACE: {}}}))
    result = check(tmp_path)
    assert result.returncode == 2
    assert f"field '{INDICATOR}.{RACE}'" in " ".join(result.stderr.split())
