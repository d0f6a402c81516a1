"""What an indicator page shows, built from plain values: the staff pages and the public
scorecard both call :func:`build`, so they compute the trend, forecast, targets, reference group,
gaps and equity table the same way.

Values are either **exact** (the staff pages, from computed results) or **published** (the
scorecard, after disclosure control). A published value may be withheld: it then has no value,
only a marker, and shows as a gap in a line — never as zero. Gaps and equity measures are
computed from the values given and nothing else, so on the scorecard they reveal nothing the
published tables do not.

A value may belong to a period that is not **complete** (its follow-up window has not closed,
``backbone.indicators.completeness``): such periods are left out of the trend, the groups, the
gaps and the equity table, listed in ``Page.pending`` instead, and never headlined
(:func:`headline`); tables show them as :func:`not_available`.

The reference group of a dimension is the one a target names, or else the group with the most
people among the values given (a withheld size counts for nothing, and the ``missing`` group is
never the reference; a tie goes to the first name in sort order).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

from backbone.indicators import equity
from backbone.indicators.targets import Method, TargetSpec, targets

logger = logging.getLogger(__name__)

OVERALL = "overall"
MISSING = "missing"


@dataclass(frozen=True)
class Value:
    """One value of an indicator for a group in a period, as the page may show it.

    ``value`` is None when withheld; ``display`` is what a reader sees (``42%``, ``*``) and
    ``marker`` why a value is withheld (``*``, ``‡``, ``coded``; "" when shown). ``size`` is the
    group's number of people, None when withheld. ``complete`` is False for a period whose
    follow-up window has not closed. ``row`` is what the value came from (a computed result or
    a published cell), for the page's own tables.
    """

    period: str
    dimension: str
    group: str
    value: float | None
    size: int | None = None
    display: str = ""
    marker: str = ""
    row: object = field(default=None, compare=False)
    complete: bool = True


@dataclass(frozen=True)
class Point:
    """One point on a chart: ``value`` is None when withheld, ``display`` says what is shown."""

    period: str
    value: float | None
    display: str
    group: str = ""


@dataclass(frozen=True)
class Goal:
    """A target from the registry: its method, goal and goal year, and for the overall target
    the baseline it starts from (``baseline_period`` a year)."""

    method: str
    goal: float | None
    goal_year: int
    baseline_period: str = ""
    baseline: float | None = None


@dataclass(frozen=True)
class Subject:
    """What the builder needs to know of the indicator besides its values.

    ``exact`` says the values are computed results (the forecast keeps their precision) rather
    than published ones (the forecast is rounded to one decimal, like what it is drawn from).
    ``goals`` are targets by dimension (``overall`` included); ``references`` the reference group
    by dimension: a group code, ``best`` or ``all`` (everyone, the default) — see
    ``reference_group``.
    """

    higher_is_better: bool = True
    exact: bool = True
    goals: Mapping[str, Goal] = field(default_factory=dict)
    references: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Trend:
    """The overall value per period, the overall targets per year and the forecast."""

    points: list[Point]
    targets: dict[int, float]
    forecast: list[tuple[int, float]]


@dataclass(frozen=True)
class EquityRow:
    """One group's equity measures in the latest period, its size (people, None when
    withheld) and its target status if any."""

    group: str
    measure: equity.GroupEquity
    status: str = ""
    size: int | None = None


@dataclass(frozen=True)
class EquityTable:
    """The latest period's equity measures against the reference group; ``withheld`` are the
    groups whose value in that period is not published (their marker, no measures)."""

    period: str
    since: str
    rows: list[EquityRow]
    withheld: list[Point]
    index_of_disparity: float | None


@dataclass(frozen=True)
class Dimension:
    """One dimension's groups: their values by group and period, chart points, the reference
    group, gaps to it per period and the equity table."""

    name: str
    periods: list[str]
    values: dict[str, dict[str, Value]]
    points: list[Point]
    reference: str
    gaps: list[Point]
    equity: EquityTable | None


@dataclass(frozen=True)
class Page:
    """What an indicator page shows; ``pending`` are the periods not yet complete."""

    trend: Trend
    dimensions: list[Dimension]
    pending: list[str] = field(default_factory=list)


Label = Callable[[str], str]  # a group code → what readers see, within one dimension
GroupLabel = Callable[[str, str], str]  # (dimension, group code) → what readers see


def _same(group: str) -> str:
    return group


def _code(dimension: str, group: str) -> str:
    return group


def build(
    values: Iterable[Value], subject: Subject, *, label: GroupLabel = _code, forecast: bool = True
) -> Page:
    """The page for one indicator's ``values`` (every dimension, ``overall`` included).

    ``label`` names a dimension's group code for readers (charts and tables), e.g.
    ``backbone.indicators.labels.Labels.group``; ``forecast=False`` leaves the forecast out (a
    compact widget).
    """
    given = list(values)
    chosen = [v for v in given if v.complete]
    overall = [v for v in chosen if v.dimension == OVERALL]
    names = sorted({v.dimension for v in chosen} - {OVERALL})
    return Page(
        trend(overall, subject, forecast=forecast),
        [
            dimension(n, [v for v in chosen if v.dimension == n], subject, label, overall)
            for n in names
        ],
        sorted({v.period for v in given if not v.complete}),
    )


def headline(values: Iterable[Value]) -> Value | None:
    """What a headline shows: the overall value of the latest complete period (None if none).

    >>> headline([Value("2025", OVERALL, "all", 57.0),
    ...           Value("2026", OVERALL, "all", 4.0, complete=False)]).period
    '2025'
    """
    complete = [v for v in values if v.complete and v.dimension == OVERALL]
    return max(complete, key=lambda v: v.period) if complete else None


def not_available(through: dt.date | None) -> str:
    """What a reader sees for a period whose follow-up window has not closed.

    >>> not_available(dt.date(2026, 6, 30))
    'not yet available (data through 2026-06-30)'
    """
    return "not yet available" + (f" (data through {through:%Y-%m-%d})" if through else "")


def trend(overall: Sequence[Value], subject: Subject, *, forecast: bool = True) -> Trend:
    """The overall values of complete periods in period order, the overall targets and
    (optionally) the forecast."""
    shown = [v for v in overall if v.complete]
    points = [_point(v) for v in sorted(shown, key=lambda v: v.period)]
    goals = overall_targets(subject)
    ahead = heading(points, goals, 6 if subject.exact else 1) if forecast else []
    return Trend(points, goals, ahead)


def _point(value: Value, group: str = "") -> Point:
    return Point(value.period, value.value, value.display, group)


def overall_targets(subject: Subject) -> dict[int, float]:
    """The overall target per year from the overall goal and its baseline (none if either is
    unset, the method is ``halve_gap`` or the target is incomplete)."""
    goal = subject.goals.get(OVERALL)
    if goal is None or goal.method == "halve_gap" or goal.baseline is None:
        return {}
    if not goal.baseline_period.isdigit():
        return {}
    spec = _spec(goal, int(goal.baseline_period), subject.higher_is_better)
    try:
        return targets(spec, {OVERALL: goal.baseline}).get(OVERALL, {})
    except ValueError:  # an incomplete target in the registry: show the trend without it
        logger.warning("an overall target cannot be drawn", exc_info=True)
        return {}


def _spec(goal: Goal, baseline_year: int, higher_is_better: bool) -> TargetSpec:
    return TargetSpec(
        cast(Method, goal.method), baseline_year, goal.goal_year, goal.goal,
        higher_is_better=higher_is_better,
    )  # fmt: skip


def forecast(points: Sequence[tuple[int, float]], years: Iterable[int]) -> list[tuple[int, float]]:
    """Where the curve is heading if nothing changes: the least-squares line through
    ``points`` (year, value), extended to ``years``. Needs two points or more.

    >>> forecast([(2021, 40.0), (2022, 42.0), (2023, 44.0)], [2024, 2025])
    [(2024, 46.0), (2025, 48.0)]
    """
    if len(points) < 2:
        return []
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0
    return [(year, round(mean_y + slope * (year - mean_x), 6)) for year in years]


def heading(
    points: Sequence[Point], goals: Mapping[int, float], decimals: int = 6
) -> list[tuple[int, float]]:
    """The forecast from the shown values of yearly ``points``, from the year after the last
    period to three years ahead or the last target year, rounded to ``decimals``.

    >>> heading([Point("2022", 40.0, ""), Point("2023", None, "*"), Point("2024", 44.0, "")],
    ...         {}, 1)
    [(2025, 46.0), (2026, 48.0), (2027, 50.0)]
    """
    years = [(int(p.period), p.value) for p in points if p.period.isdigit() and p.value is not None]
    if len(years) < 2:
        return []
    last = max(int(p.period) for p in points if p.period.isdigit())
    ahead = range(last + 1, max([last + 3, *goals]) + 1)
    return [(year, round(value, decimals)) for year, value in forecast(years, ahead)]


def dimension(
    name: str,
    values: Sequence[Value],
    subject: Subject,
    named: GroupLabel = _code,
    everyone: Sequence[Value] = (),
) -> Dimension:
    """One dimension's groups, reference group, gaps and equity table. ``everyone`` are the
    overall values, the reference when the dimension's is the whole population."""

    def label(group: str) -> str:
        return named(name, group)

    periods = sorted({v.period for v in values})
    by_group: dict[str, dict[str, Value]] = defaultdict(dict)
    for value in sorted(values, key=lambda v: (v.period, v.group)):
        by_group[value.group][value.period] = value
    reference = reference_group(values, subject.references.get(name, ""), subject.higher_is_better)
    compared: dict[str, dict[str, Value]] = dict(by_group)
    if reference == EVERYONE:
        compared[EVERYONE] = {v.period: v for v in everyone}
    return Dimension(
        name=name,
        periods=periods,
        values=dict(by_group),
        points=[
            _point(v, label(v.group)) for v in sorted(values, key=lambda v: (v.period, v.group))
        ],
        reference=reference,
        gaps=gaps(compared, reference, periods, subject.higher_is_better, label),
        equity=equity_table(compared, reference, periods, subject, name, label),
    )


EVERYONE = "all"  # the overall group: the whole population as reference (the default)
BEST = "best"  # the group with the best value in the latest period


def reference_group(
    values: Iterable[Value], chosen: str = "", higher_is_better: bool = True
) -> str:
    """The group gaps are measured to: ``chosen`` if it names a group; the whole population
    (``all``) when nothing is chosen; or, for ``best``, the group with the best value shown in
    the latest period that has one (``missing`` never; ties to the first in sort order; "" if
    no value is shown).

    The whole population is the default because it always exists and moves slowly, so gaps
    measure each group against where everyone is; the best group (CDC's "most favorable rate")
    is often small and noisy, and may be withheld.

    >>> values = [Value("2024", "d", "a", 70.0, 30), Value("2024", "d", "b", 80.0, 40),
    ...           Value("2024", "d", "missing", 95.0, 90), Value("2023", "d", "c", 99.0, 5)]
    >>> reference_group(values), reference_group(values, "best"), reference_group(values, "a")
    ('all', 'b', 'a')
    >>> reference_group(values, "best", higher_is_better=False)
    'a'
    """
    if chosen and chosen != BEST:
        return chosen
    if chosen != BEST:
        return EVERYONE
    shown = [v for v in values if v.value is not None and v.group != MISSING]
    if not shown:
        return ""
    latest = max(v.period for v in shown)
    ranked = sorted((v for v in shown if v.period == latest), key=lambda v: v.group)
    pick = max if higher_is_better else min
    return pick(ranked, key=lambda v: cast(float, v.value)).group


def gaps(
    by_group: Mapping[str, Mapping[str, Value]],
    reference: str,
    periods: Sequence[str],
    higher_is_better: bool = True,
    label: Label = _same,
) -> list[Point]:
    """Each other group's gap in points to the reference per period (positive: behind), where
    both have a value in that period; a withheld side gives a point with no value and the
    withheld side's marker, so the line has a gap there."""
    theirs = by_group.get(reference, {})
    points = []
    for group, mine in sorted(by_group.items()):
        for period in periods if group != reference else []:
            if period in mine and period in theirs:
                points.append(_gap(mine[period], theirs[period], higher_is_better, label(group)))
    return points


def _gap(mine: Value, theirs: Value, higher_is_better: bool, group: str) -> Point:
    if mine.value is None or theirs.value is None:
        withheld = mine if mine.value is None else theirs
        return Point(mine.period, None, withheld.marker or withheld.display, group)
    gap = equity.gap(mine.value, theirs.value, higher_is_better=higher_is_better)
    return Point(mine.period, gap, f"{gap:g}", group)


def equity_table(
    by_group: Mapping[str, Mapping[str, Value]],
    reference: str,
    periods: Sequence[str],
    subject: Subject,
    dimension_name: str = "",
    label: Label = _same,
) -> EquityTable | None:
    """Gap, ratio, gap closed since the first period and change per year for the latest period,
    from the values shown; with target status where the dimension has a (not ``halve_gap``)
    target. None when the reference group has no value in the latest period."""
    if not periods or not reference:
        return None
    first, last = periods[0], periods[-1]
    current = _shown(by_group, last)
    if reference not in current:
        return None
    baseline = _shown(by_group, first) if first != last else None
    years = int(last) - int(first) if last.isdigit() and first.isdigit() else None
    measures = equity.group_equity(
        current, reference, baseline=baseline, years_since_baseline=years,
        higher_is_better=subject.higher_is_better,
    )  # fmt: skip
    goal = subject.goals.get(dimension_name)
    status = _status(goal, subject, _shown(by_group, first), current, first, last)
    withheld = [
        _point(cells[last], label(g))
        for g, cells in sorted(by_group.items()) if last in cells and cells[last].value is None
    ]  # fmt: skip
    others = {g: v for g, v in current.items() if g != reference}
    return EquityTable(
        period=last,
        since=first,
        rows=[
            EquityRow(label(m.group), m, status.get(m.group, ""), by_group[m.group][last].size)
            for m in measures
        ],
        withheld=withheld,
        index_of_disparity=equity.index_of_disparity(others, current[reference]),
    )


def _shown(by_group: Mapping[str, Mapping[str, Value]], period: str) -> dict[str, float]:
    shown = {g: cells[period].value for g, cells in by_group.items() if period in cells}
    return {g: v for g, v in shown.items() if v is not None}


def _status(
    goal: Goal | None,
    subject: Subject,
    baseline: dict[str, float],
    current: dict[str, float],
    first: str,
    last: str,
) -> dict[str, str]:
    """Per group: met, on track or off track against the dimension's target, if it has one."""
    if goal is None or goal.goal is None or goal.method == "halve_gap":
        return {}
    if not (first.isdigit() and last.isdigit()) or int(last) <= int(first):
        return {}
    if goal.goal_year <= int(first):
        return {}
    spec = _spec(goal, int(first), subject.higher_is_better)
    series = targets(spec, {OVERALL: baseline.get(OVERALL, 0.0), **baseline})
    status = {}
    for group, value in current.items():
        year_target = series.get(group, {}).get(int(last))
        if year_target is not None:
            status[group] = equity.target_status(
                value, year_target, goal.goal, higher_is_better=subject.higher_is_better
            ).replace("_", " ")
    return status
