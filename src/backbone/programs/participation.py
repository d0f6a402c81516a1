"""Participation and dosage per program, per month and per school year, from the warehouse.

A row of ``program_participation`` is one spell: a person in a partner's program from
``start_date`` to ``end_date`` with its total ``sessions`` and ``hours``. A spell belongs to a
registered program when its partner and its ``program`` value match one of the program's
aliases. Per **month**: the people whose spell overlaps the month, and the spell's sessions and
hours spread over its months in proportion to its days in each (so the months add up to the
spell). Per **school year** (July to June, ``2024-25``): take-up is the distinct people whose
spell *started* in the year — a summer camp from June 20 counts once, in the year it began —
with their sessions and hours in the year and how many met the program's dosage rule.

An open spell (no end date) runs through ``through`` (the day of the computation).

The SQL is DuckDB's; ``monthly``, ``yearly`` and ``unmatched`` run it through any ``Engine``
that speaks it (``Warehouse.engine()``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from backbone.warehouse.engines.base import Engine

TABLE = "program_participation"


@dataclass(frozen=True)
class Matcher:
    """What ties spells to a program: its partner, its aliases, and its dosage rule."""

    slug: str
    partner: str
    aliases: tuple[str, ...]
    min_hours: float | None = None
    min_sessions: int | None = None


def school_year(day: dt.date) -> str:
    """The school year (July to June) a day falls in.

    >>> school_year(dt.date(2024, 6, 30)), school_year(dt.date(2024, 7, 1))
    ('2023-24', '2024-25')
    """
    start = day.year if day.month >= 7 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def school_year_sql(column: str) -> str:
    """SQL for ``school_year`` of a DATE column."""
    start = f"(year({column}) - CASE WHEN month({column}) < 7 THEN 1 ELSE 0 END)"
    return f"CAST({start} AS VARCHAR) || '-' || lpad(CAST(({start} + 1) % 100 AS VARCHAR), 2, '0')"


def matchers_table(matchers: Sequence[Matcher]) -> pa.Table:
    """One row per (program, partner, alias) with the program's dosage rule, to join on."""
    rows = [(m, alias) for m in matchers for alias in m.aliases]
    return pa.table(
        {
            "slug": pa.array([m.slug for m, _ in rows], pa.string()),
            "partner": pa.array([m.partner for m, _ in rows], pa.string()),
            "alias": pa.array([a for _, a in rows], pa.string()),
            "min_hours": pa.array([m.min_hours for m, _ in rows], pa.float64()),
            "min_sessions": pa.array([m.min_sessions for m, _ in rows], pa.int64()),
        }
    )


def spells_sql(matchers: str) -> str:
    """The matched spells, open ones closed at the parameter ``through``."""
    return (
        "SELECT m.slug, m.min_hours, m.min_sessions, p.record_id, p.start_date AS start_day, "
        "greatest(coalesce(p.end_date, CAST(? AS DATE)), p.start_date) AS end_day, "
        "coalesce(p.hours, 0) AS hours, coalesce(p.sessions, 0) AS sessions "
        f"FROM {TABLE} p JOIN {matchers} m "
        "ON p.source_partner = m.partner AND p.program = m.alias"
    )


def monthly_sql(matchers: str) -> str:
    """Per program and month: participants, sessions and hours (spread over days). One
    parameter: the ``through`` date."""
    overlap = "date_diff('day', greatest(start_day, month), least(end_day, last_day(month))) + 1"
    share = f"({overlap}) / (date_diff('day', start_day, end_day) + 1.0)"
    return (
        f"WITH spells AS ({spells_sql(matchers)}), months AS ("
        "SELECT *, CAST(unnest(generate_series(date_trunc('month', start_day), "
        "date_trunc('month', end_day), INTERVAL 1 MONTH)) AS DATE) AS month FROM spells) "
        "SELECT slug, month, count(DISTINCT record_id) AS participants, "
        f"sum(sessions * {share}) AS sessions, sum(hours * {share}) AS hours "
        "FROM months GROUP BY slug, month ORDER BY slug, month"
    )


def yearly_sql(matchers: str) -> str:
    """Per program and school year of the spell's start: take-up, sessions, hours and how many
    met the dosage rule. One parameter: the ``through`` date."""
    met = (
        "(min_hours IS NOT NULL AND hours >= min_hours) "
        "OR (min_sessions IS NOT NULL AND sessions >= min_sessions)"
    )
    return (
        f"WITH spells AS ({spells_sql(matchers)}), people AS ("
        f"SELECT slug, {school_year_sql('start_day')} AS year, record_id, "
        "any_value(min_hours) AS min_hours, any_value(min_sessions) AS min_sessions, "
        "sum(hours) AS hours, sum(sessions) AS sessions FROM spells GROUP BY ALL) "
        "SELECT slug, year, count(*) AS participants, sum(sessions) AS sessions, "
        f"sum(hours) AS hours, count(*) FILTER (WHERE {met}) AS met_dosage "
        "FROM people GROUP BY slug, year ORDER BY slug, year"
    )


def unmatched_sql(matchers: str) -> str:
    """Participation values no program's alias matches, per partner: people and dates."""
    return (
        "SELECT p.source_partner AS partner, p.program AS value, "
        "count(DISTINCT p.record_id) AS participants, min(p.start_date) AS first_day, "
        "max(coalesce(p.end_date, p.start_date)) AS last_day "
        f"FROM {TABLE} p ANTI JOIN {matchers} m "
        "ON p.source_partner = m.partner AND p.program = m.alias "
        "GROUP BY ALL ORDER BY partner, value"
    )


def reach_sql(matchers: str) -> str:
    """Per school year, race and economic status: the distinct people any program reached, and
    0 for a group of the district's students no program reached. Needs the ``crosswalk``
    (linkage) to join participants to ``person_demographics``. One parameter: ``through``."""
    demographics = (
        "SELECT c.person_key, arg_max(d.race_ethnicity, d.as_of) AS race_ethnicity, "
        "CAST(arg_max(d.economically_disadvantaged, d.as_of) AS VARCHAR) "
        "AS economically_disadvantaged FROM person_demographics d "
        "JOIN crosswalk c ON c.record_id = d.record_id GROUP BY c.person_key"
    )
    people = (
        f"SELECT DISTINCT {school_year_sql('s.start_day')} AS year, c.person_key "
        "FROM spells s JOIN crosswalk c ON c.record_id = s.record_id"
    )
    groups = " UNION ALL ".join(
        f"SELECT DISTINCT '{d}' AS dimension, {d} AS grp FROM demo WHERE {d} IS NOT NULL"
        for d in ("race_ethnicity", "economically_disadvantaged")
    )
    return (
        f"WITH spells AS ({spells_sql(matchers)}), demo AS ({demographics}), "
        f"people AS ({people}), groups AS ({groups}) "
        'SELECT y.year, g.dimension, g.grp AS "group", count(d.person_key) AS reached '
        "FROM (SELECT DISTINCT year FROM people) y CROSS JOIN groups g "
        "LEFT JOIN people p ON p.year = y.year LEFT JOIN demo d ON d.person_key = p.person_key "
        "AND CASE g.dimension WHEN 'race_ethnicity' THEN d.race_ethnicity "
        "ELSE d.economically_disadvantaged END = g.grp "
        'GROUP BY ALL ORDER BY y.year, g.dimension, "group"'
    )


def monthly(engine: Engine, matchers: Sequence[Matcher], through: dt.date) -> list[dict[str, Any]]:
    """``monthly_sql`` run on ``engine``, as dicts."""
    return _run(engine, matchers, monthly_sql, [through], "program participation by month")


def yearly(engine: Engine, matchers: Sequence[Matcher], through: dt.date) -> list[dict[str, Any]]:
    """``yearly_sql`` run on ``engine``, as dicts."""
    return _run(engine, matchers, yearly_sql, [through], "program take-up and dosage by year")


def unmatched(engine: Engine, matchers: Sequence[Matcher]) -> list[dict[str, Any]]:
    """``unmatched_sql`` run on ``engine``, as dicts."""
    return _run(engine, matchers, unmatched_sql, [], "participation values without a program")


def reach(engine: Engine, matchers: Sequence[Matcher], through: dt.date) -> list[dict[str, Any]]:
    """``reach_sql`` run on ``engine``, as dicts."""
    return _run(engine, matchers, reach_sql, [through], "groups programs reach by year")


def _run(
    engine: Engine, matchers: Sequence[Matcher], sql: Any, params: list[Any], label: str
) -> list[dict[str, Any]]:
    with engine.scratch() as names:
        table = names.name("program_matchers")
        engine.register(table, matchers_table(matchers))
        return engine.arrow(sql(engine.identifier(table)), params, label).to_pylist()
