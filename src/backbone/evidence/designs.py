"""Study designs: quasi-experimental estimates of a program's effect on an outcome, each with
its balance table, its WWC effect size and the naive difference beside it (docs/evidence.md).

A design takes an analytic frame — one row per unit, a 0/1 ``treated`` column, the outcome and
the baseline covariates — and returns a frozen ``Estimate``. The estimand is the effect on the
treated (ATT) unless stated. Results are labelled "quasi-experimental estimate", never "impact":
they hold only if selection into the program is explained by the covariates given.

>>> import pandas as pd
>>> frame = pd.DataFrame({"treated": [1, 1, 0, 0], "score": [7.0, 9.0, 4.0, 6.0]})
>>> naive_difference(frame, "score").difference
3.0
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from backbone.evidence import wwc
from backbone.evidence.balance import Balance, balance_table
from backbone.evidence.matching import (
    TREATED,
    caliper_pairs,
    coarsened_weights,
    design_matrix,
    ipw_weights,
    propensity_logit,
)

LABEL = "quasi-experimental estimate"
NAIVE_LABEL = "naive difference (no adjustment for who takes part)"
PAIR_VARIANCE = (
    "regression on the matched sample with standard errors clustered by matched pair "
    "(Abadie & Spiess 2022: valid for matching without replacement)"
)
PERSON_VARIANCE = (
    "regression on the matched sample with standard errors clustered by person (pairs linked "
    "through a shared person form one cluster): a person's periods are not independent"
)
WEIGHTED_PERSON_VARIANCE = (
    "weighted least squares with standard errors clustered by person, treating the weights as known"
)
WEIGHTED_VARIANCE = (
    "weighted least squares with heteroskedasticity-robust (HC1) standard errors, treating the "
    "weights as known (conservative for the ATT)"
)


@dataclass(frozen=True)
class NaiveDifference:
    """Participants' mean minus everyone else's in the pool, before any adjustment."""

    mean_treated: float
    mean_comparison: float
    difference: float
    n_treated: int
    n_comparison: int
    label: str = NAIVE_LABEL


@dataclass(frozen=True)
class Estimate:
    """A quasi-experimental estimate of the effect on the treated, with its diagnostics."""

    design: str
    outcome: str
    effect: float
    se: float
    ci_low: float  # 95%
    ci_high: float
    variance: str  # how the standard error was computed, and why
    n_treated: int  # in the analytic sample
    n_comparison: int
    effect_size: float | None  # Hedges' g (continuous) or Cox index (0/1 outcome)
    effect_size_measure: str
    improvement_index: float | None
    naive: NaiveDifference
    balance: Balance
    treated_dropped: int  # participants left out of the analytic sample (no match in caliper)
    label: str = LABEL


def naive_difference(frame: pd.DataFrame, outcome: str) -> NaiveDifference:
    """The unadjusted difference in means: what a dashboard would show."""
    treated = frame[TREATED].astype(bool)
    mean_t = float(frame.loc[treated, outcome].mean())
    mean_c = float(frame.loc[~treated, outcome].mean())
    return NaiveDifference(mean_t, mean_c, mean_t - mean_c, int(treated.sum()),
                           int((~treated).sum()))  # fmt: skip


@dataclass(frozen=True)
class Fit:
    """The participation coefficient of an outcome model: effect, standard error, 95% CI."""

    effect: float
    se: float
    ci_low: float
    ci_high: float


def _regression(
    frame: pd.DataFrame, outcome: str, adjust_for: Sequence[str],
    weights: pd.Series | None = None, clusters: pd.Series | None = None,
) -> Fit:  # fmt: skip
    """OLS (or WLS) of the outcome on ``treated`` and the covariates; the treated coefficient."""
    x = pd.concat([frame[[TREATED]].astype(float), design_matrix(frame, adjust_for)], axis=1)
    x = sm.add_constant(x.loc[:, (x.nunique() > 1) | (x.columns == TREATED)], has_constant="add")
    y = frame[outcome].astype(float)
    model = sm.WLS(y, x, weights=weights) if weights is not None else sm.OLS(y, x)
    if clusters is not None:
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": clusters.to_numpy()})
    else:
        fit = model.fit(cov_type="HC1")
    low, high = fit.conf_int(alpha=0.05).loc[TREATED]
    return Fit(float(fit.params[TREATED]), float(fit.bse[TREATED]), float(low), float(high))


def _effect_size(
    frame: pd.DataFrame, outcome: str, effect: float, weights: pd.Series
) -> tuple[float | None, str]:
    """WWC's effect size of the (adjusted) effect: ω · effect / unadjusted pooled SD, or for a
    0/1 outcome the Cox index of the comparison rate and that rate plus the effect."""
    y, w = frame[outcome].astype(float), weights
    treated = frame[TREATED].astype(bool)
    n_t, n_c = int(treated.sum()), int((~treated).sum())
    if set(y.unique()) <= {0.0, 1.0}:
        p_c = float(np.average(y[~treated], weights=w[~treated]))
        p_t = p_c + effect
        cox = wwc.cox_index(p_t, p_c) if 0 < p_t < 1 and 0 < p_c < 1 else None
        return cox, "Cox index"
    sd_t = _weighted_sd(y[treated], w[treated])
    sd_c = _weighted_sd(y[~treated], w[~treated])
    return wwc.hedges_g_from_summary(effect, sd_t, sd_c, n_t, n_c), "Hedges' g"


def _weighted_sd(values: pd.Series, weights: pd.Series) -> float:
    mean = np.average(values, weights=weights)
    v1, v2 = weights.sum(), (weights**2).sum()
    return math.sqrt(float((weights * (values - mean) ** 2).sum() / (v1 - v2 / v1)))


def estimate_from_fit(
    design: str, frame: pd.DataFrame, analytic: pd.DataFrame, outcome: str,
    covariates: Sequence[str], fit: Fit, weights: pd.Series, variance: str,
) -> Estimate:  # fmt: skip
    """An ``Estimate`` from a design's ``fit`` on the ``analytic`` sample (weighted by
    ``weights``): effect size, balance table and the naive difference over ``frame``."""
    size, measure = _effect_size(analytic, outcome, fit.effect, weights)
    treated = analytic[TREATED].astype(bool)
    return Estimate(
        design, outcome, fit.effect, fit.se, fit.ci_low, fit.ci_high, variance,
        int(treated.sum()), int((~treated).sum()), size, measure,
        wwc.improvement_index(size) if size is not None else None,
        naive_difference(frame, outcome), balance_table(analytic, covariates, weights),
        int(frame[TREATED].astype(bool).sum() - treated.sum()),
    )  # fmt: skip


def matched_sample(
    frame: pd.DataFrame, covariates: Sequence[str], caliper_sd: float = 0.2, seed: int = 0,
    exact_on: Sequence[str] = (),
) -> pd.DataFrame:  # fmt: skip
    """The analytic sample of 1:1 caliper matching on the logit of the propensity score: the
    matched units, with a ``pair`` column (each pair's two units share it). ``exact_on``
    columns must be equal within a pair."""
    strata = frame[list(exact_on)].astype(str).agg("|".join, axis=1) if exact_on else None
    logit = propensity_logit(frame, covariates)
    pairs = caliper_pairs(logit, frame[TREATED], caliper_sd, seed, strata=strata)
    labels = list(pairs["treated"]) + list(pairs["comparison"])
    matched = frame.loc[labels].copy()
    matched["pair"] = list(pairs["pair"]) * 2
    return matched


def matched_estimate(
    frame: pd.DataFrame, outcome: str, covariates: Sequence[str], *,
    caliper_sd: float = 0.2, seed: int = 0, adjust: bool = True, person: str | None = None,
    exact_on: Sequence[str] = (),
) -> Estimate:  # fmt: skip
    """Propensity-score matching: 1:1 nearest neighbour on the logit within ``caliper_sd`` SDs
    (and within equal values of the ``exact_on`` columns),
    then a regression of the outcome on treatment (and, with ``adjust``, the covariates, which
    WWC requires for any covariate between 0.05 and 0.25 SD apart) on the matched sample, with
    standard errors clustered by pair.

    When units are person-periods (student-years), name the ``person`` column: pairs that share
    a person, directly or through a chain of pairs, then form one cluster, because a person's
    periods are not independent (a persistent trait such as engagement)."""
    matched = matched_sample(frame, covariates, caliper_sd, seed, exact_on)
    groups = matched["pair"] if person is None else person_clusters(matched, person)
    fit = _regression(matched, outcome, covariates if adjust else (), clusters=groups)
    weights = pd.Series(1.0, index=matched.index)
    variance = PAIR_VARIANCE if person is None else PERSON_VARIANCE
    design = "propensity-score matching (1:1, caliper on the logit)"
    return estimate_from_fit(design, frame, matched, outcome, covariates, fit, weights, variance)


def person_clusters(matched: pd.DataFrame, person: str) -> pd.Series:
    """Each matched unit's cluster: the connected component of the graph whose nodes are people
    and whose edges are matched pairs."""
    codes, people = pd.factorize(matched[person])
    pairs = matched["pair"].to_numpy()
    order = np.argsort(pairs, kind="stable")
    ends = codes[order].reshape(-1, 2)  # the two members of each pair, side by side
    n = len(people)
    graph = coo_matrix((np.ones(len(ends)), (ends[:, 0], ends[:, 1])), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    return pd.Series(component[codes], index=matched.index)


def weighted_estimate(
    design: str, frame: pd.DataFrame, outcome: str, covariates: Sequence[str],
    weights: pd.Series, adjust: bool = True, person: str | None = None,
) -> Estimate:  # fmt: skip
    """Any weighting design (exact, coarsened exact, IPW): weighted regression of the outcome
    on treatment (and the covariates) over the units with a positive weight; standard errors
    clustered by ``person`` when units are person-periods."""
    keep = weights > 0
    analytic, w = frame[keep], weights[keep]
    groups = analytic[person] if person else None
    fit = _regression(analytic, outcome, covariates if adjust else (), w, groups)
    variance = WEIGHTED_VARIANCE if person is None else WEIGHTED_PERSON_VARIANCE
    return estimate_from_fit(design, frame, analytic, outcome, covariates, fit, w, variance)


def exact_estimate(
    frame: pd.DataFrame, outcome: str, covariates: Sequence[str],
    bins: Mapping[str, Sequence[float]] | None = None, person: str | None = None,
) -> Estimate:  # fmt: skip
    """Exact matching on ``covariates`` (coarsened exact matching when ``bins`` gives edges for
    the continuous ones), ATT weights."""
    exact = [c for c in covariates if c not in (bins or {})]
    weights = coarsened_weights(frame, exact, bins)
    design = "coarsened exact matching" if bins else "exact matching"
    return weighted_estimate(design, frame, outcome, covariates, weights, False, person)


def ipw_estimate(
    frame: pd.DataFrame, outcome: str, covariates: Sequence[str],
    trim: tuple[float, float] = (0.01, 0.99), person: str | None = None,
) -> Estimate:  # fmt: skip
    """Inverse probability weighting by the odds (ATT), the score trimmed at ``trim``."""
    weights = ipw_weights(propensity_logit(frame, covariates), frame[TREATED], "ATT", trim)
    return weighted_estimate("inverse probability weighting (ATT)", frame, outcome, covariates,
                             weights, False, person)  # fmt: skip


def difference_in_differences(
    frame: pd.DataFrame, before: str, after: str, covariates: Sequence[str], *,
    caliper_sd: float = 0.2, seed: int = 0, person: str | None = None,
    exact_on: Sequence[str] = (),
) -> Estimate:  # fmt: skip
    """2×2 difference-in-differences on a matched sample: the matched estimate of the change
    ``after − before``. Each unit's own before and after periods are given, so people who start
    in different terms are each compared with their own matched partner's same periods (no
    two-way fixed effects across cohorts); name the column saying which periods those are in
    ``exact_on`` so that a partner is always measured over the same calendar periods."""
    change = frame.assign(change=frame[after] - frame[before])
    result = matched_estimate(
        change,
        "change",
        covariates,
        caliper_sd=caliper_sd,
        seed=seed,
        person=person,
        exact_on=exact_on,
    )
    return replace(result, design="difference-in-differences on a matched sample")


@dataclass(frozen=True)
class Growth:
    """Participants' mean change from before to after, with no comparison group."""

    mean_before: float
    mean_after: float
    change: float
    ci_low: float
    ci_high: float
    n: int
    label: str = "pre/post change among participants (not an effect: no comparison group)"


def pre_post_growth(frame: pd.DataFrame, before: str, after: str) -> Growth:
    """Mean of ``after − before`` over the treated, with a paired 95% t interval."""
    rows = frame[frame[TREATED].astype(bool)]
    change = (rows[after] - rows[before]).astype(float)
    fit = sm.OLS(change.to_numpy(), np.ones(len(change))).fit()
    low, high = fit.conf_int(alpha=0.05)[0]
    return Growth(float(rows[before].mean()), float(rows[after].mean()), float(change.mean()),
                  float(low), float(high), len(change))  # fmt: skip


@dataclass(frozen=True)
class DoseResponse:
    """How the outcome changes per unit of dose (hours, sessions) among participants."""

    slope: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    label: str = "dose-response slope among participants (who gets more may differ)"


def dose_response(
    frame: pd.DataFrame, outcome: str, dose: str, covariates: Sequence[str] = ()
) -> DoseResponse:
    """Regression of the outcome on the dose (and covariates) among the treated, HC1 errors."""
    rows = frame[frame[TREATED].astype(bool)]
    x = pd.concat([rows[[dose]].astype(float), design_matrix(rows, covariates)], axis=1)
    x = sm.add_constant(x.loc[:, (x.nunique() > 1) | (x.columns == dose)], has_constant="add")
    fit = sm.OLS(rows[outcome].astype(float), x).fit(cov_type="HC1")
    low, high = fit.conf_int(alpha=0.05).loc[dose]
    return DoseResponse(float(fit.params[dose]), float(fit.bse[dose]), float(low), float(high),
                        len(rows))  # fmt: skip
