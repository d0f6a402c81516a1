"""What Works Clearinghouse statistics: Hedges' g, Cox index, improvement index, baseline
equivalence, attrition and the clustering correction (docs/evidence.md, methods §1).

Pure arithmetic on numbers and sequences: the designs in ``designs`` call these on their
analytic samples, and the tests check them against the published vectors.

>>> round(hedges_g([5, 6, 7], [4, 5, 6]), 4)
0.8
>>> round(improvement_index(0.25), 2)
9.87
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from statistics import NormalDist, fmean, variance

from scipy import stats

_NORMAL = NormalDist()
COX_SCALE = 1.65  # the logit-to-d conversion WWC uses for dichotomous outcomes


def omega(n_total: int) -> float:
    """The small-sample correction ω = 1 − 3 / (4N − 9), N = n_t + n_c (methods §1.3)."""
    if n_total < 3:
        raise ValueError(f"omega needs at least 3 people, got {n_total}")
    return 1 - 3 / (4 * n_total - 9)


def pooled_sd(sd_t: float, sd_c: float, n_t: int, n_c: int) -> float:
    """The pooled within-group standard deviation, weighting each group's variance by n − 1."""
    return math.sqrt(((n_t - 1) * sd_t**2 + (n_c - 1) * sd_c**2) / (n_t + n_c - 2))


def hedges_g_from_summary(difference: float, sd_t: float, sd_c: float, n_t: int, n_c: int) -> float:
    """g = ω · difference / S_pooled; ``difference`` is the (possibly covariate-adjusted) mean
    difference, the SDs are the unadjusted ones (methods §1.3).

    >>> round(hedges_g_from_summary(1.0, 1.0, 1.0, 3, 3), 4)
    0.8
    """
    spread = pooled_sd(sd_t, sd_c, n_t, n_c)
    if spread == 0:
        raise ValueError("Hedges' g is undefined when both groups have no spread")
    return omega(n_t + n_c) * difference / spread


def hedges_g(treated: Sequence[float], comparison: Sequence[float]) -> float:
    """Hedges' g of two samples (unadjusted mean difference), ω applied to the whole ratio."""
    n_t, n_c = len(treated), len(comparison)
    return hedges_g_from_summary(
        fmean(treated) - fmean(comparison),
        math.sqrt(variance(treated)),
        math.sqrt(variance(comparison)),
        n_t,
        n_c,
    )


def cox_index(p_t: float, p_c: float, n_total: int | None = None) -> float:
    """The Cox index: the difference in log odds / 1.65 (methods §1.4).

    Public implementations disagree on whether WWC multiplies it by ω: pass ``n_total`` to apply
    ω (google/imt), leave it out for the plain index (baselinr). Reports say which was used.

    >>> round(cox_index(2 / 3, 1 / 3), 4)
    0.8402
    """
    for name, share in (("p_t", p_t), ("p_c", p_c)):
        if not 0 < share < 1:
            raise ValueError(f"the Cox index is undefined when {name} is {share} (0 or 1)")
    d = (_logit(p_t) - _logit(p_c)) / COX_SCALE
    return d * omega(n_total) if n_total is not None else d


def _logit(share: float) -> float:
    return math.log(share / (1 - share))


def improvement_index(g: float) -> float:
    """Percentile points the average comparison member would gain with the intervention:
    100·Φ(g) − 50, from −50 to +50 (methods §1.5)."""
    return 100 * _NORMAL.cdf(g) - 50


def g_from_improvement_index(index: float) -> float:
    """The effect size an improvement index stands for: Φ⁻¹((index + 50) / 100)."""
    return _NORMAL.inv_cdf((index + 50) / 100)


class Equivalence(Enum):
    """Baseline equivalence of one characteristic, WWC's three categories (methods §1.2)."""

    SATISFIED = "satisfied"
    ADJUST = "satisfied with statistical adjustment"
    NOT_SATISFIED = "not satisfied"


_RANK = {Equivalence.SATISFIED: 0, Equivalence.ADJUST: 1, Equivalence.NOT_SATISFIED: 2}


def equivalence(effect_size: float) -> Equivalence:
    """|ES| ≤ 0.05 satisfied; ≤ 0.25 needs the characteristic in the model; else not satisfied."""
    size = abs(effect_size)
    if size <= 0.05:
        return Equivalence.SATISFIED
    return Equivalence.ADJUST if size <= 0.25 else Equivalence.NOT_SATISFIED


def overall_equivalence(verdicts: Sequence[Equivalence]) -> Equivalence:
    """The worst category across the required characteristics."""
    return max(verdicts, key=_RANK.__getitem__, default=Equivalence.SATISFIED)


@dataclass(frozen=True)
class EarningsComparison:
    """An earnings difference the way the workforce studies report it (methods §6.2)."""

    impact: float  # dollars, treatment − comparison
    percent: float  # impact / comparison mean, as a percentage
    g: float | None  # impact / pooled SD (no ω: the samples are large), when the SD is known
    improvement_index: float | None


def earnings_comparison(
    mean_t: float, mean_c: float, pooled_sd_dollars: float | None = None
) -> EarningsComparison:
    """Impact, percent impact and (given the pooled SD) g and the improvement index.

    >>> e = earnings_comparison(33_496, 28_006)
    >>> e.impact, round(e.percent, 1)
    (5490, 19.6)
    """
    impact = mean_t - mean_c
    g = impact / pooled_sd_dollars if pooled_sd_dollars else None
    index = improvement_index(g) if g is not None else None
    return EarningsComparison(impact, 100 * impact / mean_c, g, index)


# --- attrition (RCTs), methods §1.6 -------------------------------------------------------------

# Maximum differential attrition (percentage points) for low attrition, by overall attrition in
# whole percent from 0: WWC Standards Handbook v4.1 Table II.1 as baselinr transcribes it.
CAUTIOUS_BOUNDARY = (
    5.7, 5.8, 5.9, 5.9, 6.0, 6.1, 6.2, 6.3, 6.3, 6.3, 6.3, 6.2, 6.2, 6.1, 6.0, 5.9, 5.9, 5.8, 5.7,
    5.5, 5.4, 5.3, 5.2, 5.1, 4.9, 4.8, 4.7, 4.5, 4.4, 4.3, 4.1, 4.0, 3.8, 3.6, 3.5, 3.3, 3.2, 3.1,
    2.9, 2.8, 2.6, 2.5, 2.3, 2.1, 2.0, 1.8, 1.6, 1.5, 1.3, 1.2, 1.0, 0.9, 0.7, 0.6, 0.4, 0.3, 0.2,
    0.0,
)  # fmt: skip
OPTIMISTIC_BOUNDARY = (
    10.0, 10.1, 10.2, 10.3, 10.4, 10.5, 10.7, 10.8, 10.9, 10.9, 10.9, 10.9, 10.9, 10.8, 10.8,
    10.7, 10.6, 10.5, 10.3, 10.2, 10.0, 9.9, 9.7, 9.5, 9.4, 9.2, 9.0, 8.8, 8.6, 8.4, 8.2, 8.0,
    7.8, 7.6, 7.4, 7.2, 7.0, 6.7, 6.5, 6.3, 6.0, 5.8, 5.6, 5.3, 5.1, 4.9, 4.6, 4.4, 4.2, 3.9, 3.7,
    3.5, 3.2, 3.0, 2.8, 2.6, 2.3, 2.1, 1.9, 1.6, 1.4, 1.1, 0.9, 0.7, 0.5, 0.3,
)  # fmt: skip


def attrition_boundary(overall_percent: float, assumption: str = "cautious") -> float | None:
    """The largest differential attrition (points) still 'low' at this overall attrition, or
    None when any differential is high (cautious from 58%, optimistic from 66%)."""
    table = {"cautious": CAUTIOUS_BOUNDARY, "optimistic": OPTIMISTIC_BOUNDARY}.get(assumption)
    if table is None:
        raise ValueError(f"assumption must be 'cautious' or 'optimistic', got {assumption!r}")
    row = math.floor(overall_percent + 0.5)  # nearest whole percent, halves up
    return table[row] if row < len(table) else None


@dataclass(frozen=True)
class Attrition:
    """Overall and differential attrition (percent) and WWC's verdict."""

    overall: float
    treated: float
    comparison: float
    differential: float
    boundary: float | None
    low: bool


def attrition(
    assigned_t: int, analysed_t: int, assigned_c: int, analysed_c: int,
    assumption: str = "cautious",
) -> Attrition:  # fmt: skip
    """Attrition from assigned and analysed counts per group (methods §1.6).

    >>> attrition(100, 90, 100, 80).low
    False
    """
    overall = 100 * (1 - (analysed_t + analysed_c) / (assigned_t + assigned_c))
    treated = 100 * (1 - analysed_t / assigned_t)
    comparison = 100 * (1 - analysed_c / assigned_c)
    differential = abs(treated - comparison)
    boundary = attrition_boundary(overall, assumption)
    low = boundary is not None and differential <= boundary + 1e-9
    return Attrition(overall, treated, comparison, differential, boundary, low)


# --- clustering, methods §1.7 --------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterCorrection:
    t: float
    t_corrected: float
    df: float
    p: float


def cluster_corrected(
    g: float, n_t: int, n_c: int, clusters: int, icc: float = 0.20
) -> ClusterCorrection:
    """WWC's correction of a student-level test when assignment was by cluster (Hedges 2007).

    ``icc`` defaults to 0.20 (achievement); WWC uses 0.10 for other outcomes.
    """
    n = n_t + n_c
    t = g / math.sqrt(n / (n_t * n_c) + g**2 / (2 * n))
    size = n / clusters
    a = (n - 2) - 2 * (size - 1) * icc
    t_c = t * math.sqrt(a / ((n - 2) * (1 + (size - 1) * icc)))
    df = a**2 / (
        (n - 2) * (1 - icc) ** 2 + size * (n - 2 * size) * icc**2
        + 2 * (n - 2 * size) * icc * (1 - icc)
    )  # fmt: skip
    return ClusterCorrection(t, t_c, df, float(2 * stats.t.sf(abs(t_c), df)))
