"""The second disclosure checker against hand-made exports: it must catch what an outsider can
work out (so a clean bill from it means something), and not cry wolf."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.second_checker import Truth, read_results, recoverable

COLUMNS = [
    "indicator", "period", "dimension", "group", "unit", "numerator", "denominator", "value",
    "display", "marker", "rule", "threshold", "policy_version",
]  # fmt: skip


def export(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    (tmp_path / "data").mkdir()
    with (tmp_path / "data" / "results.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: "" for c in COLUMNS} | {"threshold": "10"} | row)
    return tmp_path


def cell(group: str, n: int | None, d: int | None, dimension: str = "sex") -> dict[str, str]:
    dimension = "overall" if group == "all" else dimension
    value = "" if n is None or d is None else str(round(100 * n / d))
    return {
        "indicator": "reading", "period": "2025", "dimension": dimension, "group": group,
        "unit": "percent", "numerator": "" if n is None else str(n),
        "denominator": "" if d is None else str(d), "value": value,
        "display": f"{value}%" if value else "*",
    }  # fmt: skip


TRUTH = {
    ("reading", "2025", "overall", "all"): Truth(40, 100),
    ("reading", "2025", "sex", "female"): Truth(20, 50),
    ("reading", "2025", "sex", "male"): Truth(18, 44),
    ("reading", "2025", "sex", "nonbinary"): Truth(2, 6),
}


def test_one_withheld_group_under_a_published_total_is_caught(tmp_path):
    rows = [
        cell("all", 40, 100),
        cell("female", 20, 50),
        cell("male", 18, 44),
        cell("nonbinary", None, None),
    ]
    findings = recoverable(read_results(export(tmp_path, rows)), TRUTH)
    # By hand: 100 − 50 − 44 = 6 students, 40 − 20 − 18 = 2 proficient, 4 not.
    assert {(f.cell[3], f.quantity, f.value) for f in findings} == {
        ("nonbinary", "denominator", 6), ("nonbinary", "numerator", 2),
        ("nonbinary", "complement", 4),
    }  # fmt: skip


def test_two_withheld_groups_leave_each_one_open(tmp_path):
    rows = [
        cell("all", 40, 100),
        cell("female", 20, 50),
        cell("male", None, None),
        cell("nonbinary", None, None),
    ]
    assert recoverable(read_results(export(tmp_path, rows)), TRUTH) == []


def test_a_percent_of_a_published_denominator_gives_the_numerator_away(tmp_path):
    """4% of 50 is 2: the whole-number percent leaves (3.5%…4.5%)·50 = 1.75…2.25 → 2."""
    truth = {("reading", "2025", "overall", "all"): Truth(2, 50)}
    row = cell("all", 2, 50) | {"numerator": ""}
    findings = recoverable(read_results(export(tmp_path, [row])), truth)
    assert [(f.quantity, f.value) for f in findings] == [("numerator", 2)]


def test_top_coding_without_the_n_keeps_a_large_group_open(tmp_path):
    truth = {("reading", "2025", "overall", "all"): Truth(97, 100)}
    row = cell("all", None, None) | {"display": ">=95%", "value": ""}
    assert recoverable(read_results(export(tmp_path, [row])), truth) == []


def test_a_dimension_that_does_not_add_up_is_not_treated_as_a_partition(tmp_path):
    """Overlapping programs (a person in two) sum to more than the total: no subtraction."""
    truth = dict(TRUTH) | {("reading", "2025", "sex", "male"): Truth(19, 46)}
    rows = [
        cell("all", 40, 100),
        cell("female", 20, 50),
        cell("male", 19, 46),
        cell("nonbinary", None, None),
    ]
    assert recoverable(read_results(export(tmp_path, rows)), truth) == []
