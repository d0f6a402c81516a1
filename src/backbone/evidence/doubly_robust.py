"""Doubly robust estimate of the effect on the treated (augmented inverse probability weighting).

An outcome regression fitted on the comparison units predicts what each unit would have scored
without the program, m₀(x); the propensity score weights the comparison units' residuals by the
odds e/(1 − e), so they have the participants' covariate mix. The ATT is

    τ = mean over participants of (y − m₀(x)) − Σ_c w_c (y_c − m₀(x_c)) / Σ_c w_c,  w = e/(1 − e)

It is consistent when either model is right (Sant'Anna & Zhao 2020, "DR-ATT"), and it keeps
every comparison unit, so it is much less noisy than 1:1 matching on a small program
(docs/evidence.md, "Coverage on cities the team has not seen").

>>> import pandas as pd
>>> frame = pd.DataFrame({"treated": [1, 1, 0, 0, 0, 0], "x": [0, 1, 0, 1, 0, 1],
...                       "y": [12.0, 14.0, 1.0, 3.0, 1.0, 3.0]})
>>> round(aipw_estimate(frame, "y", ["x"], trim=(0.0, 1.0)).effect, 6)
11.0
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import pandas as pd
import statsmodels.api as sm

from backbone.evidence.designs import Estimate, Fit, estimate_from_fit
from backbone.evidence.matching import TREATED, design_matrix, ipw_weights, propensity_logit

DESIGN = "doubly robust (augmented inverse probability weighting, ATT)"
VARIANCE = (
    "influence-function standard errors, treating the fitted models as known "
    "(the coverage study checks the 95% CIs on cities with planted effects)"
)
PERSON_VARIANCE = VARIANCE + "; influence summed by person (a person's periods are not independent)"
Z_95 = 1.959963984540054


def comparison_prediction(
    frame: pd.DataFrame, outcome: str, covariates: Sequence[str]
) -> pd.Series:
    """m₀(x): each unit's outcome predicted by OLS of the outcome on the covariates, fitted on
    the comparison units only. A covariate level no comparison unit has is left out of the fit
    (such participants are predicted as the reference level)."""
    x = sm.add_constant(design_matrix(frame, covariates), has_constant="add")
    comparison = ~frame[TREATED].astype(bool)
    varying = (x[comparison].nunique() > 1) | (x.columns == "const")
    x = x.loc[:, varying]
    fit = sm.OLS(frame.loc[comparison, outcome].astype(float), x[comparison]).fit()
    return pd.Series(x.to_numpy() @ fit.params.to_numpy(), index=frame.index)


def aipw_fit(
    frame: pd.DataFrame, outcome: str, prediction: pd.Series, weights: pd.Series,
    clusters: pd.Series | None = None,
) -> Fit:  # fmt: skip
    """The DR-ATT and its influence-function standard error from the residuals ``y − m₀`` and
    the comparison weights (participants' weights are ignored)."""
    residual = frame[outcome].astype(float) - prediction
    treated = frame[TREATED].astype(bool)
    w = weights.where(~treated, 0.0)
    mean_t = float(residual[treated].mean())
    mean_c = float((w * residual).sum() / w.sum())
    effect = mean_t - mean_c
    influence = (residual - mean_t).where(treated, 0.0) / treated.sum() - w * (
        residual - mean_c
    ) / w.sum()
    if clusters is not None:
        influence = influence.groupby(clusters.to_numpy()).sum()
    se = math.sqrt(float((influence**2).sum()))
    return Fit(effect, se, effect - Z_95 * se, effect + Z_95 * se)


def aipw_estimate(
    frame: pd.DataFrame, outcome: str, covariates: Sequence[str],
    trim: tuple[float, float] = (0.01, 0.99), person: str | None = None,
) -> Estimate:  # fmt: skip
    """Doubly robust estimate of the effect on the treated: an outcome regression fitted on the
    comparison units plus odds-of-propensity weights on their residuals (the propensity score
    clipped at its ``trim`` quantiles, as in ``ipw_estimate``).

    Args:
        frame: one row per unit with ``treated``, the outcome and the covariates.
        person: when units are person-periods, the column naming the person: the standard
            error then sums each person's influence before squaring.

    Returns:
        An ``Estimate`` over the whole pool (no unit is dropped), its balance table weighted
        by the ATT weights.
    """
    weights = ipw_weights(propensity_logit(frame, covariates), frame[TREATED], "ATT", trim)
    prediction = comparison_prediction(frame, outcome, covariates)
    clusters = frame[person] if person else None
    fit = aipw_fit(frame, outcome, prediction, weights, clusters)
    variance = VARIANCE if person is None else PERSON_VARIANCE
    return estimate_from_fit(DESIGN, frame, frame, outcome, covariates, fit, weights, variance)


def aipw_difference_in_differences(
    frame: pd.DataFrame, before: str, after: str, covariates: Sequence[str], *,
    trim: tuple[float, float] = (0.01, 0.99), person: str | None = None,
) -> Estimate:  # fmt: skip
    """Doubly robust difference-in-differences (Sant'Anna & Zhao 2020, panel data): the DR-ATT
    of each unit's change ``after − before``."""
    change = frame.assign(change=frame[after] - frame[before])
    result = aipw_estimate(change, "change", covariates, trim=trim, person=person)
    return replace(result, design="doubly robust difference-in-differences (ATT)")
