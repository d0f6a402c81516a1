"""The employer view beyond the pipeline: wages at hire, days from completion to hire, and how
current each source is (DuckDB SQL through an ``Engine``, as in ``actuals``).

**Hires**, per partnership and employer — the pipeline's *hired* (completers the employer hired
on or after their training began, dated by the first hire): how many carry an hourly wage on that
first hire, how many of those are paid at least the living wage, the median wage, and the median
days from completion (the first ``exit_date`` of a completed enrollment) to the hire, over the
hires with such a date.

**Currency**, per source table and submitting partner: the latest date its rows speak for —
the last event, the last training entry or exit, the last day of the last wage quarter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from backbone.warehouse.engines.base import Engine
from backbone.workforce import actuals

STALE_AFTER_DAYS = 120  # a quarter's wage records arrive about a quarter late; more is stale


def hires_sql(programs: str, employers: str) -> str:
    """Per partnership and employer: ``hired``, ``with_wage``, ``at_living_wage`` (at least the
    first parameter, dollars per hour), ``median_wage``, ``with_exit`` and
    ``median_days_to_hire``. Employers without a hire have no row."""
    hires = (
        "SELECT e.source_partner AS employer, coalesce(x_e.person_key, e.record_id) AS person, "
        "min(e.event_date) AS hire_on, "
        "CAST(arg_min(e.hourly_wage, e.event_date) AS DOUBLE) AS wage "
        "FROM employer_event e LEFT JOIN crosswalk x_e ON x_e.record_id = e.record_id "
        "WHERE e.event = 'hire' GROUP BY ALL"
    )
    days = "date_diff('day', t.completed_on, h.hire_on)"
    return (
        f"WITH trainees AS ({actuals.trainees_sql(programs)}), hires AS ({hires}) "
        "SELECT m.partnership, m.employer, count(*) AS hired, count(h.wage) AS with_wage, "
        "count(*) FILTER (WHERE h.wage >= ?) AS at_living_wage, "
        "median(h.wage) AS median_wage, count(t.completed_on) AS with_exit, "
        f"median({days}) AS median_days_to_hire "
        f"FROM trainees t JOIN {employers} m ON m.partnership = t.partnership "
        "JOIN hires h ON h.employer = m.employer AND h.person = t.person "
        "WHERE t.completed AND h.hire_on >= t.entered "
        "GROUP BY ALL ORDER BY m.partnership, m.employer"
    )


def currency_sql() -> str:
    """Per source table and partner: ``through``, the latest date its rows speak for."""
    quarter_end = "last_day(make_date(year, quarter * 3, 1))"
    return (
        "SELECT 'employer_event' AS source, source_partner AS partner, max(event_date) AS through "
        "FROM employer_event GROUP BY ALL UNION ALL "
        "SELECT 'training', source_partner, max(greatest(entry_date, coalesce(exit_date, "
        "entry_date))) FROM training GROUP BY ALL UNION ALL "
        f"SELECT 'wages', source_partner, max({quarter_end}) FROM wages GROUP BY ALL "
        "ORDER BY source, partner"
    )


def hires(
    engine: Engine, scopes: Sequence[actuals.Scope], living_wage: float
) -> list[dict[str, Any]]:
    """``hires_sql`` run on ``engine`` for ``scopes`` and ``living_wage``, as dicts."""
    label = "workforce hires per employer"
    return actuals.scoped(engine, scopes, hires_sql, label, [living_wage])


def currency(engine: Engine) -> list[dict[str, Any]]:
    """``currency_sql`` run on ``engine``, as dicts."""
    return engine.arrow(currency_sql(), [], "workforce sources' latest dates").to_pylist()


@dataclass(frozen=True)
class Current:
    """How current one source is on ``today``: the date its data run through, and whether that
    is more than ``STALE_AFTER_DAYS`` ago.

    >>> Current("wages", dt.date(2026, 6, 30), dt.date(2026, 11, 23)).age_days
    146
    >>> Current("wages", dt.date(2026, 6, 30), dt.date(2026, 11, 23)).stale
    True
    >>> Current("wages", dt.date(2026, 6, 30), dt.date(2026, 10, 28)).stale  # 120 days: not yet
    False
    """

    source: str
    through: dt.date | None
    today: dt.date

    @property
    def age_days(self) -> int | None:
        return None if self.through is None else (self.today - self.through).days

    @property
    def stale(self) -> bool:
        return self.age_days is None or self.age_days > STALE_AFTER_DAYS


def current_for(rows: Sequence[dict[str, Any]], employer: str, today: dt.date) -> list[Current]:
    """The three sources an employer's figures rest on: its own events, the training rosters
    (every provider) and the wage records (every sender)."""

    def latest(source: str, partner: str | None = None) -> dt.date | None:
        dates = [r["through"] for r in rows if r["source"] == source
                 and r["through"] is not None and partner in (None, r["partner"])]  # fmt: skip
        return max(dates, default=None)

    return [
        Current("employer_event", latest("employer_event", employer), today),
        Current("training", latest("training"), today),
        Current("wages", latest("wages"), today),
    ]
