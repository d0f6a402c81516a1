"""Shewhart control charts (methods §3.4) and their special-cause rules (§3.5, the IHI set).

Charts: I (individuals) and MR (moving ranges), p (proportions), Laney p′ (p with the
between-subgroup variation of very large denominators) and u (rates), with u′ for symmetry.
Limits are CL ± 3σ per point; σ of an I chart is AMR / 1.128 (so the limits are CL ± 2.66·AMR,
2.66 being 3 / 1.128 rounded), after dropping moving ranges above 3.267·AMR (Provost, Nelson).
p limits are clipped to [0, 1], u lower limits to 0.

Special-cause rules (IHI / Provost–Murray), each a ``Signal`` naming its points:

1. "Outside the control limits": a point above the upper or below the lower limit;
2. "Shift": 8 (or, by setting, 9) or more points in a row on one side of the centre line;
   points on the line neither count nor break it;
3. "Trend": 6 or more points in a row all going up or all going down (equal values count once);
4. "Two of three beyond 2 sigma": 2 of 3 points in a row beyond 2σ on the same side;
5. "Fifteen within 1 sigma": 15 or more points in a row within 1σ of the centre line.

The MR chart gets rule 1 only: its points overlap, so runs mean nothing there.

>>> chart = i_chart([10, 12, 11, 13, 12], list("abcde"))
>>> chart.centre, round(chart.upper[0], 3), round(chart.lower[0], 3)
(11.6, 15.589, 7.611)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from backbone.improvement.runcharts import Signal, point_signals, side_runs, trends

D2 = 1.128  # E[range of two normal values] / σ
MR_LIMIT = 3.267  # D4 for moving ranges of two
SHIFTS = (8, 9)
TREND = 6
WITHIN_ONE_SIGMA = 15


@dataclass(frozen=True)
class ControlChart:
    """A control chart a page can draw: per point its value, limits, σ and signals."""

    kind: str  # "I", "MR", "P", "P prime", "U", "U prime"
    labels: tuple[str, ...]
    values: tuple[float, ...]
    centre: float
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    sigma: tuple[float, ...]
    signals: tuple[Signal, ...]

    def point_signals(self) -> tuple[tuple[str, ...], ...]:
        """For each point, the names of the rules that fired on it."""
        return point_signals(len(self.values), self.signals)


def average_moving_range(values: Sequence[float]) -> float:
    """AMR after dropping the moving ranges above 3.267 × the first AMR.

    >>> average_moving_range([1, 2, 1, 2, 1, 2, 1, 2, 1, 30])  # the range 29 is dropped
    1.0
    """
    ranges = _moving_ranges(values)
    if not ranges:
        raise ValueError("a moving range needs at least two values")
    first = sum(ranges) / len(ranges)
    kept = [r for r in ranges if r <= MR_LIMIT * first]
    return sum(kept) / len(kept)


def i_chart(values: Sequence[float], labels: Sequence[str], shift: int = 8) -> ControlChart:
    """The individuals chart: CL = mean, limits CL ± 3·AMR / 1.128."""
    ys = _checked(values, labels)
    centre = sum(ys) / len(ys)
    sigma = average_moving_range(ys) / D2
    return _chart("I", labels, ys, centre, [sigma] * len(ys), shift)


def mr_chart(values: Sequence[float], labels: Sequence[str]) -> ControlChart:
    """The moving-range chart (one point per label after the first): CL = AMR (all ranges),
    upper limit 3.267·AMR, lower limit 0."""
    ranges = tuple(_moving_ranges(_checked(values, labels)))
    if not ranges:
        raise ValueError("a moving range needs at least two values")
    centre = sum(ranges) / len(ranges)
    n = len(ranges)
    sigma = (MR_LIMIT - 1) * centre / 3  # so that the upper limit is CL + 3σ = 3.267·AMR
    upper = (MR_LIMIT * centre,) * n
    signals = _outside(ranges, (0.0,) * n, upper)
    return ControlChart("MR", tuple(labels[1:]), ranges, centre, (0.0,) * n, upper,
                        (sigma,) * n, tuple(signals))  # fmt: skip


def p_chart(
    numerators: Sequence[float],
    denominators: Sequence[float],
    labels: Sequence[str],
    shift: int = 8,
    baseline: int | None = None,
) -> ControlChart:
    """The p chart: p̄ = Σ events / Σ n, limits p̄ ± 3·sqrt(p̄(1 − p̄)/nᵢ) clipped to [0, 1].

    With ``baseline``, p̄ comes from the first ``baseline`` points only and every point is
    judged against it (the centre and limits frozen there, as qicharts2's ``freeze``)."""
    ys, centre, sigma = _frozen(numerators, denominators, labels, baseline)
    return _chart("P", labels, ys, centre, sigma, shift, (0.0, 1.0))


def laney_p_chart(
    numerators: Sequence[float],
    denominators: Sequence[float],
    labels: Sequence[str],
    shift: int = 8,
    baseline: int | None = None,
) -> ControlChart:
    """Laney's p′ chart: the p chart's σᵢ times σ_z, the moving range of zᵢ = (pᵢ − p̄)/σᵢ
    divided by 1.128 (Laney 2002), for denominators so large that p limits flag everything.
    With ``baseline``, p̄ and σ_z come from the first ``baseline`` points (see ``p_chart``)."""
    ys, centre, sigma = _frozen(numerators, denominators, labels, baseline)
    size = len(ys) if baseline is None else baseline
    sigma_z = _laney(ys[:size], centre, sigma[:size])[0] / sigma[0]
    sigma = [s * sigma_z for s in sigma]
    return _chart("P prime", labels, ys, centre, sigma, shift, (0.0, 1.0))


def u_chart(
    counts: Sequence[float], exposures: Sequence[float], labels: Sequence[str], shift: int = 8
) -> ControlChart:
    """The u chart: ū = Σ counts / Σ exposure, limits ū ± 3·sqrt(ū/nᵢ), lower limit ≥ 0."""
    ys, centre, sigma = _rates(counts, exposures, labels)
    return _chart("U", labels, ys, centre, sigma, shift, (0.0, math.inf))


def laney_u_chart(
    counts: Sequence[float], exposures: Sequence[float], labels: Sequence[str], shift: int = 8
) -> ControlChart:
    """Laney's u′ chart: the u chart with the p′ chart's correction."""
    ys, centre, sigma = _rates(counts, exposures, labels)
    sigma = _laney(ys, centre, sigma)
    return _chart("U prime", labels, ys, centre, sigma, shift, (0.0, math.inf))


def _checked(values: Sequence[float], labels: Sequence[str]) -> tuple[float, ...]:
    if len(values) != len(labels):
        raise ValueError(f"{len(values)} values but {len(labels)} labels")
    if not values:
        raise ValueError("a chart needs at least one value")
    ys = tuple(float(v) for v in values)
    if not all(math.isfinite(y) for y in ys):
        raise ValueError("every value must be a finite number")
    return ys


def _moving_ranges(values: Sequence[float]) -> list[float]:
    return [abs(b - a) for a, b in itertools.pairwise(values)]


def _ratios(
    numerators: Sequence[float], denominators: Sequence[float], labels: Sequence[str]
) -> tuple[tuple[float, ...], tuple[float, ...], float]:
    counts = _checked(numerators, labels)
    sizes = _checked(denominators, labels)
    if any(n <= 0 for n in sizes):
        raise ValueError("every denominator must be above zero")
    if any(c < 0 for c in counts):
        raise ValueError("counts cannot be negative")
    return tuple(c / n for c, n in zip(counts, sizes, strict=True)), sizes, sum(counts) / sum(sizes)


def _proportions(
    numerators: Sequence[float], denominators: Sequence[float], labels: Sequence[str]
) -> tuple[tuple[float, ...], float, list[float]]:
    ys, sizes, centre = _ratios(numerators, denominators, labels)
    if any(c > n for c, n in zip(numerators, denominators, strict=True)):
        raise ValueError("a numerator is larger than its denominator")
    return ys, centre, [math.sqrt(centre * (1 - centre) / n) for n in sizes]


def _frozen(
    numerators: Sequence[float],
    denominators: Sequence[float],
    labels: Sequence[str],
    baseline: int | None,
) -> tuple[tuple[float, ...], float, list[float]]:
    """The proportions, p̄ and σᵢ, p̄ from the first ``baseline`` points when it is given."""
    ys, centre, sigma = _proportions(numerators, denominators, labels)
    if baseline is None:
        return ys, centre, sigma
    if not 0 < baseline <= len(ys):
        raise ValueError(f"the baseline is 1 to {len(ys)} points, not {baseline}")
    centre = sum(numerators[:baseline]) / sum(denominators[:baseline])
    return ys, centre, [math.sqrt(centre * (1 - centre) / n) for n in denominators]


def _rates(
    counts: Sequence[float], exposures: Sequence[float], labels: Sequence[str]
) -> tuple[tuple[float, ...], float, list[float]]:
    ys, sizes, centre = _ratios(counts, exposures, labels)
    return ys, centre, [math.sqrt(centre / n) for n in sizes]


def _laney(ys: Sequence[float], centre: float, sigma: Sequence[float]) -> list[float]:
    if len(ys) < 2 or any(s == 0 for s in sigma):
        raise ValueError("Laney's correction needs two points and a centre line inside (0, 1)")
    z = [(y - centre) / s for y, s in zip(ys, sigma, strict=True)]
    ranges = _moving_ranges(z)
    sigma_z = sum(ranges) / len(ranges) / D2
    return [s * sigma_z for s in sigma]


def _chart(
    kind: str,
    labels: Sequence[str],
    ys: tuple[float, ...],
    centre: float,
    sigma: Sequence[float],
    shift: int,
    bounds: tuple[float, float] = (-math.inf, math.inf),
) -> ControlChart:
    if shift not in SHIFTS:
        raise ValueError(f"the shift rule is 8 or 9 points, not {shift}")
    lower = tuple(max(centre - 3 * s, bounds[0]) for s in sigma)
    upper = tuple(min(centre + 3 * s, bounds[1]) for s in sigma)
    signals = special_causes(ys, centre, lower, upper, sigma, shift)
    return ControlChart(kind, tuple(labels), ys, centre, lower, upper, tuple(sigma), signals)


def special_causes(
    ys: Sequence[float],
    centre: float,
    lower: Sequence[float],
    upper: Sequence[float],
    sigma: Sequence[float],
    shift: int = 8,
) -> tuple[Signal, ...]:
    """The five IHI special-cause rules over a chart's points (module docstring)."""
    found = _outside(ys, lower, upper)
    found += [Signal("Shift", tuple(r)) for r in side_runs(ys, centre) if len(r) >= shift]
    found += [Signal("Trend", t) for t in trends(ys, TREND)]
    found += _two_of_three(ys, centre, sigma)
    found += _within_one_sigma(ys, centre, sigma)
    return tuple(found)


def _outside(ys: Sequence[float], lower: Sequence[float], upper: Sequence[float]) -> list[Signal]:
    points = tuple(i for i, y in enumerate(ys) if y > upper[i] or y < lower[i])
    return [Signal("Outside the control limits", points)] if points else []


def _two_of_three(ys: Sequence[float], centre: float, sigma: Sequence[float]) -> list[Signal]:
    zones = [_zone(y, centre, s) for y, s in zip(ys, sigma, strict=True)]
    points: set[int] = set()
    for side in (1, -1):
        for start in range(len(ys) - 2):
            beyond = [i for i in range(start, start + 3) if zones[i] == 2 * side]
            if len(beyond) >= 2:
                points.update(beyond)
    return [Signal("Two of three beyond 2 sigma", tuple(sorted(points)))] if points else []


def _zone(y: float, centre: float, sigma: float) -> int:
    """2 (or −2) beyond 2σ above (below) the centre line, 0 within 1σ, 1 otherwise."""
    distance = y - centre
    if abs(distance) > 2 * sigma:
        return 2 if distance > 0 else -2
    return 0 if abs(distance) < sigma else 1


def _within_one_sigma(ys: Sequence[float], centre: float, sigma: Sequence[float]) -> list[Signal]:
    found: list[Signal] = []
    run: list[int] = []
    for i, (y, s) in enumerate([*zip(ys, sigma, strict=True), (math.inf, 0.0)]):
        if abs(y - centre) < s:
            run.append(i)
            continue
        if len(run) >= WITHIN_ONE_SIGMA:
            found.append(Signal("Fifteen within 1 sigma", tuple(run)))
        run = []
    return found
