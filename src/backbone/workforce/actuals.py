"""Commitment actuals from the warehouse: each employer's pipeline and its events per year.

**Pipeline**, per sector partnership and employer: the distinct people *enrolled* in the
partnership's training programs (``training.program``), those who *completed*, and of the
completers those the employer *interviewed*, *offered* and *hired* on or after their training
began (``employer_event`` rows the employer itself submitted), and those *retained*: hired and
paid by the employer's UI account in the 4th quarter after the hire quarter. Retention is
*due* only for hires whose 4th quarter is no later than the last quarter of wages loaded.

**Events**, per employer: distinct people interviewed, offered and hired, in all and per
program year (July to June, ``2024-25``), walk-ins included — what a commitment per period is
held to.

People are joined across partners through the ``crosswalk`` (linkage): a record not linked
counts as its own person. The SQL is DuckDB's; run it through any ``Engine`` that speaks it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from backbone.warehouse.engines.base import Engine

STAGES = ("enrolled", "completed", "interviewed", "offered", "hired", "retained")


@dataclass(frozen=True)
class Scope:
    """What ties warehouse rows to a sector partnership: its training programs and its
    employers (partner slug → UI account number, or "" when unknown)."""

    partnership: str
    programs: tuple[str, ...]
    employers: tuple[tuple[str, str], ...]


def program_year_sql(column: str) -> str:
    """The program year (July to June) of a DATE column, as ``2024-25``."""
    start = f"(year({column}) - CASE WHEN month({column}) < 7 THEN 1 ELSE 0 END)"
    return f"CAST({start} AS VARCHAR) || '-' || lpad(CAST(({start} + 1) % 100 AS VARCHAR), 2, '0')"


def _person(alias: str) -> str:
    return f"coalesce(x_{alias}.person_key, {alias}.record_id)"


def _linked(table: str, alias: str) -> str:
    return (
        f"{table} {alias} LEFT JOIN crosswalk x_{alias} ON x_{alias}.record_id = {alias}.record_id"
    )


def events_cte() -> str:
    """Per employer (the submitting partner) and person: the first date of each event."""
    first = ", ".join(f"min(e.event_date) FILTER (WHERE e.event = '{k}') AS {k}_on"
                      for k in ("interview", "offer", "hire"))  # fmt: skip
    return (f"SELECT e.source_partner AS employer, {_person('e')} AS person, {first} "
            f"FROM {_linked('employer_event', 'e')} GROUP BY ALL")  # fmt: skip


def trainees_sql(programs: str) -> str:
    """Per partnership and person: the first entry, whether any enrollment was completed, and
    ``completed_on``, the first exit date of a completed enrollment."""
    return (
        f"SELECT p.partnership, {_person('t')} AS person, min(t.entry_date) AS entered, "
        "bool_or(coalesce(t.completed, false)) AS completed, "
        "min(t.exit_date) FILTER (WHERE t.completed) AS completed_on "
        f"FROM {_linked('training', 't')} JOIN {programs} p ON p.program = t.program GROUP BY ALL"
    )


def completers_by_year_sql(programs: str, employers: str) -> str:
    """Per partnership, employer and program year of completion (``completed_on``): the
    completers, and of them those the employer interviewed and hired after their entry —
    what a per-completer commitment is held to, year by year."""
    reached = "count(*) FILTER (WHERE ev.{0}_on >= t.entered) AS {1}"
    return (
        f"WITH trainees AS ({trainees_sql(programs)}), ev AS ({events_cte()}) "
        f"SELECT m.partnership, m.employer, {program_year_sql('t.completed_on')} AS year, "
        f"count(*) AS completed, {reached.format('interview', 'interviewed')}, "
        f"{reached.format('hire', 'hired')} "
        f"FROM trainees t JOIN {employers} m ON m.partnership = t.partnership "
        "LEFT JOIN ev ON ev.employer = m.employer AND ev.person = t.person "
        "WHERE t.completed AND t.completed_on IS NOT NULL "
        "GROUP BY ALL ORDER BY m.partnership, m.employer, year"
    )


def pipeline_sql(programs: str, employers: str) -> str:
    """Per partnership and employer: the six pipeline stages and ``retention_due``."""
    trainees = trainees_sql(programs)
    paid = (f"SELECT {_person('w')} AS person, w.employer_id, w.year * 4 + w.quarter - 1 AS q "
            f"FROM {_linked('wages', 'w')} WHERE w.wages > 0")  # fmt: skip
    quarter = "(year(ev.hire_on) * 4 + quarter(ev.hire_on) - 1)"
    stage = "t.completed AND ev.{0}_on >= t.entered"
    return (
        f"WITH trainees AS ({trainees}), ev AS ({events_cte()}), paid AS ({paid}), "
        "last AS (SELECT max(year * 4 + quarter - 1) AS q FROM wages) "
        "SELECT m.partnership, m.employer, count(*) AS enrolled, "
        "count(*) FILTER (WHERE t.completed) AS completed, "
        f"count(*) FILTER (WHERE {stage.format('interview')}) AS interviewed, "
        f"count(*) FILTER (WHERE {stage.format('offer')}) AS offered, "
        f"count(*) FILTER (WHERE {stage.format('hire')}) AS hired, "
        f"count(*) FILTER (WHERE {stage.format('hire')} AND EXISTS (SELECT 1 FROM paid "
        f"WHERE paid.person = t.person AND paid.employer_id = m.ui_account "
        f"AND paid.q = {quarter} + 4)) AS retained, "
        f"count(*) FILTER (WHERE {stage.format('hire')} AND {quarter} + 4 <= "
        "(SELECT q FROM last)) AS retention_due "
        f"FROM trainees t JOIN {employers} m ON m.partnership = t.partnership "
        "LEFT JOIN ev ON ev.employer = m.employer AND ev.person = t.person "
        "GROUP BY ALL ORDER BY m.partnership, m.employer"
    )


def employer_events_sql() -> str:
    """Per employer and program year (``year`` NULL for all years): distinct people
    interviewed, offered and hired, dated by each event."""
    years = ", ".join(
        f"SELECT employer, person, '{k}' AS event, {k}_on AS day FROM ev WHERE {k}_on IS NOT NULL"
        for k in ("interview", "offer", "hire")
    ).replace(", SELECT", " UNION ALL SELECT")
    counts = ", ".join(f"count(DISTINCT person) FILTER (WHERE event = '{k}') AS {k}s"
                       for k in ("interview", "offer", "hire"))  # fmt: skip
    return (
        f"WITH ev AS ({events_cte()}), dated AS ({years}) "
        f"SELECT employer, {program_year_sql('day')} AS year, {counts} FROM dated "
        "GROUP BY GROUPING SETS ((employer), (employer, year)) "
        "ORDER BY employer, year NULLS FIRST"
    )


def scope_tables(scopes: Sequence[Scope]) -> tuple[pa.Table, pa.Table]:
    """(partnership, program) and (partnership, employer, ui_account) rows, to join on."""
    programs = [(s.partnership, p) for s in scopes for p in s.programs]
    employers = [(s.partnership, e, a) for s in scopes for e, a in s.employers]
    return (
        pa.table({"partnership": pa.array([r[0] for r in programs], pa.string()),
                  "program": pa.array([r[1] for r in programs], pa.string())}),
        pa.table({"partnership": pa.array([r[0] for r in employers], pa.string()),
                  "employer": pa.array([r[1] for r in employers], pa.string()),
                  "ui_account": pa.array([r[2] for r in employers], pa.string())}),
    )  # fmt: skip


NO_CROSSWALK_SQL = (
    "CREATE OR REPLACE VIEW crosswalk AS SELECT CAST(NULL AS VARCHAR) AS record_id, "
    "CAST(NULL AS VARCHAR) AS person_key WHERE false"
)  # before linkage every record is its own person


def reporting(rows: Sequence[dict[str, Any]]) -> set[str]:
    """The employers with any event in ``employer_events`` rows."""
    return {r["employer"] for r in rows if r["interviews"] or r["offers"] or r["hires"]}


def scoped(
    engine: Engine, scopes: Sequence[Scope], build: Callable[[str, str], str], label: str,
    params: Sequence[Any] = (),
) -> list[dict[str, Any]]:  # fmt: skip
    """The SQL ``build(programs, employers)`` makes, run with the scopes' tables registered."""
    programs, employers = scope_tables(scopes)
    with engine.scratch() as names:
        tables = names.name("workforce_programs"), names.name("workforce_employers")
        engine.register(tables[0], programs)
        engine.register(tables[1], employers)
        sql = build(*(engine.identifier(t) for t in tables))
        return engine.arrow(sql, list(params), label).to_pylist()


def pipeline(engine: Engine, scopes: Sequence[Scope]) -> list[dict[str, Any]]:
    """``pipeline_sql`` run on ``engine`` for ``scopes``, as dicts."""
    return scoped(engine, scopes, pipeline_sql, "workforce pipeline per employer")


def completers_by_year(engine: Engine, scopes: Sequence[Scope]) -> list[dict[str, Any]]:
    """``completers_by_year_sql`` run on ``engine`` for ``scopes``, as dicts."""
    return scoped(engine, scopes, completers_by_year_sql, "workforce completers per year")


def employer_events(engine: Engine) -> list[dict[str, Any]]:
    """``employer_events_sql`` run on ``engine``, as dicts."""
    return engine.arrow(employer_events_sql(), [], "employer events per year").to_pylist()
