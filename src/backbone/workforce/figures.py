"""What a reader sees of an employer's pipeline: each stage a count of people, protected like
every other number (pure: no Django).

The stages nest (the hired are among the offered, the offered among the interviewed, …), so
each stage and the people who stopped before it split the stage above: a partition. Under the
policy's minimum a count is withheld (``*``), and complementary suppression keeps a withheld
count from being worked out as a difference (``‡``).

>>> row = {"enrolled": 40, "completed": 30, "interviewed": 28, "offered": 20, "hired": 18,
...        "retained": 15}
>>> [(s.stage, s.shown) for s in protected_pipeline(row, Policy())][1:3]
[('completed', '30'), ('interviewed', '‡')]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Any

import altair as alt

from backbone.disclosure import Cell, Partition, Policy, protect
from backbone.workforce.actuals import STAGES
from backbone.workforce.status import Status


@dataclass(frozen=True)
class Stage:
    stage: str
    shown: str
    value: int | None  # None when withheld


def protected_pipeline(row: Mapping[str, Any], policy: Policy | None) -> list[Stage]:
    """The six stages of ``row`` as shown under ``policy`` (None: exact)."""
    if policy is None:
        return [Stage(s, str(row[s]), int(row[s])) for s in STAGES]
    cells = [_count(s, int(row[s])) for s in STAGES]
    partitions = []
    for above, stage in pairwise(STAGES):
        cells.append(_count(f"{above}-{stage}", int(row[above]) - int(row[stage])))
        partitions.append(Partition(above, (stage, f"{above}-{stage}")))
    shown = protect(cells, partitions, policy)
    return [_stage(s, shown[s].display, int(row[s])) for s in STAGES]


def protected_count(key: str, count: int | None, policy: Policy | None) -> str:
    """One count as shown: exact, withheld under the minimum, or ``—`` when there is none.

    >>> protected_count("x", 4, Policy()), protected_count("x", 4, None)
    ('*', '4')
    """
    if count is None:
        return "—"
    return protect([_count(key, count)], [], policy)[key].display if policy else str(count)


def protected_commitment(
    got: Status, policy: Policy | None, people_target: bool
) -> tuple[str, str, str]:
    """A commitment's overall target, actual and status as shown. When the target counts people,
    target, actual and shortfall are protected together, as each program year's are
    (``protected_trend``); otherwise the actual alone.

    >>> s = Status(target=30, actual=28, status="not met", basis="")
    >>> protected_commitment(s, Policy(), True), protected_commitment(s, Policy(), False)
    (('30', '‡', 'withheld'), ('30', '28', 'not met'))
    """
    if people_target:
        year = protected_trend([("overall", got)], policy, people_target)[0]
        return year.target, year.actual, year.status
    target = protected_count("target", got.target, policy)
    return target, protected_count("actual", got.actual, policy), got.status


def shown_status(status: str, conversion: str, actual: str, stages: list[Stage]) -> list[str]:
    """A commitment's status and conversion as shown: the status is withheld with its actual,
    and the conversion rate (hires per interview) whenever either count is withheld — a rate of
    small counts gives them away.

    >>> shown_status("not met", "33.3% of interviewed hired", "*", [Stage("hired", "*", None)])
    ['withheld', '']
    """
    hidden = {s.stage for s in stages if s.value is None}
    withheld = actual in ("*", "‡")
    return [
        "withheld" if withheld else status,
        "" if hidden & {"interviewed", "hired"} else conversion,
    ]


def _stage(stage: str, shown: str, value: int) -> Stage:
    return Stage(stage, shown, value if shown == str(value) else None)


def _count(key: str, n: int) -> Cell:
    return Cell(key, None, n, float(n), "count")


def protected_hiring(
    hires: Mapping[str, Any] | None, pipeline: Mapping[str, Any], policy: Policy | None
) -> dict[str, str]:
    """Wages at hire, days to hire and retention as shown under ``policy`` (None: exact): a
    percent is protected as on the scorecard (small numerator or complement withheld, extremes
    coded), a median is withheld when fewer than the minimum people stand behind it.

    >>> hires = {"with_wage": 40, "at_living_wage": 30, "median_wage": 19.505,
    ...          "with_exit": 40, "median_days_to_hire": 41.5}
    >>> protected_hiring(hires, {"retained": 3, "retention_due": 20}, Policy())
    {'living_wage': '75%', 'median_wage': '$19.51', 'median_days': '42', 'retention': '*'}
    """
    h = hires or {"with_wage": 0, "at_living_wage": 0, "median_wage": None, "with_exit": 0,
                  "median_days_to_hire": None}  # fmt: skip
    return {
        "living_wage": _percent("living_wage", h["at_living_wage"], h["with_wage"], policy),
        "median_wage": _median(h["median_wage"], h["with_wage"], policy, "0.01", "$"),
        "median_days": _median(h["median_days_to_hire"], h["with_exit"], policy, "1"),
        "retention": _percent(
            "retention", int(pipeline["retained"]), int(pipeline["retention_due"]), policy
        ),
    }


def _percent(key: str, numerator: int, denominator: int, policy: Policy | None) -> str:
    if not denominator:
        return "—"
    if policy is None:
        return f"{100 * numerator / denominator:.0f}%"
    cell = Cell(key, numerator, denominator, None, "percent")
    return protect([cell], [], policy)[key].display


def _median(value: float | None, n: int, policy: Policy | None, step: str, prefix: str = "") -> str:
    if value is None or not n:
        return "—"
    if policy is not None and n < policy.min_n:
        return "*"  # a median of a few people is nearly one person's figure
    return prefix + str(Decimal(str(value)).quantize(Decimal(step), ROUND_HALF_UP))


@dataclass(frozen=True)
class Year:
    """One program year of a commitment's trend as shown (values None when withheld)."""

    year: str
    target: str
    actual: str
    status: str
    target_value: int | None
    actual_value: int | None


def protected_trend(
    trend: Sequence[tuple[str, Status]], policy: Policy | None, people_target: bool
) -> list[Year]:
    """Each year's target, actual and status under ``policy``. When the target counts people
    (the completers of a per-completer commitment), the people short of it are a third count,
    and target, actual and shortfall are protected together as a partition.

    >>> s = Status(target=30, actual=28, status="not met", basis="")
    >>> [(y.target, y.actual, y.status) for y in protected_trend([("2024-25", s)], Policy(), True)]
    [('30', '‡', 'withheld')]
    """
    cells: list[Cell] = []
    partitions = []
    for year, s in trend:
        if s.actual is None or s.target is None:
            continue
        cells.append(_count(f"{year}|actual", s.actual))
        if people_target and s.target >= s.actual:
            cells += [
                _count(f"{year}|target", s.target),
                _count(f"{year}|short", s.target - s.actual),
            ]
            partitions.append(Partition(f"{year}|target", (f"{year}|actual", f"{year}|short")))
    shown = protect(cells, partitions, policy) if policy else {}
    return [_year(year, s, shown) for year, s in trend]


def _year(year: str, s: Status, shown: Mapping[str, Any]) -> Year:
    def show(part: str, value: int | None) -> tuple[str, int | None]:
        cell = shown.get(f"{year}|{part}")
        if value is None or cell is None or cell.display == str(value):
            return ("—" if value is None else str(value)), value
        return cell.display, None

    target, target_value = show("target", s.target)
    actual, actual_value = show("actual", s.actual)
    hidden = None in (target_value, actual_value) and s.actual is not None
    return Year(
        year, target, actual, "withheld" if hidden else s.status, target_value, actual_value
    )


def trend_chart(years: Sequence[Year], title: str) -> alt.TopLevelMixin:
    """Actual per program year as bars, the target as a tick; withheld years left out."""
    data = [{"year": y.year, "actual": y.actual_value, "target": y.target_value} for y in years]
    base = alt.Chart(alt.Data(values=data), width=320, height=120, title=title)
    x = alt.X("year:O", title=None)
    bars = base.mark_bar(color="#4c78a8").encode(x=x, y=alt.Y("actual:Q", title="people"))
    ticks = base.mark_tick(color="#222", thickness=2, size=30).encode(x=x, y="target:Q")
    return alt.layer(bars, ticks)
