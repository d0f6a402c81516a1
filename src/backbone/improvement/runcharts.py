"""Run charts: the median and the run-chart rules of methods §3.3.

Two rule sets, each a tuple of signals a page can draw:

- **Anhøj** (the default, as in R ``qicharts2``): an unusually long run (longer than
  ``round(log2(n) + 3)``) or unusually few crossings of the median (fewer than
  ``qbinom(0.05, n - 1, 0.5)``), where n counts the points not on the median.
- **IHI** (Perla, Provost and Murray): a shift of 6 or more points on one side of the median, a
  trend of 5 or more points going up (or down), and too few or too many runs by the
  Swed–Eisenhart table, computed here exactly from the runs distribution.

Points on the median neither make nor break a run; equal consecutive values count once in a
trend and neither make nor break it.

>>> chart = run_chart([3, 4, 5, 6, 7, 8, 9, 10, 2, 1], [str(m) for m in range(1, 11)])
>>> chart.median, chart.longest_run, chart.longest_run_limit
(5.5, 5, 6)
>>> [s.rule for s in run_chart([1, 2, 3, 4, 5, 6, 7], list("abcdefg"), rules="ihi").signals]
['Trend']
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache

ANHOEJ = "anhoej"
IHI = "ihi"
RULE_SETS = (ANHOEJ, IHI)
IHI_SHIFT = 6  # points on one side of the median (methods §3.3 rule 1)
IHI_TREND = 5  # points going up or down (rule 2)


@dataclass(frozen=True)
class Signal:
    """A rule that fired and the points (0-based positions) it fired on; ``points`` is empty
    for a rule about the whole chart (too few crossings, too few or too many runs)."""

    rule: str
    points: tuple[int, ...] = ()


@dataclass(frozen=True)
class RunChart:
    """A run chart: the values, their median, the runs analysis and the signals."""

    labels: tuple[str, ...]
    values: tuple[float, ...]
    median: float
    rules: str
    useful: int  # points not on the median
    runs: int
    longest_run: int
    longest_run_limit: int  # a longer run is a signal (Anhøj)
    crossings: int
    crossings_minimum: int  # fewer crossings are a signal (Anhøj)
    runs_limits: tuple[int | None, int | None]  # too few if runs < [0], too many if > [1]
    signals: tuple[Signal, ...]

    def point_signals(self) -> tuple[tuple[str, ...], ...]:
        """For each point, the names of the rules that fired on it."""
        return point_signals(len(self.values), self.signals)


def point_signals(count: int, signals: Sequence[Signal]) -> tuple[tuple[str, ...], ...]:
    names: list[list[str]] = [[] for _ in range(count)]
    for signal in signals:
        for i in signal.points:
            if signal.rule not in names[i]:
                names[i].append(signal.rule)
    return tuple(tuple(n) for n in names)


def run_chart(
    values: Sequence[float], labels: Sequence[str], rules: str = ANHOEJ, tail: float = 0.05
) -> RunChart:
    """The run chart of ``values`` (one per label, in time order) under ``rules``.

    ``tail`` is the one-sided probability of the Swed–Eisenhart runs limits (0.05 or 0.025).
    """
    ys = _checked(values, labels, rules)
    median = float(statistics.median(ys))
    runs = side_runs(ys, median)
    useful = sum(len(r) for r in runs)
    lengths = [len(r) for r in runs]
    chart = RunChart(
        labels=tuple(labels),
        values=ys,
        median=median,
        rules=rules,
        useful=useful,
        runs=len(runs),
        longest_run=max(lengths, default=0),
        longest_run_limit=longest_run_limit(useful),
        crossings=max(len(runs) - 1, 0),
        crossings_minimum=crossings_minimum(useful),
        runs_limits=runs_limits(useful, tail),
        signals=(),
    )
    found = _anhoej(chart, runs) if rules == ANHOEJ else _ihi(chart, runs)
    return RunChart(**{**chart.__dict__, "signals": tuple(found)})


def _checked(values: Sequence[float], labels: Sequence[str], rules: str) -> tuple[float, ...]:
    if rules not in RULE_SETS:
        raise ValueError(f"unknown rule set {rules!r}; choose one of {', '.join(RULE_SETS)}")
    if len(values) != len(labels):
        raise ValueError(f"{len(values)} values but {len(labels)} labels")
    if not values:
        raise ValueError("a chart needs at least one value")
    ys = tuple(float(v) for v in values)
    if not all(math.isfinite(y) for y in ys):
        raise ValueError("every value must be a finite number")
    return ys


def _anhoej(chart: RunChart, runs: list[list[int]]) -> list[Signal]:
    found = [
        Signal("Unusually long run", tuple(r)) for r in runs if len(r) > chart.longest_run_limit
    ]
    if chart.useful and chart.crossings < chart.crossings_minimum:
        found.append(Signal("Too few crossings"))
    return found


def _ihi(chart: RunChart, runs: list[list[int]]) -> list[Signal]:
    found = [Signal("Shift", tuple(r)) for r in runs if len(r) >= IHI_SHIFT]
    found += [Signal("Trend", t) for t in trends(chart.values, IHI_TREND)]
    low, high = chart.runs_limits
    if low is not None and chart.runs < low:
        found.append(Signal("Too few runs"))
    if high is not None and chart.runs > high:
        found.append(Signal("Too many runs"))
    return found


def side_runs(values: Sequence[float], centre: float | Sequence[float]) -> list[list[int]]:
    """Runs of points on one side of the centre line, as lists of positions; points on the
    line are left out and do not break a run.

    >>> side_runs([1, 5, 3, 4, 1], 3)
    [[0], [1, 3], [4]]
    """
    centres = [centre] * len(values) if isinstance(centre, int | float) else list(centre)
    runs: list[list[int]] = []
    last = 0
    for i, (y, c) in enumerate(zip(values, centres, strict=True)):
        side = (y > c) - (y < c)
        if side == 0:
            continue
        if side != last:
            runs.append([])
            last = side
        runs[-1].append(i)
    return runs


def trends(values: Sequence[float], length: int) -> list[tuple[int, ...]]:
    """Stretches of ``length`` or more points all going up or all going down, as positions.

    Equal consecutive values count as one point and neither make nor break a trend.

    >>> trends([5, 1, 2, 2, 3, 4, 0], 4)
    [(1, 2, 3, 4, 5)]
    """
    groups = _equal_groups(values)
    found: list[tuple[int, ...]] = []
    start = 0
    for g in range(1, len(groups) + 1):
        if g < len(groups) and (g - start < 2 or _step(groups, g) == _step(groups, g - 1)):
            continue
        if g - start >= length:  # groups start..g-1 are the counted points
            found.append(tuple(range(groups[start][1], groups[g - 1][1] + 1)))
        start = g - 1
    return found


def _equal_groups(values: Sequence[float]) -> list[tuple[float, int]]:
    """(value, first position) of each stretch of equal consecutive values."""
    groups: list[tuple[float, int]] = []
    for i, y in enumerate(values):
        if not groups or y != groups[-1][0]:
            groups.append((y, i))
    return groups


def _step(groups: list[tuple[float, int]], g: int) -> bool:
    return groups[g][0] > groups[g - 1][0]


def longest_run_limit(useful: int) -> int:
    """Anhøj's limit for the longest run: a longer run is a signal (Schilling 2012).

    >>> [longest_run_limit(n) for n in (10, 12, 23, 46)]
    [6, 7, 8, 9]
    """
    # log2(n) + 3 is never exactly x.5 for a whole n, so rounding conventions agree.
    return round(math.log2(useful) + 3) if useful > 0 else 0


def crossings_minimum(useful: int) -> int:
    """Anhøj's minimum number of crossings: ``qbinom(0.05, n - 1, 0.5)`` (Chen 2010).

    >>> [crossings_minimum(n) for n in (10, 23)]
    [2, 7]
    """
    trials = max(useful - 1, 0)
    below = 0
    for k in range(trials + 1):  # the smallest k with P(X <= k) >= 0.05, in whole numbers
        below += math.comb(trials, k)
        if 20 * below >= 2**trials:
            return k
    return trials


@cache
def runs_limits(useful: int, tail: float = 0.05) -> tuple[int | None, int | None]:
    """Swed–Eisenhart limits for n points off the median (⌊n/2⌋ above, the rest below):
    too few runs if runs < the first, too many if runs > the second; each limit cuts off at
    most ``tail`` of the exact runs distribution, and is None when no count is that rare.

    >>> runs_limits(10), runs_limits(10, 0.025)
    ((4, 8), (3, 9))
    """
    above = useful // 2
    probabilities = _runs_distribution(above, useful - above)
    cut = Fraction(str(tail))  # 0.05 as exactly 1/20
    low = high = None
    cumulative = Fraction(0)
    for runs in sorted(probabilities):
        cumulative += probabilities[runs]
        if cumulative <= cut:
            low = runs + 1
    cumulative = Fraction(0)
    for runs in sorted(probabilities, reverse=True):
        cumulative += probabilities[runs]
        if cumulative <= cut:
            high = runs - 1
    return low, high


def _runs_distribution(n1: int, n2: int) -> dict[int, Fraction]:
    """P(R = r) for the number of runs R in a random order of n1 and n2 points."""
    if n1 == 0 or n2 == 0:
        return {1 if n1 + n2 else 0: Fraction(1)}
    total = math.comb(n1 + n2, n1)
    distribution: dict[int, Fraction] = {}
    for k in range(1, min(n1, n2) + 1):
        distribution[2 * k] = Fraction(2 * math.comb(n1 - 1, k - 1) * math.comb(n2 - 1, k - 1))
        odd = math.comb(n1 - 1, k - 1) * math.comb(n2 - 1, k)
        odd += math.comb(n1 - 1, k) * math.comb(n2 - 1, k - 1)
        distribution[2 * k + 1] = Fraction(odd)
    return {r: p / total for r, p in distribution.items() if p}
