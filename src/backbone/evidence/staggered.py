"""Difference-in-differences when units adopt a practice at different times (staggered adoption):
Callaway & Sant'Anna (2021) group-time effects ATT(g, t), aggregated to one overall effect.

A two-way fixed-effects regression (outcome on unit, period and a treated dummy) is biased when
effects vary over time: it uses units treated earlier as controls for those treated later, so
a growing effect is subtracted from itself (Goodman-Bacon 2021). Here each ATT(g, t) is a plain
2×2 difference in means: the change from period g − 1 to t among the units that adopted in g,
minus the same change among units not (yet) treated — never a unit already treated.

The panel is long: one row per unit and period, with the period the unit adopted in (``first``;
empty for units that never did).

>>> import pandas as pd
>>> panel = pd.DataFrame({
...     "unit": ["a", "a", "b", "b"], "period": [1, 2, 1, 2],
...     "first": [2, 2, None, None], "y": [10.0, 15.0, 10.0, 11.0]})
>>> cells = group_time_effects(panel, "y")
>>> [(c.group, c.period, c.effect) for c in cells]
[(2, 2, 4.0)]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

Control = Literal["never", "not_yet"]
LABEL = "quasi-experimental estimate (staggered difference-in-differences)"
VARIANCE = (
    "unit-level bootstrap of the whole estimator (units resampled with replacement, group "
    "sizes and weights recomputed in each draw); normal 95% interval from the bootstrap SE"
)


@dataclass(frozen=True)
class GroupTimeEffect:
    """ATT(g, t): the effect in period ``period`` on the units that adopted in ``group``."""

    group: int
    period: int
    effect: float
    n_group: int
    n_control: int

    @property
    def event_time(self) -> int:
        """Periods since adoption (0 = the adoption period, negative = a placebo check)."""
        return self.period - self.group


@dataclass(frozen=True)
class StaggeredEstimate:
    """The overall effect on the treated: the group-time effects after adoption, weighted by
    group size (Callaway & Sant'Anna's "simple" aggregation), with a bootstrap interval."""

    effect: float
    se: float
    ci_low: float
    ci_high: float
    cells: tuple[GroupTimeEffect, ...]  # every ATT(g, t), placebo periods included
    control: Control
    n_units: int
    n_treated_units: int
    variance: str = VARIANCE
    label: str = LABEL


@dataclass(frozen=True)
class _Panel:
    values: np.ndarray  # units × periods, NaN where a unit has no row
    periods: np.ndarray
    first: np.ndarray  # adoption period per unit, NaN for never treated


def _wide(panel: pd.DataFrame, outcome: str, unit: str, period: str, first: str) -> _Panel:
    if panel.duplicated([unit, period]).any():
        raise ValueError(f"the panel has more than one row per {unit} and {period}")
    wide = panel.pivot(index=unit, columns=period, values=outcome).sort_index(axis=1)
    adoption = panel.groupby(unit)[first].first().reindex(wide.index).astype(float)
    return _Panel(wide.to_numpy(float), wide.columns.to_numpy(int), adoption.to_numpy())


def _controls(first: np.ndarray, group: int, period: int, control: Control) -> np.ndarray:
    never = np.isnan(first)
    if control == "never":
        return never
    # Not yet treated by max(t, g − 1), and never the group itself.
    later = ~never & (first > max(period, group - 1)) & (first != group)
    return never | later


def _cell_means(
    data: _Panel, group: int, t: int, control: Control, weights: np.ndarray
) -> tuple[float, float, float]:
    """(effect, weighted n of the group, weighted n of the controls) of one ATT(g, t)."""
    base = int(np.searchsorted(data.periods, group - 1))
    now = int(np.searchsorted(data.periods, t))
    change = data.values[:, now] - data.values[:, base]
    seen = ~np.isnan(change)
    treated = seen & (data.first == group)
    controls = seen & _controls(data.first, group, t, control)
    change = np.where(seen, change, 0.0)
    n_t, n_c = float(weights[treated].sum()), float(weights[controls].sum())
    if n_t == 0 or n_c == 0:
        return float("nan"), n_t, n_c
    mean_t = float((weights * change)[treated].sum()) / n_t
    mean_c = float((weights * change)[controls].sum()) / n_c
    return mean_t - mean_c, n_t, n_c


def _cells(data: _Panel, control: Control, weights: np.ndarray) -> list[GroupTimeEffect]:
    groups = sorted(int(g) for g in set(data.first[~np.isnan(data.first)]))
    periods = set(data.periods.tolist())
    cells = []
    for group in groups:
        if group - 1 not in periods:
            continue  # adopted in the first period seen: no before to compare with
        for t in data.periods:
            if t == group - 1:
                continue
            effect, n_t, n_c = _cell_means(data, group, int(t), control, weights)
            if not np.isnan(effect):
                cells.append(GroupTimeEffect(group, int(t), effect, int(n_t), int(n_c)))
    return cells


def _overall(cells: list[GroupTimeEffect]) -> float:
    after = [c for c in cells if c.period >= c.group]
    if not after:
        raise ValueError("no group has a period at or after its adoption with a comparison")
    sizes = np.array([c.n_group for c in after], float)
    return float(np.average([c.effect for c in after], weights=sizes))


def group_time_effects(
    panel: pd.DataFrame, outcome: str, *, unit: str = "unit", period: str = "period",
    first: str = "first", control: Control = "never",
) -> list[GroupTimeEffect]:  # fmt: skip
    """Every ATT(g, t) of the panel, base period g − 1 ("universal" base: the periods before
    adoption are placebo checks that should be near 0).

    Args:
        panel: one row per unit and period; ``first`` is the adoption period (NaN: never).
        control: "never" compares with never-treated units only; "not_yet" adds units that
            adopt later than both t and g − 1.
    """
    data = _wide(panel, outcome, unit, period, first)
    return _cells(data, control, np.ones(len(data.first)))


def staggered_did(
    panel: pd.DataFrame, outcome: str, *, unit: str = "unit", period: str = "period",
    first: str = "first", control: Control = "never", draws: int = 499, seed: int = 0,
) -> StaggeredEstimate:  # fmt: skip
    """The overall ATT of a staggered adoption (Callaway & Sant'Anna 2021, no covariates):
    the group-time effects at and after adoption averaged with weights ∝ group size.

    The standard error comes from ``draws`` bootstrap resamples of units (schools, people),
    which keeps each unit's periods together."""
    data = _wide(panel, outcome, unit, period, first)
    n = len(data.first)
    cells = _cells(data, control, np.ones(n))
    effect = _overall(cells)
    rng = np.random.default_rng(seed)
    replicates = []
    for _ in range(draws):
        weights = np.bincount(rng.integers(0, n, n), minlength=n).astype(float)
        try:
            replicates.append(_overall(_cells(data, control, weights)))
        except ValueError:
            continue  # a draw without any treated group or any control
    se = float(np.std(replicates, ddof=1))
    treated_units = int((~np.isnan(data.first)).sum())
    return StaggeredEstimate(effect, se, effect - 1.959964 * se, effect + 1.959964 * se,
                             tuple(cells), control, n, treated_units)  # fmt: skip
