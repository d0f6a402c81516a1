"""Periods and due dates, checked against a calendar by hand."""

import datetime as dt

import pytest

from backbone.intake.schedule import calendar, period_containing, period_status, periods

D = dt.date


@pytest.mark.parametrize(
    ("frequency", "day", "label", "start", "end"),
    [
        ("school_year", D(2024, 7, 1), "2024-25", D(2024, 7, 1), D(2025, 6, 30)),
        ("school_year", D(2025, 6, 30), "2024-25", D(2024, 7, 1), D(2025, 6, 30)),
        ("school_year", D(1999, 12, 1), "1999-00", D(1999, 7, 1), D(2000, 6, 30)),
        ("quarterly", D(2025, 5, 17), "2025-Q2", D(2025, 4, 1), D(2025, 6, 30)),
        ("quarterly", D(2025, 12, 31), "2025-Q4", D(2025, 10, 1), D(2025, 12, 31)),
        ("monthly", D(2024, 2, 10), "2024-02", D(2024, 2, 1), D(2024, 2, 29)),  # leap year
    ],
)
def test_period_containing(frequency, day, label, start, end):
    period = period_containing(frequency, day)
    assert (period.label, period.start, period.end) == (label, start, end)


def test_periods_run_from_first_to_last_day():
    labels = [p.label for p in periods("monthly", D(2024, 11, 15), D(2025, 2, 1))]
    assert labels == ["2024-11", "2024-12", "2025-01", "2025-02"]


def test_unknown_frequency_is_named():
    with pytest.raises(ValueError, match="unknown frequency 'weekly'"):
        period_containing("weekly", D(2025, 1, 1))


@pytest.mark.parametrize(
    ("loaded_on", "today", "state"),
    [
        (D(2025, 7, 30), D(2025, 9, 1), "in"),  # due 2025-06-30 + 30 days = 2025-07-30
        (D(2025, 7, 31), D(2025, 9, 1), "in_late"),
        (None, D(2025, 7, 30), "due"),
        (None, D(2025, 7, 31), "late"),
    ],
)
def test_period_status(loaded_on, today, state):
    status = period_status(period_containing("quarterly", D(2025, 5, 1)), 30, loaded_on, today)
    assert status.due == D(2025, 7, 30) and status.state == state


def test_calendar_lists_newest_first_with_the_open_period():
    statuses = calendar(
        "quarterly", 30, D(2025, 1, 1), {"2025-Q1": D(2025, 4, 20)}, today=D(2025, 8, 15)
    )
    assert [(s.period.label, s.state) for s in statuses] == [
        ("2025-Q3", "due"),  # ends 2025-09-30, not over yet
        ("2025-Q2", "late"),  # was due 2025-07-30
        ("2025-Q1", "in"),  # due 2025-04-30, in on 04-20
    ]


@pytest.mark.parametrize(
    ("label", "end"),
    [
        ("2024-25", D(2025, 6, 30)),
        ("1999-00", D(2000, 6, 30)),
        ("2025-Q1", D(2025, 3, 31)),
        ("2024-02", D(2024, 2, 29)),
        ("2025-12", D(2025, 12, 31)),
        ("2025", D(2025, 12, 31)),
        ("fall cohort", None),
        ("2024-13", None),
    ],
)
def test_period_end(label, end):
    from backbone.intake.schedule import period_end

    assert period_end(label) == end
