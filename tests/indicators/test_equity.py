"""Equity measures against hand-computed values (methods.md §5.3)."""

from __future__ import annotations

import pytest

from backbone.indicators.equity import (
    catching_up,
    gap,
    gap_closed,
    group_equity,
    index_of_disparity,
    ratio,
    target_status,
)


def test_gap_is_points_behind_the_reference_in_either_direction():
    assert gap(55.0, 80.0) == 25.0
    assert gap(85.0, 80.0) == -5.0  # ahead
    assert gap(30.0, 12.0, higher_is_better=False) == 18.0


def test_ratio():
    assert ratio(55.0, 80.0) == 0.6875
    assert ratio(5.0, 0.0) is None


def test_index_of_disparity_is_mean_absolute_deviation_as_percent_of_reference():
    # Groups 60, 90, 70 against a total rate of 80: |−20| + |10| + |−10| = 40, mean 13.33,
    # 13.33 / 80 = 16.67 %.
    assert index_of_disparity({"A": 60.0, "B": 90.0, "C": 70.0}, 80.0) == pytest.approx(50 / 3)
    assert index_of_disparity({}, 80.0) is None
    assert index_of_disparity({"A": 1.0}, 0.0) is None


def test_gap_closed_since_baseline():
    assert gap_closed(20.0, 10.0) == 0.5  # halved
    assert gap_closed(20.0, 25.0) == -0.25  # widened
    assert gap_closed(0.0, 3.0) is None


@pytest.mark.parametrize(
    ("actual", "period_target", "goal", "higher", "status"),
    [
        (72.0, 60.0, 70.0, True, "met"),
        (62.0, 60.0, 70.0, True, "on_track"),
        (58.0, 60.0, 70.0, True, "off_track"),
        (14.0, 20.0, 15.0, False, "met"),
        (19.0, 20.0, 15.0, False, "on_track"),
        (22.0, 20.0, 15.0, False, "off_track"),
    ],
)
def test_target_status(actual, period_target, goal, higher, status):
    assert target_status(actual, period_target, goal, higher_is_better=higher) == status


def test_group_equity_for_one_period_against_a_reference_group():
    baseline = {"White": 80.0, "Black": 50.0, "Latino": 60.0}
    current = {"White": 82.0, "Black": 62.0, "Latino": 68.0}
    rows = {
        r.group: r
        for r in group_equity(current, "White", baseline=baseline, years_since_baseline=2)
    }
    # Black: gap 82 − 62 = 20 (was 30), closed (30 − 20)/30 = 1/3, +6 points a year.
    black = rows["Black"]
    assert (black.gap, black.baseline_gap, black.annual_improvement) == (20.0, 30.0, 6.0)
    assert black.gap_closed == pytest.approx(1 / 3)
    assert black.ratio == pytest.approx(62 / 82)
    # Latino: gap 14 (was 20), closed 0.3, +4 a year. White is the reference: no gap.
    assert (rows["Latino"].gap, rows["Latino"].gap_closed) == (14.0, pytest.approx(0.3))
    assert (rows["White"].gap, rows["White"].gap_closed) == (0.0, None)


def test_groups_further_behind_improving_faster():
    # Gaps at baseline: Black 30, Latino 20. Gains a year: Black 6, Latino 4, White 1.
    result = catching_up(
        {"White": 80.0, "Black": 50.0, "Latino": 60.0},
        {"White": 82.0, "Black": 62.0, "Latino": 68.0},
        "White",
        years=2,
    )
    assert result.order == (("Black", 30.0, 6.0), ("Latino", 20.0, 4.0))
    assert result.faster_than_reference == ("Black", "Latino")
    assert result.further_behind_faster is True


def test_groups_further_behind_improving_slower_is_reported():
    # Black gains 1 a year, Latino 4: the group further behind is falling further back.
    result = catching_up(
        {"White": 80.0, "Black": 50.0, "Latino": 60.0},
        {"White": 80.0, "Black": 52.0, "Latino": 68.0},
        "White",
        years=2,
    )
    assert result.further_behind_faster is False
    assert result.faster_than_reference == ("Black", "Latino")


def test_catching_up_when_lower_is_better():
    # Chronic absence: reference 10 → 9; group 30 → 20 over 2 years improves 5 a year.
    result = catching_up(
        {"ref": 10.0, "g": 30.0}, {"ref": 9.0, "g": 20.0}, "ref", 2, higher_is_better=False
    )
    assert result.order == (("g", 20.0, 5.0),)
    assert result.faster_than_reference == ("g",)
