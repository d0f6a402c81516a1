"""Equity measures per indicator, period and group (methods.md §5.3).

Every measure is relative to a **reference group** chosen per indicator and stored with it: the
best-performing group, a historically advantaged group, or the whole population (``overall``).

- gap, in points (CDC): ``gap = p_ref − p_g``, positive when the group is behind the reference
  (for a lower-is-better indicator the sign is flipped, so positive still means behind);
- rate ratio (CDC): ``RR = p_g / p_ref``;
- index of disparity (Keppel & Pearcy, APHA 2002): the mean absolute deviation of the group
  rates from the reference rate, as a percent of the reference rate,
  ``ID = 100 · ((1/J) Σ_j |r_j − r_ref|) / r_ref``;
- gap closed since baseline (computed; no authoritative source, methods.md §5.3):
  ``closure = (gap_0 − gap_t) / gap_0``, which pairs with a halve-the-gap target (0.5);
- target status: ``met`` when the goal is reached, ``on_track`` when this period's interim
  target is, ``off_track`` otherwise;
- whether groups further behind at baseline are improving faster than groups less far behind
  (the point of "equitable" targets, methods.md §5.1).

Sources: CDC Health Disparity Measures,
https://www.cdc.gov/library/researchguides/health_disparity_measure.html; Keppel & Pearcy,
https://aphanew.confex.com/apha/130am/techprogram/paper_38515.htm. Keppel & Pearcy advise
measuring relative disparities (ratio, index) on the adverse form of an indicator (% *not*
proficient); absolute gaps are the same either way.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Status = Literal["met", "on_track", "off_track"]


def gap(value: float, reference: float, *, higher_is_better: bool = True) -> float:
    """Points the group is behind the reference (negative: ahead).

    >>> gap(55.0, 80.0)
    25.0
    >>> gap(30.0, 12.0, higher_is_better=False)  # chronic absence: 18 points worse
    18.0
    """
    return reference - value if higher_is_better else value - reference


def ratio(value: float, reference: float) -> float | None:
    """The group's rate over the reference rate; None when the reference rate is 0.

    >>> ratio(55.0, 80.0)
    0.6875
    """
    return value / reference if reference else None


def index_of_disparity(rates: Mapping[str, float], reference: float) -> float | None:
    """Keppel & Pearcy's index of disparity: ``100 · mean(|r_j − r_ref|) / r_ref``.

    ``rates`` are the groups compared; leave the reference group out when it is one of them
    (with the whole-population rate as reference, as in the APHA definition, include them all).
    None when there are no groups or the reference rate is 0.

    >>> index_of_disparity({"A": 60.0, "B": 90.0}, 80.0)
    18.75
    """
    if not rates or not reference:
        return None
    mean_deviation = sum(abs(rate - reference) for rate in rates.values()) / len(rates)
    return 100 * mean_deviation / reference


def gap_closed(baseline_gap: float, current_gap: float) -> float | None:
    """The share of the baseline gap closed since: 0.5 means halved, negative means wider.
    None when there was no gap (or the group was ahead) at baseline.

    >>> gap_closed(20.0, 12.0)
    0.4
    """
    if baseline_gap <= 0:
        return None
    return (baseline_gap - current_gap) / baseline_gap


def target_status(
    actual: float, period_target: float, goal: float, *, higher_is_better: bool = True
) -> Status:
    """``met`` if ``actual`` reaches the goal, ``on_track`` if it reaches this period's target
    on the way there, ``off_track`` otherwise.

    >>> target_status(52.0, 50.0, 70.0)
    'on_track'
    """
    if _reaches(actual, goal, higher_is_better):
        return "met"
    if _reaches(actual, period_target, higher_is_better):
        return "on_track"
    return "off_track"


def _reaches(actual: float, target: float, higher_is_better: bool) -> bool:
    return actual >= target if higher_is_better else actual <= target


@dataclass(frozen=True)
class GroupEquity:
    """One group's equity measures for one period, against the reference group."""

    group: str
    value: float
    gap: float
    ratio: float | None
    baseline_gap: float | None
    gap_closed: float | None
    annual_improvement: float | None  # points per year since baseline, positive = better


def group_equity(
    current: Mapping[str, float],
    reference_group: str,
    *,
    baseline: Mapping[str, float] | None = None,
    years_since_baseline: int | None = None,
    higher_is_better: bool = True,
) -> list[GroupEquity]:
    """Gap, ratio, gap closed and improvement for every group in ``current`` (one period's
    values per group), measured against ``reference_group``'s value in the same period."""
    reference = current[reference_group]
    base_reference = baseline.get(reference_group) if baseline else None
    rows = []
    for group, value in current.items():
        now_gap = gap(value, reference, higher_is_better=higher_is_better)
        then = baseline.get(group) if baseline else None
        base_gap = None
        if then is not None and base_reference is not None:
            base_gap = gap(then, base_reference, higher_is_better=higher_is_better)
        rows.append(
            GroupEquity(
                group,
                value,
                now_gap,
                ratio(value, reference),
                base_gap,
                None if base_gap is None else gap_closed(base_gap, now_gap),
                _improvement(then, value, years_since_baseline, higher_is_better),
            )
        )
    return rows


def _improvement(
    then: float | None, now: float, years: int | None, higher_is_better: bool
) -> float | None:
    if then is None or not years:
        return None
    change = (now - then) / years
    return change if higher_is_better else -change


@dataclass(frozen=True)
class CatchingUp:
    """Whether groups further behind at baseline are improving faster.

    ``order`` lists the groups behind the reference, furthest behind first, with their baseline
    gap and annual improvement; ``faster_than_reference`` names those improving faster than the
    reference group; ``further_behind_faster`` is True when, for every pair of groups, the one
    further behind at baseline has improved at least as fast.
    """

    order: tuple[tuple[str, float, float], ...]
    faster_than_reference: tuple[str, ...]
    further_behind_faster: bool


def catching_up(
    baseline: Mapping[str, float],
    current: Mapping[str, float],
    reference_group: str,
    years: int,
    *,
    higher_is_better: bool = True,
) -> CatchingUp:
    """Compare each group's annual improvement with its baseline gap to ``reference_group``.

    >>> result = catching_up({"W": 80.0, "B": 50.0, "L": 60.0},
    ...                      {"W": 82.0, "B": 62.0, "L": 68.0}, "W", years=2)
    >>> result.further_behind_faster, result.faster_than_reference
    (True, ('B', 'L'))
    """
    reference, reference_now = baseline[reference_group], current[reference_group]
    reference_gain = _improvement(reference, reference_now, years, higher_is_better)
    behind = []
    for group in baseline.keys() & current.keys() - {reference_group}:
        base_gap = gap(baseline[group], reference, higher_is_better=higher_is_better)
        gain = _improvement(baseline[group], current[group], years, higher_is_better)
        if base_gap > 0 and gain is not None:
            behind.append((group, base_gap, gain))
    behind.sort(key=lambda row: (-row[1], row[0]))
    gains = [row[2] for row in behind]
    return CatchingUp(
        tuple(behind),
        tuple(g for g, _, gain in behind if reference_gain is not None and gain > reference_gain),
        all(earlier >= later for earlier, later in itertools.pairwise(gains)),
    )
