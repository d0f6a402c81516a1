"""When an indicator's period is complete: its follow-up window has closed and the data it waits
for has been loaded that far.

A definition declares it as data, next to its formula (``complete_when`` in the YAML)::

    complete_when:
      follow_up_months: 12          # the window closes 12 months after the period ends
      waits_for:
        - table: wages              # ... and wage records must reach that day
          through: quarter          # how far they reach: the end of the latest quarter loaded

A period **ends** on the last day of its school year (30 June), program year (30 June after its
start), calendar year or quarter; an integer period (rule ``value``) names a school year by its
spring (``school_year``, ``cohort_year``) unless ``integer_period`` says it names a program or
calendar year. Its window **closes** ``follow_up_months`` later (at
the end of that month). Each awaited table's data **reach** the end of the period (``through``)
holding its latest value — ``quarter``: the table's ``year`` and ``quarter`` columns;
``school_year``, ``program_year``, ``calendar_year``: ``column``, a DATE or an integer year — but
never beyond the day of the computation, so a file sent mid-year does not close the year. The
indicator's **data through** is the earliest reach of its awaited tables; a period is complete
when its window closes on or before it. A definition without ``complete_when`` has every period
complete (nothing says otherwise).

>>> rule = CompleteWhen(follow_up_months=12, waits_for=(Awaited(table="wages", through="quarter"),))
>>> closes("2025", "school_year", rule)
datetime.date(2026, 6, 30)
>>> reach(Awaited(table="wages", through="quarter"), 2026 * 4 + 2, dt.date(2026, 11, 23))
datetime.date(2026, 6, 30)
>>> [is_complete(p, "school_year", rule, dt.date(2026, 6, 30)) for p in ("2025", "2026")]
[True, False]
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Through = Literal["quarter", "school_year", "program_year", "calendar_year"]
YearKind = Literal["school_year", "program_year", "calendar_year"]
PeriodKind = Literal["value", "school_year", "program_year", "calendar_year", "quarter"]
# What an integer names: school years by their spring, program years by their start.
YEAR_END = {"school_year": (0, 6, 30), "program_year": (1, 6, 30), "calendar_year": (0, 12, 31)}
QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


class Awaited(BaseModel):
    """A table whose loaded data a period waits for, and how to tell how far it reaches."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    table: str
    through: Through
    # The DATE or integer-year column whose latest value says how far the data reach; unset for
    # ``quarter`` (the table's ``year`` and ``quarter`` columns). Left out of the stored data
    # when unset.
    column: str | None = Field(default=None, exclude_if=lambda v: v is None)


class CompleteWhen(BaseModel):
    """When a period is complete: ``follow_up_months`` after it ends, once every table in
    ``waits_for`` reaches that day. ``integer_period``: what an integer period names."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    follow_up_months: int = Field(default=0, ge=0, le=240)
    waits_for: tuple[Awaited, ...] = Field(min_length=1)
    integer_period: YearKind = "school_year"


def month_end(year: int, month: int) -> dt.date:
    """The last day of a month; months past December roll into later years.

    >>> month_end(2025, 14)
    datetime.date(2026, 2, 28)
    """
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    first_of_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def period_end(period: str, kind: PeriodKind, integer: YearKind = "school_year") -> dt.date | None:
    """The last day of a result's period, named as ``compile_sql`` names it (``2025``,
    ``2025-Q2``); ``kind`` is the definition's period rule; for ``value`` (an integer year),
    ``integer`` says what the year names. None for a period that names no year.

    >>> period_end("2024", "program_year"), period_end("2025-Q3", "quarter")
    (datetime.date(2025, 6, 30), datetime.date(2025, 9, 30))
    >>> period_end("2024", "value"), period_end("2024", "value", "calendar_year")
    (datetime.date(2024, 6, 30), datetime.date(2024, 12, 31))
    """
    quarter = QUARTER.match(period)
    if quarter:
        return month_end(int(quarter[1]), 3 * int(quarter[2]))
    if not period.isdigit() or kind == "quarter":
        return None
    add, month, day = YEAR_END[integer if kind == "value" else kind]
    return dt.date(int(period) + add, month, day)


def closes(period: str, kind: PeriodKind, rule: CompleteWhen) -> dt.date | None:
    """The day ``period``'s follow-up window closes: the end of the month
    ``rule.follow_up_months`` after the period ends."""
    end = period_end(period, kind, rule.integer_period)
    if end is None:
        return None
    return month_end(end.year, end.month + rule.follow_up_months)


def reach(awaited: Awaited, latest: object, today: dt.date) -> dt.date | None:
    """How far ``awaited``'s data reach, given the latest value its ``through_sql`` found
    (None for an empty table), never beyond ``today``."""
    if latest is None:
        return None
    if awaited.through == "quarter":
        index = int(latest)  # type: ignore[call-overload]
        year, quarter = divmod(index - 1, 4)
        return min(month_end(year, 3 * (quarter + 1)), today)
    if isinstance(latest, dt.datetime):
        latest = latest.date()
    if isinstance(latest, dt.date):
        spring = latest.year + (latest.month >= 7)
        year = {"school_year": spring, "program_year": spring - 1}.get(awaited.through, latest.year)
    else:
        year = int(latest)  # type: ignore[call-overload]
    add, month, day = YEAR_END[awaited.through]
    return min(dt.date(year + add, month, day), today)


def data_through(reaches: Iterable[dt.date | None]) -> dt.date | None:
    """The indicator's data through: the earliest reach of the tables it waits for (None if
    any of them holds nothing yet)."""
    days = list(reaches)
    return None if not days or None in days else min(d for d in days if d is not None)


def is_complete(
    period: str, kind: PeriodKind, rule: CompleteWhen | None, through: dt.date | None
) -> bool:
    """Whether ``period``'s window has closed by ``through`` (always, without a rule)."""
    if rule is None:
        return True
    closing = closes(period, kind, rule)
    return closing is not None and through is not None and closing <= through


def through_sql(awaited: Awaited) -> str:
    """The query that finds the latest value telling how far ``awaited``'s data reach.

    >>> through_sql(Awaited(table="wages", through="quarter"))
    'SELECT MAX(wages.year * 4 + wages.quarter) AS latest FROM wages AS wages'
    """
    table = awaited.table
    value = f"{table}.year * 4 + {table}.quarter"
    if awaited.through != "quarter":
        value = f"{table}.{awaited.column}"
    return f"SELECT MAX({value}) AS latest FROM {table} AS {table}"


def awaited_problems(
    rule: CompleteWhen, tables: Iterable[str], columns: Mapping[str, Mapping[str, str]]
) -> list[tuple[str, str]]:
    """(field, message) for every awaited table the definition does not read, and every
    ``through`` its columns cannot give. ``columns``: each read table's columns and types."""
    read = set(tables)
    problems = []
    for index, awaited in enumerate(rule.waits_for):
        field = f"complete_when.waits_for[{index}]"
        if awaited.table not in read:
            problems.append(
                (field, f"waits for {awaited.table!r}, a table the definition does not read")
            )
            continue
        found = _through_problem(awaited, columns[awaited.table])
        if found:
            problems.append((field, found))
    return problems


def _through_problem(awaited: Awaited, columns: Mapping[str, str]) -> str | None:
    integer = ("INTEGER", "BIGINT", "SMALLINT")
    if awaited.through == "quarter":
        if awaited.column is not None:
            return "through: quarter reads the table's year and quarter columns; drop column"
        if columns.get("year") not in integer or columns.get("quarter") not in integer:
            return f"through: quarter needs integer year and quarter columns in {awaited.table}"
        return None
    if awaited.column is None:
        return f"through: {awaited.through} needs a column (a date or an integer year)"
    kind = columns.get(awaited.column)
    if kind is None:
        return f"unknown column {awaited.column!r} in table {awaited.table}"
    if kind != "DATE" and kind not in integer:
        return f"{awaited.table}.{awaited.column} is {kind}: it needs a date or an integer year"
    return None
