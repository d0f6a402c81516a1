"""The release-wide attacker against small hand-made exports: it finds the leaks planted in them
(each worked out by hand in a comment) and finds nothing in a safe one."""

from __future__ import annotations

import csv
import json
from fractions import Fraction
from pathlib import Path

import pytest

from tests.release_attacker import Finding, attack, run

COLUMNS = [
    "indicator", "period", "dimension", "group", "unit", "numerator", "denominator", "value",
    "display", "marker", "rule", "threshold", "policy_version",
]  # fmt: skip
MARKERS = {"published": "", "primary": "*", "small": "*", "complementary": "‡", "bottom": "coded"}

Key = tuple[str, str, str, str]


def cell(
    key: Key,
    n: int | None,
    d: int | None,
    rule: str = "published",
    display: str | None = None,
) -> dict[str, str]:
    """A results.csv row; the percent is shown when both counts are (rounded half up)."""
    value = "" if n is None or d is None else str(int(Fraction(100 * n, d) + Fraction(1, 2)))
    indicator, period, dimension, group = key
    return {
        "indicator": indicator, "period": period, "dimension": dimension, "group": group,
        "unit": "percent", "numerator": "" if n is None else str(n),
        "denominator": "" if d is None else str(d), "value": value,
        "display": display or (f"{value}%" if value else "*"),
        "marker": MARKERS[rule.split()[0].rstrip(":")], "rule": rule, "threshold": "10",
        "policy_version": "hand-made",
    }  # fmt: skip


def export(
    tmp_path: Path, rows: list[dict[str, str]], dimensions: dict[str, dict[str, bool]]
) -> Path:
    """An export folder: results.csv, and dimensions.json marking which dimensions add up."""
    data = tmp_path / "data"
    data.mkdir()
    with (data / "results.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    spec = {i: {d: {"additive": a} for d, a in dims.items()} for i, dims in dimensions.items()}
    (data / "dimensions.json").write_text(json.dumps(spec), encoding="utf-8")
    (data / "partitions.json").write_text("[]", encoding="utf-8")
    return tmp_path


def k(group: str, dimension: str = "sex", indicator: str = "reading", period: str = "2025") -> Key:
    return (indicator, period, "overall" if group == "all" else dimension, group)


def derived(key: Key, quantity: str, true: int, low: int, high: int) -> Finding:
    return Finding(*key, quantity=quantity, true=true, low=low, high=high)


def test_a_group_size_left_over_from_the_total_is_found(tmp_path: Path) -> None:
    # total 40 (20 read), group a 35 (18 read) shown, group b withheld as too small:
    # D_b = 40 − 35 = 5, N_b = 20 − 18 = 2, C_b = 5 − 2 = 3. All three are pinned and small.
    rows = [
        cell(k("all"), 20, 40),
        cell(k("a"), 18, 35),
        cell(k("b"), None, None, "primary: n < 10"),
    ]
    truth = {k("all"): (20, 40), k("a"): (18, 35), k("b"): (2, 5)}
    folder = export(tmp_path, rows, {"reading": {"sex": True}})
    assert attack(folder, truth) == [
        derived(k("b"), "complement", 3, 3, 3),
        derived(k("b"), "denominator", 5, 5, 5),
        derived(k("b"), "numerator", 2, 2, 2),
    ]
    # Without the truth every withheld count is examined; the same three are pinned.
    assert [(f.quantity, f.low, f.high) for f in attack(folder)] == [
        ("complement", 3, 3),
        ("denominator", 5, 5),
        ("numerator", 2, 2),
    ]


def test_the_one_person_outside_an_overlapping_group_is_found(tmp_path: Path) -> None:
    # The overall row is withheld, but the additive sex groups give it: D = 300 + 268 = 568,
    # N = 150 + 134 = 284, C = 284. The overlapping group "shelter" shows 567 people, 284 of them
    # with the outcome: outside it are D = 568 − 567 = 1 person, N = 284 − 284 = 0 (not small)
    # and C = 284 − 283 = 1.
    shelter = k("shelter", "project_type")
    rows = [
        cell(k("all"), None, None, "complementary: release", "‡"),
        cell(k("female"), 150, 300),
        cell(k("male"), 134, 268),
        cell(shelter, 284, 567),
    ]
    truth = {k("all"): (284, 568), k("female"): (150, 300), k("male"): (134, 268)}
    truth[shelter] = (284, 567)
    folder = export(tmp_path, rows, {"reading": {"sex": True, "project_type": False}})
    assert attack(folder, truth) == [
        derived(shelter, "outside complement", 1, 1, 1),
        derived(shelter, "outside denominator", 1, 1, 1),
    ]


def test_a_small_difference_shown_outright_is_found(tmp_path: Path) -> None:
    # Both numbers are shown: 568 overall, 567 in the overlapping group, so 1 person outside.
    # N: 284 − 284 = 0 (not small); C: 284 − 283 = 1.
    shelter = k("shelter", "project_type")
    rows = [cell(k("all"), 284, 568), cell(shelter, 284, 567)]
    folder = export(tmp_path, rows, {"reading": {"project_type": False}})
    found = attack(folder, {k("all"): (284, 568), shelter: (284, 567)})
    assert [(f.quantity, f.true, f.kind) for f in found] == [
        ("outside complement", 1, "published"),
        ("outside denominator", 1, "published"),
    ]


def test_a_bottom_coded_group_of_known_size_has_a_numerator_of_0_or_1(tmp_path: Path) -> None:
    # D_b = 200 − 170 = 30 (additive groups a and b). "<=5%" says 100·N_b ≤ 5·30, so N_b ≤ 1.5:
    # N_b ∈ {0, 1}, two values, and truly 1. Nothing else pins N_b (N_a and the total are
    # withheld), and C_b ∈ {29, 30} is not small.
    b = k("b")
    rows = [
        cell(k("all"), None, 200, "complementary: release", "‡"),
        cell(k("a"), None, 170, "complementary: release", "‡"),
        cell(b, None, None, "bottom coded", "<=5%"),
    ]
    truth = {k("all"): (40, 200), k("a"): (39, 170), b: (1, 30)}
    folder = export(tmp_path, rows, {"reading": {"sex": True}})
    assert attack(folder, truth) == [derived(b, "numerator", 1, 0, 1)]


def two_indicators(enrolled_2024: int) -> tuple[list[dict[str, str]], dict[Key, tuple[int, int]]]:
    """Graduates become the enrollment indicator's group: graduation N = enrollment D."""
    grad, enrol = "graduation", "enrollment"
    rows = [
        cell(k("all", indicator=grad, period="2024"), 48, 60),
        cell(k("all", indicator=enrol, period="2024"), 30, enrolled_2024),
        cell(k("all", indicator=grad), None, 122, "complementary: release", "‡"),
        cell(k("female", indicator=grad), 45, 60),
        cell(k("male", indicator=grad), 35, 51),
        cell(k("other", indicator=grad), None, 11, "small count"),
        cell(k("all", indicator=enrol), None, 90, "complementary: release", "‡"),
        cell(k("female", indicator=enrol), 30, 45),
        cell(k("male", indicator=enrol), 20, 35),
        cell(k("other", indicator=enrol), None, 10, "small numerator"),
    ]
    truth = {
        k("all", indicator=grad, period="2024"): (48, 60),
        k("all", indicator=enrol, period="2024"): (30, 48),
        k("all", indicator=grad): (90, 122),
        k("female", indicator=grad): (45, 60),
        k("male", indicator=grad): (35, 51),
        k("other", indicator=grad): (10, 11),
        k("all", indicator=enrol): (54, 90),
        k("female", indicator=enrol): (30, 45),
        k("male", indicator=enrol): (20, 35),
        k("other", indicator=enrol): (4, 10),
    }
    return rows, truth


def test_a_small_count_is_pinned_by_an_equal_series_of_another_indicator(tmp_path: Path) -> None:
    # Graduation's numerator equals enrollment's denominator wherever both are shown: 48 (2024
    # overall), 45 (2025 female), 35 (2025 male): three keys, so they are taken to be equal on
    # every key both have. Graduation "other" shows D = 11 and "small count": on its own
    # N ∈ 1..9 or C ∈ 1..9, that is N ∈ 1..10, ten values. Enrollment "other" shows D = 10,
    # so graduation N = 10 and C = 11 − 10 = 1 (N = 10 is not small, so only C is a finding).
    rows, truth = two_indicators(enrolled_2024=48)
    folder = export(tmp_path, rows, {"graduation": {"sex": True}, "enrollment": {"sex": True}})
    report = run(folder, truth)
    assert report.findings == [derived(k("other", indicator="graduation"), "complement", 1, 1, 1)]
    assert report.notes == []


def test_series_that_disagree_once_are_not_taken_to_be_equal(tmp_path: Path) -> None:
    # The same export with 47 enrolled in 2024 (truth 48 is irrelevant to the reader): 48 ≠ 47,
    # so the two series are not linked and graduation "other" keeps N ∈ 1..10.
    rows, truth = two_indicators(enrolled_2024=47)
    truth[k("all", indicator="enrollment", period="2024")] = (30, 47)
    folder = export(tmp_path, rows, {"graduation": {"sex": True}, "enrollment": {"sex": True}})
    assert attack(folder, truth) == []


def test_an_equality_that_cannot_hold_is_dropped_where_it_fails(tmp_path: Path) -> None:
    # Reading and math show the same D, N and C in 2024 (90, 45, 45) and for 2025 female
    # (50, 25, 25) and male (40, 15, 25), so each pair of series is assumed equal on every common
    # key. But reading "other" is too small (D ≤ 9) while math "other" passed the primary rules
    # (N ≥ 10, C ≥ 10): no equality on "other" can hold, so all three are dropped in 2025.
    # Reading alone still gives "other" away: D = 95 − 90 = 5, N = 42 − 40 = 2, C = 3.
    def both(indicator: str) -> list[dict[str, str]]:
        return [
            cell(k("all", indicator=indicator, period="2024"), 45, 90),
            cell(k("female", indicator=indicator), 25, 50),
            cell(k("male", indicator=indicator), 15, 40),
        ]

    rows = [
        *both("reading"),
        cell(k("all", indicator="reading"), 42, 95),
        cell(k("other", indicator="reading"), None, None, "primary: n < 10"),
        *both("math"),
        cell(k("all", indicator="math"), None, None, "complementary: release", "‡"),
        cell(k("other", indicator="math"), None, None, "complementary: release", "‡"),
    ]
    truth = {
        k("all", indicator="reading"): (42, 95),
        k("other", indicator="reading"): (2, 5),
        k("all", indicator="math"): (52, 115),
        k("other", indicator="math"): (12, 25),
    }
    folder = export(tmp_path, rows, {"reading": {"sex": True}, "math": {"sex": True}})
    report = run(folder, truth)
    reading_other = k("other", indicator="reading")
    assert report.findings == [
        derived(reading_other, "complement", 3, 3, 3),
        derived(reading_other, "denominator", 5, 5, 5),
        derived(reading_other, "numerator", 2, 2, 2),
    ]
    for quantity in ("denominator", "numerator", "complement"):
        assert (
            f"dropped 'math {quantity} = reading {quantity}' where it is infeasible" in report.notes
        )


def test_a_protected_export_gives_nothing_away(tmp_path: Path) -> None:
    # Total 100 (45 read); a = 70 (30 read) shown; b (truly 5, 2 read) withheld as too small;
    # c (truly 25, 13 read) withheld as its complement. b + c = 30 people, 15 read, 15 did not.
    # c's rule says N_c ≥ 10 and C_c ≥ 10, so N_b ≤ 5 and C_b ≤ 5: N_b, C_b ∈ 0..5 (6 values),
    # D_b ∈ 0..9 (10 values, D_b ≤ 9 by its rule). Every small count keeps at least 4 values.
    rows = [
        cell(k("all"), 45, 100),
        cell(k("a"), 30, 70),
        cell(k("b"), None, None, "primary: n < 10"),
        cell(k("c"), None, None, "complementary: partition 2025|overall|all", "‡"),
    ]
    truth = {k("all"): (45, 100), k("a"): (30, 70), k("b"): (2, 5), k("c"): (13, 25)}
    folder = export(tmp_path, rows, {"reading": {"sex": True}})
    report = run(folder, truth)
    assert report.findings == []
    assert report.notes == []
    assert report.examined == 3  # D, N and C of b; c's counts are not small


def test_the_either_or_of_a_small_count_cuts_a_range_to_two_values(tmp_path: Path) -> None:
    # Total 110 (12 with the outcome). x shows D = 30 with "small count"; y is "<=5%".
    # D_y = 110 − 30 = 80, so N_y ≤ 5% of 80 = 4 and N_x = 12 − N_y ∈ 8..12 (five values).
    # "small count" says N_x ≤ 9 or C_x = 30 − N_x ≤ 9 (N_x ≥ 21): so N_x ∈ {8, 9} and
    # N_y = 12 − N_x ∈ {3, 4}. Truly N_x = 9 and N_y = 3: both found.
    x, y = k("x"), k("y")
    rows = [
        cell(k("all"), 12, 110),
        cell(x, None, 30, "small count"),
        cell(y, None, None, "bottom coded", "<=5%"),
    ]
    truth = {k("all"): (12, 110), x: (9, 30), y: (3, 80)}
    folder = export(tmp_path, rows, {"reading": {"sex": True}})
    assert attack(folder, truth) == [
        derived(x, "numerator", 9, 8, 9),
        derived(y, "numerator", 3, 3, 4),
    ]


@pytest.mark.parametrize("true_numerator", [1, 2])
def test_a_small_count_with_its_size_shown_alone_stays_open(
    tmp_path: Path, true_numerator: int
) -> None:
    # One group of 11, "small count" (N ∈ 1..9 or C ∈ 1..9): N ∈ 1..10, C ∈ 1..10; safe.
    rows = [cell(k("all"), None, 11, "small count")]
    folder = export(tmp_path, rows, {"reading": {}})
    assert attack(folder, {k("all"): (true_numerator, 11)}) == []
