"""An aim needs a number and a date (methods §3.1); a date falls in an indicator's period by the
rules the measures engine uses (school years named for their spring)."""

from __future__ import annotations

import datetime as dt

import pytest

from backbone.improvement.aims import NO_DATE, NO_NUMBER, aim_problems, period_of

DUE = dt.date(2027, 6, 30)


@pytest.mark.parametrize(
    ("statement", "problems"),
    [
        ("improve reading soon", [NO_NUMBER, NO_DATE]),
        ("Raise reading from 58% to 70% soon", [NO_DATE]),
        ("Raise reading a lot by June 2027", [NO_NUMBER]),  # the year is not the amount
        ("Raise reading from 58% to 70% by June 2027", []),
        ("Cut chronic absence from 31.5 to 22 percent by 2027", []),
    ],
)
def test_an_aim_says_how_much_and_by_when(statement, problems):
    assert aim_problems(statement, 70.0, DUE) == problems


def test_an_aim_without_target_fields_is_refused_whatever_it_says():
    assert aim_problems("Reach 70% by 2027", None, None) == [
        "Give the target value the aim names.",
        "Give the date by which the target is to be reached.",
    ]


@pytest.mark.parametrize(
    ("day", "period_type", "period"),
    [
        (dt.date(2024, 7, 1), "school_year", "2025"),  # 2024-25 is named for its spring
        (dt.date(2025, 6, 30), "school_year", "2025"),
        (dt.date(2024, 7, 1), "program_year", "2024"),  # PY2024 = Jul 2024–Jun 2025
        (dt.date(2025, 6, 30), "program_year", "2024"),
        (dt.date(2024, 12, 31), "calendar_year", "2024"),
        (dt.date(2024, 3, 31), "quarter", "2024-Q1"),
        (dt.date(2024, 4, 1), "quarter", "2024-Q2"),
        (dt.date(2024, 10, 7), "month", "2024-10"),
    ],
)
def test_a_date_falls_in_its_period(day, period_type, period):
    assert period_of(day, period_type) == period


def test_an_unknown_period_type_is_named():
    with pytest.raises(ValueError, match="unknown period type 'week'"):
        period_of(DUE, "week")
