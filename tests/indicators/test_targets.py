"""The four target methods, each against numbers worked out by hand."""

from __future__ import annotations

import pytest

from backbone.indicators.targets import TargetSpec, annual_step, targets

BASELINES = {"overall": 40.0, "Group A": 60.0, "Group B": 20.0}


def rounded(series: dict[str, dict[int, float]]) -> dict[str, dict[int, float]]:
    return {g: {y: round(v, 2) for y, v in years.items()} for g, years in series.items()}


def test_fixed_sets_the_goal_every_year_but_never_below_a_baseline():
    spec = TargetSpec("fixed", baseline_year=2025, goal_year=2027, goal=50.0)
    assert targets(spec, BASELINES) == {
        "overall": {2026: 50.0, 2027: 50.0},
        "Group A": {2026: 60.0, 2027: 60.0},  # already past 50: held at its baseline
        "Group B": {2026: 50.0, 2027: 50.0},
    }


def test_steady_gives_every_group_the_overall_step():
    # Overall 40 → 70 by 2028 from 2025: (70 − 40) / 3 = 10 points a year, for everyone.
    spec = TargetSpec("steady", baseline_year=2025, goal_year=2028, goal=70.0)
    assert rounded(targets(spec, BASELINES)) == {
        "overall": {2026: 50.0, 2027: 60.0, 2028: 70.0},
        "Group A": {2026: 70.0, 2027: 80.0, 2028: 90.0},
        "Group B": {2026: 30.0, 2027: 40.0, 2028: 50.0},
    }


def test_equitable_gives_groups_further_behind_bigger_steps():
    # Each group reaches 70 by 2028: overall (70 − 40)/3 = 10; A (70 − 60)/3 = 3.33;
    # B (70 − 20)/3 = 16.67 a year.
    spec = TargetSpec("equitable", baseline_year=2025, goal_year=2028, goal=70.0)
    assert rounded(targets(spec, BASELINES)) == {
        "overall": {2026: 50.0, 2027: 60.0, 2028: 70.0},
        "Group A": {2026: 63.33, 2027: 66.67, 2028: 70.0},
        "Group B": {2026: 36.67, 2027: 53.33, 2028: 70.0},
    }


def test_equitable_matches_portland_public_schools_three_points_a_year():
    # PPS (methods.md §5.1): 62% graduation in 2011-12, 100% by 2025 → 38/13 ≈ 2.9 points.
    assert round(annual_step(62.0, 100.0, 2025 - 2012), 1) == 2.9


def test_halve_gap_closes_half_of_each_gap_to_the_reference_by_the_goal_year():
    # Reference A at 60 holds; B's gap of 40 shrinks by 20 over 4 years: 5 points a year.
    # Overall's gap of 20 shrinks by 10: 2.5 points a year.
    spec = TargetSpec("halve_gap", baseline_year=2024, goal_year=2028, reference_group="Group A")
    assert rounded(targets(spec, BASELINES)) == {
        "overall": {2025: 42.5, 2026: 45.0, 2027: 47.5, 2028: 50.0},
        "Group A": {2025: 60.0, 2026: 60.0, 2027: 60.0, 2028: 60.0},
        "Group B": {2025: 25.0, 2026: 30.0, 2027: 35.0, 2028: 40.0},
    }


def test_lower_is_better_steps_down_and_never_asks_for_worse():
    # Chronic absence: overall 30% → 15% by 2028 from 2025 (−5 a year); group C at 12% is
    # already better than the goal and is held at 12 rather than asked to rise to 15.
    spec = TargetSpec(
        "equitable", baseline_year=2025, goal_year=2028, goal=15.0, higher_is_better=False
    )
    assert rounded(targets(spec, {"overall": 30.0, "C": 12.0})) == {
        "overall": {2026: 25.0, 2027: 20.0, 2028: 15.0},
        "C": {2026: 12.0, 2027: 12.0, 2028: 12.0},
    }


def test_halve_gap_for_lower_is_better():
    # Reference 10% absent; group at 30% → gap 20 halves to 10 over 2 years: 25 then 20.
    spec = TargetSpec("halve_gap", 2025, 2027, reference_group="ref", higher_is_better=False)
    assert rounded(targets(spec, {"ref": 10.0, "g": 30.0})) == {
        "ref": {2026: 10.0, 2027: 10.0},
        "g": {2026: 25.0, 2027: 20.0},
    }


@pytest.mark.parametrize(
    ("spec", "baselines", "message"),
    [
        (TargetSpec("steady", 2025, 2025, goal=70.0), BASELINES, "goal year must come after"),
        (TargetSpec("equitable", 2025, 2028), BASELINES, "the equitable method needs a goal"),
        (TargetSpec("halve_gap", 2025, 2028), BASELINES, "needs a reference group"),
        (
            TargetSpec("halve_gap", 2025, 2028, reference_group="Z"),
            BASELINES,
            "reference group 'Z'",
        ),
        (TargetSpec("steady", 2025, 2028, goal=70.0), {"A": 1.0}, "needs an 'overall' baseline"),
        (
            TargetSpec("halve_gap", 2025, 2028, reference_group="A", gap_reduction=0),
            {"A": 1.0},
            "gap_reduction",
        ),
    ],
)
def test_impossible_specs_are_refused(spec, baselines, message):
    with pytest.raises(ValueError, match=message):
        targets(spec, baselines)
