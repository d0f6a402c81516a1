"""The page builder behind the staff indicator pages and the public scorecard: every expected
value below is worked out by hand in the test's docstring or comment."""

from __future__ import annotations

import pytest

from backbone.indicators.presentation import (
    Goal,
    Point,
    Subject,
    Value,
    build,
    heading,
    headline,
    not_available,
    overall_targets,
    reference_group,
    trend,
)

PUBLISHED = Subject(exact=False)
AGAINST_A = Subject(exact=False, references={"d": "A"})  # the dimension declares A


def published(period: str, group: str, value: float | None, size: int | None = 100) -> Value:
    """A published cell of the dimension ``d`` (or ``overall``); None is withheld with ``*``."""
    dimension = "overall" if group == "all" else "d"
    if value is None:
        return Value(period, dimension, group, None, None, "*", "*")
    return Value(period, dimension, group, value, size, f"{value:g}%")


# Overall 40 in 2021, withheld in 2022, 44 in 2023, 46 in 2024.
WITHHELD_IN_THE_MIDDLE = [
    published("2021", "all", 40.0),
    published("2022", "all", None),
    published("2023", "all", 44.0),
    published("2024", "all", 46.0),
]
# Group A (the most people) 50 → 55 → 60; B 30 → withheld → 45; C 20 → 25 → withheld.
GROUPS = [
    published("2022", "A", 50.0, 300), published("2022", "B", 30.0, 100),
    published("2022", "C", 20.0, 50),
    published("2023", "A", 55.0, 300), published("2023", "B", None),
    published("2023", "C", 25.0, 50),
    published("2024", "A", 60.0, 300), published("2024", "B", 45.0, 100),
    published("2024", "C", None),
]  # fmt: skip


def test_a_withheld_point_stays_in_the_trend_as_a_gap_not_a_zero():
    points = trend(WITHHELD_IN_THE_MIDDLE, PUBLISHED).points
    assert points[1] == Point("2022", None, "*")
    assert [p.value for p in points] == [40.0, None, 44.0, 46.0]


def test_the_forecast_skips_a_withheld_point():
    """Through (2021, 40), (2023, 44), (2024, 46): mean year 2022⅔, mean value 43⅓;
    Σdx·dy = 28/3 and Σdx² = 14/3, so the slope is 2 points a year and 2025 is
    43⅓ + 2·2⅓ = 48; three years on from the last period, 2024."""
    assert trend(WITHHELD_IN_THE_MIDDLE, PUBLISHED).forecast == [
        (2025, 48.0), (2026, 50.0), (2027, 52.0)
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("exact", "expected"),
    [(True, [(2024, 44.333333)]), (False, [(2024, 44.3)])],
    ids=["exact keeps its precision", "published is rounded to one decimal"],
)
def test_the_forecast_is_as_precise_as_the_values(exact, expected):
    """Through 40, 41, 43 (2021–2023): slope 1.5, mean 41⅓ at 2022, so 2024 is 44⅓."""
    points = [Point("2021", 40.0, ""), Point("2022", 41.0, ""), Point("2023", 43.0, "")]
    assert heading(points, {}, 6 if exact else 1)[:1] == expected


def test_the_forecast_runs_to_the_last_target_year():
    points = [Point("2021", 40.0, ""), Point("2022", 42.0, "")]
    assert [year for year, _ in heading(points, {2026: 60.0})] == [2023, 2024, 2025, 2026]


def test_the_overall_target_starts_from_the_baseline():
    """Steady from 46 in 2024 to 60 by 2026: 7 points a year, 53 then 60."""
    goal = Goal("steady", 60.0, 2026, baseline_period="2024", baseline=46.0)
    subject = Subject(goals={"overall": goal})
    assert overall_targets(subject) == {2025: 53.0, 2026: 60.0}
    assert trend(WITHHELD_IN_THE_MIDDLE, subject).forecast[-1][0] == 2027


@pytest.mark.parametrize(
    "goal",
    [
        Goal("steady", 60.0, 2026),  # no baseline
        Goal("halve_gap", 60.0, 2026, "2024", 46.0),  # needs groups, not drawn on the trend
        Goal("steady", None, 2026, "2024", 46.0),  # incomplete: no goal
        Goal("steady", 60.0, 2026, "2024-25", 46.0),  # a baseline that is not a year
    ],
)
def test_no_overall_target_is_drawn_without_what_it_needs(goal):
    assert overall_targets(Subject(goals={"overall": goal})) == {}


def test_the_reference_is_everyone_unless_one_is_declared():
    assert reference_group(GROUPS) == "all"
    assert reference_group(GROUPS, "C") == "C"


@pytest.mark.parametrize(
    ("values", "higher_is_better", "expected"),
    [
        # In 2024 (the latest period with a value): A 60, B 45; C is withheld.
        (GROUPS, True, "A"),
        (GROUPS, False, "B"),
        # "missing" is never the reference, however good its value.
        ([published("2024", "missing", 99.0), published("2024", "B", 2.0)], True, "B"),
        # A tie goes to the first name in sort order.
        ([published("2024", "Z", 1.0), published("2024", "M", 1.0)], True, "M"),
        # A better value in an older period does not count.
        ([published("2023", "A", 90.0), published("2024", "B", 10.0)], True, "B"),
        # Nothing shown: no reference.
        ([published("2024", "A", None), published("2024", "B", None)], True, ""),
    ],
    ids=["higher", "lower", "missing", "tie", "latest", "none"],
)
def test_the_best_group_rule(values, higher_is_better, expected):
    assert reference_group(values, "best", higher_is_better) == expected


def test_against_everyone_gaps_and_sizes_come_from_the_overall_values():
    """Overall 40 (2022) and 50 (2024). A: 50 − 40 = 10 ahead (gap −10) in 2022, 60 − 50 =
    −10 in 2024; B: 40 − 30 = 10 behind in 2022, 50 − 45 = 5 in 2024. The index of disparity
    over every group shown in 2024 (A 60, B 45) is 100 · (10 + 5) / 2 / 50 = 15%. Sizes are
    each group's published n in 2024: A 300, B 100, everyone 450."""
    everyone = [published("2022", "all", 40.0, 450), published("2024", "all", 50.0, 450)]
    (dimension,) = build([*everyone, *GROUPS], PUBLISHED).dimensions
    assert dimension.reference == "all"
    gaps = {(p.group, p.period): p.value for p in dimension.gaps if p.value is not None}
    assert gaps == {("A", "2022"): -10.0, ("A", "2024"): -10.0,
                    ("B", "2022"): 10.0, ("B", "2024"): 5.0,
                    ("C", "2022"): 20.0}  # fmt: skip
    table = dimension.equity
    assert table.index_of_disparity == 15.0
    assert {row.group: (row.measure.gap, row.size) for row in table.rows} == {
        "A": (-10.0, 300), "B": (5.0, 100), "all": (0.0, 450),
    }  # fmt: skip
    assert table.withheld == [Point("2024", None, "*", "C")]


def test_gaps_are_from_published_values_and_withheld_ones_are_gaps():
    """B is 20 behind A in 2022 (50 − 30) and 15 in 2024 (60 − 45), and withheld in 2023;
    C is 30 behind in 2022 and 2023, withheld in 2024. The reference has no gap line."""
    (dimension,) = build(GROUPS, AGAINST_A).dimensions
    assert dimension.reference == "A"
    assert [(p.group, p.period, p.value, p.display) for p in dimension.gaps] == [
        ("B", "2022", 20.0, "20"), ("B", "2023", None, "*"), ("B", "2024", 15.0, "15"),
        ("C", "2022", 30.0, "30"), ("C", "2023", 30.0, "30"), ("C", "2024", None, "*"),
    ]  # fmt: skip


def test_a_withheld_reference_value_breaks_every_gap_line():
    values = [*GROUPS[:-3], published("2024", "A", None), *GROUPS[-2:]]
    (dimension,) = build(values, AGAINST_A).dimensions
    assert [p.value for p in dimension.gaps if p.period == "2024"] == [None, None]
    assert dimension.equity is None  # no published reference value in the latest period


def test_the_equity_table_of_the_latest_period():
    """In 2024 against A (60): B 45 is 15 behind, ratio 0.75; its gap was 20 in 2022, so a
    quarter of it closed; it rose 15 points in 2 years, 7.5 a year. C is withheld. The index
    of disparity over the groups other than A is 100 · |45 − 60| / 60 = 25%."""
    (dimension,) = build(GROUPS, AGAINST_A).dimensions
    table = dimension.equity
    assert (table.period, table.since, table.index_of_disparity) == ("2024", "2022", 25.0)
    rows = {row.group: row.measure for row in table.rows}
    assert set(rows) == {"A", "B"}
    b = rows["B"]
    assert (b.value, b.gap, b.ratio, b.baseline_gap) == (45.0, 15.0, 0.75, 20.0)
    assert (b.gap_closed, b.annual_improvement) == (0.25, 7.5)
    assert rows["A"].gap == 0.0
    assert table.withheld == [Point("2024", None, "*", "C")]


def test_gaps_flip_when_lower_is_better():
    """Lower is better: B at 45 against A at 60 is 15 points *ahead*, a gap of −15."""
    lower = Subject(higher_is_better=False, exact=False, references={"d": "A"})
    (dimension,) = build(GROUPS, lower).dimensions
    assert [p.value for p in dimension.gaps if p.group == "B"] == [-20.0, None, -15.0]


def test_target_status_per_group():
    """Equitable to 70 by 2026 from 2022: A steps 5 a year (target 60 in 2024, it is 60: on
    track), B steps 10 (target 50, it is 45: off track); C is withheld, so has no status."""
    goals = {"d": Goal("equitable", 70.0, 2026)}
    subject = Subject(exact=False, goals=goals, references={"d": "A"})
    (dimension,) = build(GROUPS, subject).dimensions
    assert {row.group: row.status for row in dimension.equity.rows} == {
        "A": "on track", "B": "off track"
    }  # fmt: skip


def test_labels_name_groups_in_points_gaps_and_rows_but_not_the_reference_code():
    (dimension,) = build(GROUPS, AGAINST_A, label=lambda dimension, group: group.lower()).dimensions
    assert dimension.reference == "A"
    assert {p.group for p in dimension.points} == {"a", "b", "c"}
    assert {p.group for p in dimension.gaps} == {"b", "c"}
    assert [row.group for row in dimension.equity.rows] == ["a", "b"]


def test_the_dimension_keeps_each_value_by_group_and_period():
    (dimension,) = build(GROUPS, PUBLISHED).dimensions
    assert dimension.periods == ["2022", "2023", "2024"]
    assert dimension.values["B"]["2023"].display == "*"
    assert [p.value for p in dimension.points if p.group == "C"] == [20.0, 25.0, None]


def test_no_forecast_when_asked_for_none():
    assert build(WITHHELD_IN_THE_MIDDLE, PUBLISHED, forecast=False).trend.forecast == []


# Young-adult employment as the issue saw it: 58 and 57 percent, then 3 percent for 2026 whose
# wage quarter is not loaded yet; groups A and B in 2025 and A in 2026.
PENDING_2026 = [
    published("2024", "all", 58.0), published("2025", "all", 57.0),
    Value("2026", "overall", "all", 3.0, 100, not_available(None), complete=False),
    published("2025", "A", 55.0, 60), published("2025", "B", 59.0, 40),
    Value("2026", "d", "A", 2.0, 50, "", complete=False),
]  # fmt: skip


def test_an_incomplete_period_is_left_out_of_the_trend_groups_and_equity():
    page = build(PENDING_2026, PUBLISHED)
    assert [p.period for p in page.trend.points] == ["2024", "2025"]
    assert page.pending == ["2026"]
    [groups] = page.dimensions
    assert groups.periods == ["2025"] and groups.equity is not None
    assert groups.equity.period == "2025"
    # The line through (2024, 58) and (2025, 57) goes on down a point a year: 56 in 2026.
    assert page.trend.forecast[0] == (2026, 56.0)


def test_the_headline_is_the_latest_complete_period():
    chosen = headline(PENDING_2026)
    assert chosen is not None and (chosen.period, chosen.value) == ("2025", 57.0)
    assert headline(PENDING_2026[2:3]) is None


def test_trend_alone_leaves_incomplete_periods_out_too():
    assert [p.period for p in trend(PENDING_2026[:3], PUBLISHED).points] == ["2024", "2025"]
