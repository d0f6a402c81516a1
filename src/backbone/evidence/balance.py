"""Balance tables: how alike the treated and comparison groups are on each baseline covariate
(methods §2.5), with WWC's baseline-equivalence verdict on the analytic sample (§1.2).

Two effect sizes are kept apart on purpose: the balance SMD of causal-inference tools,
(x̄_t − x̄_c) / √((s_t² + s_c²)/2) with no ω, and WWC's Hedges' g (continuous) or Cox index
(0/1 covariates), which decides pass / adjust / fail.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from backbone.evidence import wwc
from backbone.evidence.matching import TREATED, design_matrix


@dataclass(frozen=True)
class BalanceRow:
    covariate: str  # a column, or ``column=level`` for one level of a categorical one
    mean_treated: float
    mean_comparison: float
    smd: float | None  # None when neither group varies
    variance_ratio: float | None  # treated / comparison; None for 0/1 covariates or no spread
    wwc_effect_size: float | None  # Hedges' g or Cox index; None when undefined (0% vs 3%)
    wwc_measure: str  # "Hedges' g" or "Cox index"
    verdict: wwc.Equivalence


@dataclass(frozen=True)
class Balance:
    rows: tuple[BalanceRow, ...]
    n_treated: int
    n_comparison: int

    @property
    def verdict(self) -> wwc.Equivalence:
        """The worst WWC category over the covariates."""
        return wwc.overall_equivalence([r.verdict for r in self.rows])

    def max_abs_smd(self) -> float:
        return max((abs(r.smd) for r in self.rows if r.smd is not None), default=0.0)


def balance_table(
    frame: pd.DataFrame, covariates: Sequence[str], weights: pd.Series | None = None
) -> Balance:
    """Each covariate's (weighted) means by group, SMD, variance ratio and WWC verdict.

    Units with weight 0 are outside the analytic sample. Counts are the units with a positive
    weight; WWC's ω uses them.
    """
    w = weights if weights is not None else pd.Series(1.0, index=frame.index)
    keep = w > 0
    x = design_matrix(frame[keep], covariates)
    treated = frame.loc[keep, TREATED].astype(bool).to_numpy()
    wk = w[keep].to_numpy()
    n_t, n_c = int(treated.sum()), int((~treated).sum())
    rows = tuple(
        _row(name, x[name].to_numpy(), treated, wk, n_t, n_c) for name in x.columns
    )  # fmt: skip
    return Balance(rows, n_t, n_c)


def _weighted(values: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """Weighted mean and (reliability-weighted, n − 1 style) variance."""
    mean = float(np.average(values, weights=weights))
    v1, v2 = weights.sum(), (weights**2).sum()
    spread = float((weights * (values - mean) ** 2).sum() / (v1 - v2 / v1)) if v1 > 0 else 0.0
    return mean, spread


def _row(
    name: str, values: np.ndarray, treated: np.ndarray, w: np.ndarray, n_t: int, n_c: int
) -> BalanceRow:
    mean_t, var_t = _weighted(values[treated], w[treated])
    mean_c, var_c = _weighted(values[~treated], w[~treated])
    binary = set(np.unique(values)) <= {0.0, 1.0}
    both = math.sqrt((var_t + var_c) / 2)
    smd = (mean_t - mean_c) / both if both > 0 else None
    ratio = var_t / var_c if not binary and var_c > 0 else None
    if binary:
        es = _cox_or_none(mean_t, mean_c)
    else:
        spread = wwc.pooled_sd(math.sqrt(var_t), math.sqrt(var_c), n_t, n_c)
        es = wwc.omega(n_t + n_c) * (mean_t - mean_c) / spread if spread > 0 else 0.0
    # A level one group never (or always) has, and the other sometimes does, has no Cox index:
    # it counts as not equivalent rather than being skipped.
    verdict = wwc.equivalence(es) if es is not None else wwc.Equivalence.NOT_SATISFIED
    measure = "Cox index" if binary else "Hedges' g"
    return BalanceRow(name, mean_t, mean_c, smd, ratio, es, measure, verdict)


def _cox_or_none(p_t: float, p_c: float) -> float | None:
    if p_t == p_c:
        return 0.0
    if not (0 < p_t < 1 and 0 < p_c < 1):
        return None
    return wwc.cox_index(p_t, p_c)
