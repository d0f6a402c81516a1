"""What makes an aim an aim, and where a dated change falls on an indicator's time axis.

An aim statement must say how much and by when (methods §3.1, after Berwick: "some is not a
number, soon is not a time"), so ``aim_problems`` refuses one that lacks a number or a date,
in the statement or in the target fields. ``period_of`` places a date in an indicator's period,
by the same rules the measures engine uses (``indicators.definitions.DATE_PERIODS``), so a PDSA
cycle's start can be drawn on the chart of that indicator.

>>> aim_problems("improve reading soon", None, None)[0]
"The aim has no number: say how much (e.g. 'from 58% to 70%'); 'some' is not a number."
>>> aim_problems("Raise grade 3 reading from 58% to 70% by June 2027", 70, dt.date(2027, 6, 30))
[]
>>> period_of(dt.date(2024, 9, 15), "school_year")
'2025'
"""

from __future__ import annotations

import datetime as dt
import re

NO_NUMBER = "The aim has no number: say how much (e.g. 'from 58% to 70%'); 'some' is not a number."
NO_DATE = "The aim has no date: say by when (e.g. 'by June 2027'); 'soon' is not a time."
NO_TARGET_VALUE = "Give the target value the aim names."
NO_TARGET_DATE = "Give the date by which the target is to be reached."
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


def aim_problems(
    statement: str, target_value: float | None, target_date: dt.date | None
) -> list[str]:
    """Every reason ``statement`` with its target is not a measurable, dated aim; empty if it is.

    The statement needs a number other than the year, and a year; the target fields must be set.

    >>> aim_problems("Reach 70% by 2027", None, dt.date(2027, 6, 1))
    ['Give the target value the aim names.']
    >>> aim_problems("Reach more readers by 2027", 70, dt.date(2027, 6, 1)) == [NO_NUMBER]
    True
    """
    problems = []
    years = YEAR.findall(statement)
    numbers = [n for n in NUMBER.findall(statement) if n not in years]
    if not numbers:
        problems.append(NO_NUMBER)
    if not years:
        problems.append(NO_DATE)
    if target_value is None:
        problems.append(NO_TARGET_VALUE)
    if target_date is None:
        problems.append(NO_TARGET_DATE)
    return problems


def period_of(day: dt.date, period_type: str) -> str:
    """The period ``day`` falls in: school years named for their spring, program years for their
    start (July), calendar years, quarters (``2024-Q3``) and months (``2024-09``).

    >>> [period_of(dt.date(2024, 6, 30), t) for t in ("school_year", "program_year")]
    ['2024', '2023']
    >>> period_of(dt.date(2024, 8, 1), "quarter"), period_of(dt.date(2024, 8, 1), "month")
    ('2024-Q3', '2024-08')
    """
    year, month = day.year, day.month
    rules = {
        "school_year": str(year + 1 if month >= 7 else year),
        "program_year": str(year if month >= 7 else year - 1),
        "calendar_year": str(year),
        "quarter": f"{year}-Q{(month - 1) // 3 + 1}",
        "month": f"{year}-{month:02d}",
    }
    if period_type not in rules:
        raise ValueError(f"unknown period type {period_type!r}: one of {', '.join(rules)}")
    return rules[period_type]
