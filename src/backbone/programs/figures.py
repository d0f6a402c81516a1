"""What a reader sees of program participation: counts protected like every other number,
the monthly chart, and the outcomes × programs map with its gaps (pure: no Django).

A month's or a year's participants are a count of people: under the policy's minimum they are
withheld, and so are that period's sessions and hours (they describe the same few people). A
year's participants split into those who met the dosage rule and those who did not, a
partition, so complementary suppression keeps one part from being the total minus the other
(27 of 30 met the rule: the 3 who did not are under the minimum, so the 27 is withheld too, ‡).

>>> rows = [{"slug": "p", "year": "2024-25", "participants": 30, "sessions": 300,
...          "hours": 450.0, "met_dosage": 27}]
>>> [(y.participants, y.met_dosage) for y in protected_years(rows, Policy())]
[('30', '‡')]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt

from backbone.disclosure import Cell, Partition, Policy, protect

EXACT = None  # a policy of None: the reader has person-level rights and sees exact figures


@dataclass(frozen=True)
class Period:
    """One month or year of a program as shown: counts as text (``*`` when withheld)."""

    period: str
    participants: str
    sessions: str
    hours: str
    met_dosage: str = ""
    participants_value: int | None = None  # for the chart; None when withheld
    hours_value: float | None = None
    sessions_value: float | None = None


def protected_months(rows: Iterable[Mapping[str, Any]], policy: Policy | None) -> list[Period]:
    """Each month's participants, sessions and hours, withheld under ``policy.min_n``."""
    rows = list(rows)
    cells = [_count(str(r["month"])[:7], r["participants"]) for r in rows]
    shown = protect(cells, [], policy) if policy else {}
    return [_period(str(r["month"])[:7], r, shown) for r in rows]


def protected_years(rows: Iterable[Mapping[str, Any]], policy: Policy | None) -> list[Period]:
    """Each school year's take-up, sessions, hours and who met the dosage rule."""
    rows = list(rows)
    cells, partitions = [], []
    for r in rows:
        year, met = r["year"], r["met_dosage"]
        cells += [_count(year, r["participants"]), _count(f"{year}|met", met),
                  _count(f"{year}|not", r["participants"] - met)]  # fmt: skip
        partitions.append(Partition(year, (f"{year}|met", f"{year}|not")))
    shown = protect(cells, partitions, policy) if policy else {}
    periods = []
    for r in rows:
        met = shown[f"{r['year']}|met"].display if policy else str(r["met_dosage"])
        period = _period(r["year"], r, shown)
        periods.append(Period(**{**period.__dict__, "met_dosage": met}))
    return periods


def protected_count(key: str, count: int, policy: Policy | None) -> str:
    """One count as shown: exact, or withheld under the policy's minimum.

    >>> protected_count("x", 4, Policy()), protected_count("x", 4, None)
    ('*', '4')
    """
    return protect([_count(key, count)], [], policy)[key].display if policy else str(count)


def _count(key: str, n: int) -> Cell:
    return Cell(key, None, n, float(n), "count")


def _period(key: str, row: Mapping[str, Any], shown: Mapping[str, Any]) -> Period:
    withheld = bool(shown) and shown[key].value is None
    if withheld:
        marker = shown[key].display
        return Period(key, marker, marker, marker)
    participants = shown[key].display if shown else str(row["participants"])
    return Period(
        key, participants, f"{row['sessions']:,.0f}", f"{row['hours']:,.0f}", "",
        row["participants"], float(row["hours"]), float(row["sessions"]),
    )  # fmt: skip


def monthly_chart(months: Sequence[Period]) -> alt.TopLevelMixin:
    """Participants, sessions and hours per month: one small line chart each, withheld months
    left as gaps."""
    data = [
        {"month": m.period, "measure": name, "value": value}
        for m in months
        for name, value in (("Participants", m.participants_value),
                            ("Sessions", m.sessions_value), ("Hours", m.hours_value))
    ]  # fmt: skip
    base = alt.Chart(alt.Data(values=data), width=520, height=110)
    line = base.mark_line(point=True).encode(
        x=alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y")),
        y=alt.Y("value:Q", title=None),
    )
    return line.facet(row=alt.Row("measure:N", title=None, sort=["Participants", "Sessions"]))


@dataclass(frozen=True)
class OutcomeRow:
    """One shared outcome of the map: the programs aiming at it, and whether none does."""

    outcome: str
    name: str
    programs: tuple[str, ...]

    @property
    def gap(self) -> bool:
        return not self.programs


def outcome_map(
    outcomes: Sequence[tuple[str, str]], aims: Mapping[str, Sequence[str]]
) -> list[OutcomeRow]:
    """The outcomes × programs map: each outcome (slug, name) and the programs (slugs) whose
    outcomes include it; ``aims`` maps each program to its outcomes.

    >>> [r.gap for r in outcome_map([("a", "A"), ("b", "B")], {"p": ["a"]})]
    [False, True]
    """
    return [
        OutcomeRow(slug, name, tuple(sorted(p for p, aimed in aims.items() if slug in aimed)))
        for slug, name in outcomes
    ]
