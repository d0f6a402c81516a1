"""Days enrolled per student-month, for the ``attendance_monthly`` rows made with the yearly ones.

A month's days enrolled are the school's instructional calendar dates in that month within the
student's enrolment windows — the same dates the yearly count uses, so the months add up to the
year. When the yearly count came from Session TotalInstructionalDays (an incomplete calendar),
the year's days are shared out over the months by their weekdays within the sessions and the
windows, in whole days by largest remainder when the year is a whole number of days.

>>> shares({"2021-09": 22, "2021-10": 21, "2021-11": 22}, 10.0)
{'2021-09': 4.0, '2021-10': 3.0, '2021-11': 3.0}
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import date, timedelta

Window = tuple[str | None, str | None]


def calendar_months(dates: list[str], windows: Iterable[Window]) -> dict[str, float]:
    """Instructional days per month (``YYYY-MM``) among sorted ISO ``dates`` within ``windows``.

    >>> calendar_months(["2021-09-29", "2021-09-30", "2021-10-01"], [("2021-09-30", None)])
    {'2021-09': 1.0, '2021-10': 1.0}
    """
    months: dict[str, float] = {}
    for entry, exit_date in windows:
        start = bisect.bisect_left(dates, entry) if entry else 0
        end = bisect.bisect_right(dates, exit_date) if exit_date else len(dates)
        while start < end:
            month = dates[start][:7]
            stop = min(bisect.bisect_left(dates, month + "-32", start, end), end)
            months[month] = months.get(month, 0.0) + (stop - start)
            start = stop
    return months


def session_months(
    sessions: Iterable[tuple[date, date]], windows: Iterable[Window]
) -> dict[str, int]:
    """Weekdays per month within each (begin, end) session and each enrolment window."""
    weekdays: dict[str, int] = {}
    for begin, end in sessions:
        for entry, exit_date in windows:
            low = max(begin, _date(entry) or begin)
            high = min(end, _date(exit_date) or end)
            for month, count in _weekdays_by_month(low, high):
                weekdays[month] = weekdays.get(month, 0) + count
    return weekdays


def shares(weights: dict[str, int], total: float) -> dict[str, float]:
    """``total`` shared over months by ``weights``; whole days (largest remainder) when
    ``total`` is whole, so the shares add up to it exactly."""
    months = sorted(m for m, w in weights.items() if w > 0)
    weight = sum(weights[m] for m in months)
    if not months:
        return {}
    if total != int(total):
        exact = {m: total * weights[m] / weight for m in months[:-1]}
        return {**exact, months[-1]: total - sum(exact.values())}
    quotas = {m: int(total) * weights[m] / weight for m in months}
    whole = {m: int(q) for m, q in quotas.items()}
    left = int(total) - sum(whole.values())
    for m in sorted(months, key=lambda m: (whole[m] - quotas[m], m))[:left]:
        whole[m] += 1
    return {m: float(v) for m, v in whole.items()}


def _weekdays_by_month(low: date, high: date) -> Iterable[tuple[str, int]]:
    day = low
    while day <= high:
        last = min(_month_end(day), high)
        count = sum(1 for i in range((last - day).days + 1) if (day + timedelta(i)).weekday() < 5)
        yield day.isoformat()[:7], count
        day = last + timedelta(days=1)


def _month_end(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None
