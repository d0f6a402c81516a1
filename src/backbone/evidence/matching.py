"""Comparison groups from administrative data: propensity scores, caliper matching on the logit,
exact and coarsened exact matching, and inverse probability weights (methods §2.1–2.4).

Every function takes a pandas frame with one row per unit (a student-year, a person) and a
0/1 ``treated`` column, and returns weights or pairs indexed like the frame: the designs in
``designs`` turn those into estimates.

>>> import pandas as pd
>>> frame = pd.DataFrame({"treated": [1, 1, 0, 0, 0], "school": ["a", "b", "a", "a", "c"]})
>>> exact_weights(frame, ["school"]).tolist()
[1.0, 0.0, 1.0, 1.0, 0.0]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import statsmodels.api as sm

TREATED = "treated"


def design_matrix(frame: pd.DataFrame, covariates: Sequence[str]) -> pd.DataFrame:
    """Covariates as numbers: text, category and boolean columns become 0/1 dummies (the first
    level dropped), numbers stay as they are; names read ``column=level``."""
    parts = []
    for name in covariates:
        column = frame[name]
        if pd.api.types.is_bool_dtype(column):
            parts.append(column.astype(float).rename(name))
        elif pd.api.types.is_numeric_dtype(column):
            parts.append(column.astype(float))
        else:
            dummies = pd.get_dummies(column.astype(str), prefix=name, prefix_sep="=", dtype=float)
            parts.append(dummies.iloc[:, 1:])
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=frame.index)


def propensity_logit(frame: pd.DataFrame, covariates: Sequence[str]) -> pd.Series:
    """The logit of the propensity score, from a logistic regression of ``treated`` on the
    baseline covariates (statsmodels ``Logit``, with an intercept)."""
    x = sm.add_constant(_varying(design_matrix(frame, covariates)), has_constant="add")
    fit = sm.Logit(frame[TREATED].astype(float), x).fit(disp=0, maxiter=200)
    return pd.Series(x.to_numpy() @ fit.params.to_numpy(), index=frame.index, name="logit")


def _varying(x: pd.DataFrame) -> pd.DataFrame:
    """Leave out constant columns (a level nobody has), which would make the fit singular."""
    return x.loc[:, x.nunique() > 1]


def caliper_pairs(
    logit: pd.Series, treated: pd.Series, caliper_sd: float = 0.2, seed: int = 0,
    strata: pd.Series | None = None,
) -> pd.DataFrame:  # fmt: skip
    """1:1 nearest-neighbour matching on the logit, without replacement, within a caliper of
    ``caliper_sd`` × SD of the logit over both groups (Austin 2011).

    Greedy: the treated are taken in a random order fixed by ``seed``; each takes the nearest
    comparison unit still free. Comparison units are shuffled by the same seed first, so ties
    (common when every covariate is categorical) go to a random but reproducible neighbour.

    With ``strata`` (one value per unit), a participant is matched only within its stratum:
    exact matching on, say, the calendar quarters a workforce comparison is measured over.

    Returns:
        One row per pair: ``treated``, ``comparison`` (index labels) and ``pair`` (0, 1, …).
    """
    width = caliper_sd * float(logit.std(ddof=1))
    rng = np.random.default_rng(seed)
    is_treated = treated.astype(bool).to_numpy()
    t_labels = logit.index[is_treated][rng.permutation(int(is_treated.sum()))]
    c_labels = logit.index[~is_treated][rng.permutation(int((~is_treated).sum()))]
    c_values = logit.loc[c_labels].to_numpy().copy()
    codes = pd.Series(0, index=logit.index) if strata is None else _codes(strata)
    c_codes = codes.loc[c_labels].to_numpy()
    taken = np.zeros(len(c_values), dtype=bool)
    pairs: list[tuple[object, object]] = []
    for label in t_labels:
        distance = np.abs(c_values - logit.loc[label])
        distance[taken | (c_codes != codes.loc[label])] = np.inf
        nearest = int(np.argmin(distance)) if len(distance) else -1
        if nearest >= 0 and distance[nearest] <= width:
            taken[nearest] = True
            pairs.append((label, c_labels[nearest]))
    frame = pd.DataFrame(pairs, columns=["treated", "comparison"])
    return frame.assign(pair=range(len(frame)))


def _codes(strata: pd.Series) -> pd.Series:
    return pd.Series(pd.factorize(strata.astype(str))[0], index=strata.index)


def coarsened_weights(
    frame: pd.DataFrame, exact: Sequence[str], bins: Mapping[str, Sequence[float]] | None = None
) -> pd.Series:
    """Coarsened exact matching weights for the ATT (methods §2.3).

    Units are grouped into strata by the exact values of ``exact`` and the bin (``pd.cut``
    with the given edges, right-closed) of each ``bins`` column; strata without both groups get
    weight 0. Treated units weigh 1, a comparison unit in stratum s weighs
    (m_C / m_T) · (m_T^s / m_C^s), so the comparison group has the treated group's strata mix.
    """
    keys = [frame[name].astype(str) for name in exact]
    for name, edges in (bins or {}).items():
        keys.append(pd.cut(frame[name], list(edges), include_lowest=True).astype(str))
    if not keys:
        raise ValueError("coarsened exact matching needs at least one covariate")
    stratum = pd.Series(list(zip(*keys, strict=True)), index=frame.index)
    treated = frame[TREATED].astype(bool)
    m_t = stratum[treated].value_counts()
    m_c = stratum[~treated].value_counts()
    both = m_t.index.intersection(m_c.index)
    matched = stratum.isin(both)
    ratio = m_c[both].sum() / m_t[both].sum()
    weights = pd.Series(0.0, index=frame.index)
    weights[treated & matched] = 1.0
    comparison = ~treated & matched
    s = stratum[comparison]
    weights[comparison] = ratio * (m_t[s].to_numpy() / m_c[s].to_numpy())
    return weights


def exact_weights(frame: pd.DataFrame, exact: Sequence[str]) -> pd.Series:
    """Exact matching: coarsened exact matching with no coarsening."""
    return coarsened_weights(frame, exact)


def ipw_weights(
    logit: pd.Series, treated: pd.Series, estimand: str = "ATT",
    trim: tuple[float, float] = (0.01, 0.99),
) -> pd.Series:  # fmt: skip
    """Inverse probability weights (methods §2.4), the propensity score first clipped to its
    ``trim`` quantiles (1st and 99th percentile by default) so no weight explodes.

    ATT: treated 1, comparison e/(1 − e) ("weighting by odds"). ATE: 1/e and 1/(1 − e).
    """
    score = 1 / (1 + np.exp(-logit))
    low, high = score.quantile(trim[0]), score.quantile(trim[1])
    score = score.clip(low, high)
    is_treated = treated.astype(bool)
    if estimand == "ATT":
        return pd.Series(np.where(is_treated, 1.0, score / (1 - score)), index=logit.index)
    if estimand == "ATE":
        return pd.Series(np.where(is_treated, 1 / score, 1 / (1 - score)), index=logit.index)
    raise ValueError(f"estimand must be 'ATT' or 'ATE', got {estimand!r}")
