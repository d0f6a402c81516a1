"""Pre/post program assessments (the ``program_assessment`` contract): a program's growth on its
own instrument, and, where another program gave the same instrument, the difference in gains.

Rows are one per person, program, instrument and baseline, with ``pre_score`` and ``post_score``
(blank when the person was not reassessed: attrition, reported, never imputed).

>>> import pandas as pd
>>> rows = pd.DataFrame({"program": ["M"] * 3, "instrument": ["DESSA"] * 3,
...                      "pre_score": [40.0, 50.0, 45.0], "post_score": [46.0, 52.0, None]})
>>> result = pre_post(rows, "M", "DESSA")
>>> result.growth.change, result.n_assessed, result.n_reassessed
(4.0, 3, 2)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from backbone.evidence import wwc
from backbone.evidence.designs import Growth, pre_post_growth
from backbone.evidence.matching import TREATED

PRE, POST = "pre_score", "post_score"
GAIN_LABEL = "difference in pre/post gains against another program (quasi-experimental estimate)"


@dataclass(frozen=True)
class PrePost:
    """A program's growth on one instrument, with who was and was not reassessed."""

    program: str
    instrument: str
    growth: Growth  # among those reassessed; labelled "not an effect"
    n_assessed: int  # took the pre-test
    n_reassessed: int  # took both
    effect_size: float  # Hedges' g of post against pre (growth, not an effect)

    @property
    def attrition(self) -> float:
        """Share of those pre-tested who have no post-test."""
        return 1 - self.n_reassessed / self.n_assessed


@dataclass(frozen=True)
class GainComparison:
    """A program's mean gain minus a comparison program's, on the same instrument."""

    program: str
    comparison: str
    instrument: str
    difference: float
    se: float  # HC1 (the two groups' gains may spread differently)
    ci_low: float
    ci_high: float
    n_treated: int  # reassessed, in the analysis
    n_comparison: int
    effect_size: float  # WWC difference-in-differences adjustment: g(post) − g(pre)
    improvement_index: float
    attrition_treated: float
    attrition_comparison: float
    label: str = GAIN_LABEL


def _rows(assessments: pd.DataFrame, program: str, instrument: str) -> pd.DataFrame:
    chosen = assessments[
        (assessments["program"] == program) & (assessments["instrument"] == instrument)
    ]
    if chosen.empty:
        raise ValueError(f"no {instrument!r} assessments for {program!r}")
    return chosen


def pre_post(assessments: pd.DataFrame, program: str, instrument: str) -> PrePost:
    """The program's mean change among those with both scores (``designs.pre_post_growth``),
    and Hedges' g of the post-test against the pre-test over the same people."""
    rows = _rows(assessments, program, instrument)
    both = rows.dropna(subset=[PRE, POST]).assign(**{TREATED: 1})
    if len(both) < 2:
        raise ValueError(f"{program!r}: fewer than 2 people have both a pre- and a post-test")
    growth = pre_post_growth(both, PRE, POST)
    size = _g(both[POST], both[PRE], growth.change)
    return PrePost(program, instrument, growth, len(rows), len(both), size)


def _g(first: pd.Series, second: pd.Series, difference: float) -> float:
    """ω · difference / pooled SD of the two score columns (WWC §1.3)."""
    sd_1, sd_2 = float(first.std(ddof=1)), float(second.std(ddof=1))
    return wwc.hedges_g_from_summary(difference, sd_1, sd_2, len(first), len(second))


def difference_in_gains(
    assessments: pd.DataFrame, program: str, comparison: str, instrument: str
) -> GainComparison:
    """Mean gain of ``program`` minus mean gain of ``comparison`` (each among those with both
    scores), with an HC1 95% interval, and WWC's effect size for a difference-in-differences:
    g of the post-test difference minus g of the pre-test difference, each with its own
    pooled SD and ω (WWC Procedures Handbook v4.1, appendix E)."""
    treated_rows = _rows(assessments, program, instrument)
    comparison_rows = _rows(assessments, comparison, instrument)
    t = treated_rows.dropna(subset=[PRE, POST])
    c = comparison_rows.dropna(subset=[PRE, POST])
    gain_t, gain_c = t[POST] - t[PRE], c[POST] - c[PRE]
    flag = np.r_[np.ones(len(t)), np.zeros(len(c))]
    x = sm.add_constant(pd.DataFrame({TREATED: flag}))
    fit = sm.OLS(np.r_[gain_t.to_numpy(), gain_c.to_numpy()], x).fit(cov_type="HC1")
    low, high = fit.conf_int(alpha=0.05).loc[TREATED]
    g_post = _g(t[POST], c[POST], float(t[POST].mean() - c[POST].mean()))
    g_pre = _g(t[PRE], c[PRE], float(t[PRE].mean() - c[PRE].mean()))
    size = g_post - g_pre
    return GainComparison(
        program, comparison, instrument, float(fit.params[TREATED]), float(fit.bse[TREATED]),
        float(low), float(high), len(t), len(c), size, wwc.improvement_index(size),
        1 - len(t) / len(treated_rows), 1 - len(c) / len(comparison_rows),
    )  # fmt: skip
