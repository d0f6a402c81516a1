"""Targets per period, overall and per group, set by one of four methods.

Baselines are given per group, with the whole population under ``"overall"``; every method
returns ``{group: {year: target}}`` for each year after the baseline year up to the goal year.

- ``fixed``: every group's target is the goal value in every year.
- ``steady``: the overall series moves from its baseline to the goal in equal annual steps, and
  every group gets that same step (gaps between groups stay as they are).
- ``equitable``: every group moves from its own baseline to the same goal by the goal year, so a
  group's annual step is ``(goal − baseline_g) / (goal_year − baseline_year)``: groups further
  behind improve faster. This is the "sustained, incremental, equitable" method All Hands Raised
  took from Portland Public Schools (methods.md §5.1; the formula is computed to match PPS's
  published figures, not published by them).
- ``halve_gap``: each group's gap to a reference group shrinks in equal annual steps until it is
  ``gap_reduction`` (one half) smaller by the goal year — Maryland's gap-reduction AMOs
  (methods.md §5.2): ``gap_target(t) = gap_0 · (1 − 0.5·(t − t0)/(T − t0))``. The reference
  group holds its baseline.

Targets are direction-aware: a target never asks a group to do worse than its baseline (with
``higher_is_better=False`` a lower value is better, as for chronic absence).

>>> spec = TargetSpec("equitable", baseline_year=2025, goal_year=2028, goal=70.0)
>>> round(targets(spec, {"overall": 40.0, "Group B": 20.0})["Group B"][2026], 2)
36.67
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Method = Literal["fixed", "steady", "equitable", "halve_gap"]
METHODS: tuple[Method, ...] = ("fixed", "steady", "equitable", "halve_gap")
OVERALL = "overall"

Series = dict[int, float]


@dataclass(frozen=True)
class TargetSpec:
    """How an indicator's targets are set.

    Args:
        method: one of ``METHODS``.
        baseline_year: the period the baselines come from; targets start the year after.
        goal_year: the last period with a target.
        goal: the goal value (``fixed``, ``steady``, ``equitable``).
        reference_group: the group gaps are measured to (``halve_gap``).
        gap_reduction: the share of the baseline gap to close by the goal year (``halve_gap``).
        higher_is_better: False for indicators where lower is better.
    """

    method: Method
    baseline_year: int
    goal_year: int
    goal: float | None = None
    reference_group: str | None = None
    gap_reduction: float = 0.5
    higher_is_better: bool = True

    def problems(self) -> list[str]:
        """Why this spec cannot set targets; empty when it can."""
        found = []
        if self.method not in METHODS:
            found.append(f"unknown method {self.method!r}; known: {', '.join(METHODS)}")
        if self.goal_year <= self.baseline_year:
            found.append("the goal year must come after the baseline year")
        if self.method != "halve_gap" and self.goal is None:
            found.append(f"the {self.method} method needs a goal")
        if self.method == "halve_gap" and self.reference_group is None:
            found.append("the halve_gap method needs a reference group")
        if not 0 < self.gap_reduction <= 1:
            found.append("gap_reduction must be more than 0 and at most 1")
        return found

    @property
    def years(self) -> range:
        return range(self.baseline_year + 1, self.goal_year + 1)


def targets(spec: TargetSpec, baselines: Mapping[str, float]) -> dict[str, Series]:
    """Each group's target per year under ``spec``, from its ``baselines`` (``"overall"`` too).

    Raises ``ValueError`` listing every problem with the spec or the baselines.
    """
    problems = spec.problems() + _baseline_problems(spec, baselines)
    if problems:
        raise ValueError("; ".join(problems))
    series = {
        "fixed": fixed_targets,
        "steady": steady_targets,
        "equitable": equitable_targets,
        "halve_gap": halve_gap_targets,
    }[spec.method](spec, baselines)
    return {group: _no_worse(values, baselines[group], spec) for group, values in series.items()}


def fixed_targets(spec: TargetSpec, baselines: Mapping[str, float]) -> dict[str, Series]:
    goal = _goal(spec)
    return {group: dict.fromkeys(spec.years, goal) for group in baselines}


def steady_targets(spec: TargetSpec, baselines: Mapping[str, float]) -> dict[str, Series]:
    step = annual_step(baselines[OVERALL], _goal(spec), spec.goal_year - spec.baseline_year)
    return {group: _line(baseline, step, spec) for group, baseline in baselines.items()}


def equitable_targets(spec: TargetSpec, baselines: Mapping[str, float]) -> dict[str, Series]:
    years = spec.goal_year - spec.baseline_year
    return {
        group: _line(baseline, annual_step(baseline, _goal(spec), years), spec)
        for group, baseline in baselines.items()
    }


def halve_gap_targets(spec: TargetSpec, baselines: Mapping[str, float]) -> dict[str, Series]:
    assert spec.reference_group is not None  # checked by TargetSpec.problems
    reference = baselines[spec.reference_group]
    span = spec.goal_year - spec.baseline_year
    series = {}
    for group, baseline in baselines.items():
        gap = reference - baseline  # signed, so it serves either direction
        series[group] = {
            year: reference - gap * (1 - spec.gap_reduction * (year - spec.baseline_year) / span)
            for year in spec.years
        }
    return series


def annual_step(baseline: float, goal: float, years: int) -> float:
    """The equal yearly change that takes ``baseline`` to ``goal`` in ``years`` years.

    >>> round(annual_step(20.0, 70.0, 3), 2)
    16.67
    """
    return (goal - baseline) / years


def _line(baseline: float, step: float, spec: TargetSpec) -> Series:
    return {year: baseline + step * (year - spec.baseline_year) for year in spec.years}


def _no_worse(series: Series, baseline: float, spec: TargetSpec) -> Series:
    """Hold a group at its baseline rather than set a target worse than it (a group already past
    the goal, or ahead of the reference group)."""
    better = max if spec.higher_is_better else min
    return {year: better(value, baseline) for year, value in series.items()}


def _goal(spec: TargetSpec) -> float:
    assert spec.goal is not None  # checked by TargetSpec.problems
    return spec.goal


def _baseline_problems(spec: TargetSpec, baselines: Mapping[str, float]) -> list[str]:
    if spec.method == "steady" and OVERALL not in baselines:
        return [f"the steady method needs an {OVERALL!r} baseline"]
    if spec.method == "halve_gap" and spec.reference_group not in baselines:
        return [f"no baseline for the reference group {spec.reference_group!r}"]
    return []
