"""Riverton's school calendar: instructional days, semesters and the test window, per year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from backbone.demo.city.params import INSTRUCTIONAL_DAYS_TARGET


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + dt.timedelta(days=offset + 7 * (n - 1))


def _holidays(spring: int) -> set[dt.date]:
    fall = spring - 1
    days: set[dt.date] = {_nth_weekday(fall, 9, 0, 1), _nth_weekday(fall, 10, 0, 2)}
    thanksgiving = _nth_weekday(fall, 11, 3, 4)
    days |= {thanksgiving + dt.timedelta(days=d) for d in (-1, 0, 1)}
    winter = dt.date(fall, 12, 21)
    days |= {winter + dt.timedelta(days=d) for d in range(13)}
    days |= {_nth_weekday(spring, 1, 0, 3), _nth_weekday(spring, 2, 0, 3)}
    spring_break = _nth_weekday(spring, 3, 0, 3)
    days |= {spring_break + dt.timedelta(days=d) for d in range(5)}
    return days


@dataclass(frozen=True)
class SchoolYear:
    """One school year (``year`` = the spring year) and its instructional days."""

    year: int
    days: tuple[dt.date, ...]

    @property
    def label(self) -> str:
        """Ed-Fi's form: ``2021-2022``."""
        return f"{self.year - 1}-{self.year}"

    @property
    def period(self) -> str:
        """The submission period: ``2021-22``."""
        return f"{self.year - 1}-{str(self.year)[2:]}"

    @property
    def first(self) -> dt.date:
        return self.days[0]

    @property
    def last(self) -> dt.date:
        return self.days[-1]

    @property
    def fall_days(self) -> tuple[dt.date, ...]:
        return tuple(d for d in self.days if d.year == self.year - 1)

    @property
    def spring_days(self) -> tuple[dt.date, ...]:
        return tuple(d for d in self.days if d.year == self.year)

    @property
    def test_date(self) -> dt.date:
        """The state assessment day: the second Tuesday of April."""
        return _nth_weekday(self.year, 4, 1, 2)

    def between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Instructional days from ``start`` to ``end``, both included."""
        return [d for d in self.days if start <= d <= end]


@cache
def school_year(year: int) -> SchoolYear:
    """The calendar of school year ``year`` (spring year): from the fourth Monday of August,
    weekdays less holidays and breaks, ``INSTRUCTIONAL_DAYS_TARGET`` days."""
    day = _nth_weekday(year - 1, 8, 0, 4)
    holidays = _holidays(year)
    days: list[dt.date] = []
    while len(days) < INSTRUCTIONAL_DAYS_TARGET:
        if day.weekday() < 5 and day not in holidays:
            days.append(day)
        day += dt.timedelta(days=1)
    return SchoolYear(year, tuple(days))
