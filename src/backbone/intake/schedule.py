"""Reporting periods and due dates from a measurement plan: which submissions are late.

A partner reports a contract every school year (July–June, labelled ``2024-25``), quarter
(``2025-Q2``) or month (``2025-03``), due a number of days after the period ends. Given what was
loaded, ``period_status`` says for each period whether it is in, late, or not yet due.

>>> [p.label for p in periods("quarterly", dt.date(2025, 1, 1), dt.date(2025, 8, 1))]
['2025-Q1', '2025-Q2', '2025-Q3']
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

FREQUENCIES = ("school_year", "quarterly", "monthly")


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date


def _month_end(year: int, month: int) -> dt.date:
    first_of_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def period_containing(frequency: str, day: dt.date) -> Period:
    """The period of ``frequency`` that ``day`` falls in."""
    if frequency == "school_year":
        first = day.year if day.month >= 7 else day.year - 1
        return Period(
            f"{first}-{(first + 1) % 100:02d}", dt.date(first, 7, 1), dt.date(first + 1, 6, 30)
        )
    if frequency == "quarterly":
        quarter = (day.month - 1) // 3 + 1
        start = dt.date(day.year, 3 * quarter - 2, 1)
        return Period(f"{day.year}-Q{quarter}", start, _month_end(day.year, 3 * quarter))
    if frequency == "monthly":
        return Period(f"{day:%Y-%m}", day.replace(day=1), _month_end(day.year, day.month))
    raise ValueError(f"unknown frequency {frequency!r}; expected one of {', '.join(FREQUENCIES)}")


def periods(frequency: str, first_day: dt.date, last_day: dt.date) -> Iterator[Period]:
    """Every period from the one holding ``first_day`` to the one holding ``last_day``."""
    period = period_containing(frequency, first_day)
    while period.start <= last_day:
        yield period
        period = period_containing(frequency, period.end + dt.timedelta(days=1))


@dataclass(frozen=True)
class PeriodStatus:
    period: Period
    due: dt.date
    state: str  # "in" (loaded by the due date), "in_late", "late" (nothing yet), "due" (open)
    loaded_on: dt.date | None


def period_status(
    period: Period, due_days: int, loaded_on: dt.date | None, today: dt.date
) -> PeriodStatus:
    """Whether ``period``'s submission is in, in late, late, or still due."""
    due = period.end + dt.timedelta(days=due_days)
    if loaded_on is not None:
        state = "in" if loaded_on <= due else "in_late"
    else:
        state = "late" if today > due else "due"
    return PeriodStatus(period, due, state, loaded_on)


def calendar(
    frequency: str, due_days: int, starts: dt.date, loaded: dict[str, dt.date], today: dt.date
) -> list[PeriodStatus]:
    """Status of every period from ``starts`` up to the one due next, newest first.

    ``loaded`` maps period labels to the day their (current) submission was loaded.
    """
    statuses = [
        period_status(period, due_days, loaded.get(period.label), today)
        for period in periods(frequency, starts, today)
    ]
    return sorted(statuses, key=lambda status: status.period.start, reverse=True)


def period_end(label: str) -> dt.date | None:
    """The last day of a period label: ``2024-25``, ``2025-Q2``, ``2025-03`` or ``2025``; None
    for anything else (a free-form period)."""
    parsers = {
        r"(\d{4})-(\d{2})": lambda y, m: _school_or_month(int(y), int(m)),
        r"(\d{4})-Q([1-4])": lambda y, q: _month_end(int(y), 3 * int(q)),
        r"(\d{4})": lambda y: dt.date(int(y), 12, 31),
    }
    for pattern, parse in parsers.items():
        match = re.fullmatch(pattern, label.strip())
        if match:
            return parse(*match.groups())  # type: ignore[operator]
    return None


def _school_or_month(year: int, second: int) -> dt.date | None:
    if second == (year + 1) % 100:  # 2024-25: a school year
        return dt.date(year + 1, 6, 30)
    return _month_end(year, second) if 1 <= second <= 12 else None
