"""Every design's result as rows of one shape (``Result``), the way a study run stores and a page
shows them: one row per contrast, each labelled, each with its own disclosure verdict.

A single estimate gives one row; a practice combination one per pair of arms; pre/post growth one
row with no comparison group (and no naive difference), labelled "growth, not an effect".

>>> from backbone.disclosure import Policy
>>> from backbone.evidence.designs import Growth
>>> growth = assessments.PrePost("M", "DESSA", Growth(46.0, 50.0, 4.0, 3.0, 5.0, 12), 14, 12, 0.5)
>>> row = of_pre_post(growth, Policy(min_n=10))[0]
>>> row.label, row.effect, row.withheld
('M: DESSA growth, pre to post', 4.0, '')
>>> of_pre_post(growth, Policy(min_n=20))[0].withheld
'withheld: reassessed participants (12 < 20)'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd
from scipy import stats

from backbone.disclosure import Policy
from backbone.evidence import assessments, combinations, studies
from backbone.evidence.designs import LABEL, Estimate

GROWTH_LABEL = "growth, not an effect: no comparison group"


@dataclass(frozen=True)
class Result:
    """One contrast of a study run. When ``withheld`` says why, a page shows no figure."""

    label: str  # "Eastside After School + Reading Buddies Tutoring vs Eastside After School only"
    kind: str  # LABEL, assessments.GAIN_LABEL or GROWTH_LABEL
    effect: float | None = None
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    hedges_g: float | None = None
    improvement_index: float | None = None
    n_treated: int = 0
    n_comparison: int | None = None  # None: no comparison group (pre/post growth)
    naive_difference: float | None = None
    naive_treated: int | None = None
    naive_comparison: int | None = None
    treated_dropped: int = 0
    design: str = ""
    variance: str = ""
    verdict: str = ""  # WWC baseline equivalence, the worst covariate's
    balance: list[dict[str, Any]] = field(default_factory=list)
    withheld: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The row as JSON stores it (``StudyRun.contrasts``)."""
        return asdict(self)


def _small(counts: Mapping[str, int], policy: Policy) -> str:
    small = [f"{name} ({n} < {policy.min_n})" for name, n in counts.items() if n < policy.min_n]
    return "withheld: " + ", ".join(small) if small else ""


def of_estimate(estimate: Estimate, policy: Policy, label: str = LABEL) -> Result:
    """An ``Estimate`` as a row, withheld by ``studies.releasable``'s rule."""
    withheld = studies.releasable(estimate, policy).withheld or ""
    return Result(
        label=label, kind=estimate.label, effect=estimate.effect, se=estimate.se,
        ci_low=estimate.ci_low, ci_high=estimate.ci_high, hedges_g=estimate.effect_size,
        improvement_index=estimate.improvement_index, n_treated=estimate.n_treated,
        n_comparison=estimate.n_comparison, naive_difference=estimate.naive.difference,
        naive_treated=estimate.naive.n_treated, naive_comparison=estimate.naive.n_comparison,
        treated_dropped=estimate.treated_dropped, design=estimate.design,
        variance=estimate.variance, verdict=estimate.balance.verdict.value,
        balance=[_balance_row(r) for r in estimate.balance.rows], withheld=withheld,
    )  # fmt: skip


def _balance_row(row: Any) -> dict[str, Any]:
    return {"covariate": row.covariate, "mean_treated": row.mean_treated,
            "mean_comparison": row.mean_comparison, "smd": row.smd,
            "variance_ratio": row.variance_ratio, "wwc_effect_size": row.wwc_effect_size,
            "wwc_measure": row.wwc_measure, "verdict": row.verdict.value}  # fmt: skip


def contrast_label(arm: str, against: str) -> str:
    """'A + B vs A only', or 'A + B vs neither program'."""
    other = "neither program" if against == combinations.NEITHER else f"{against} only"
    return f"{arm} vs {other}"


def of_combination(
    study: studies.Study, pool: pd.DataFrame, participation: pd.DataFrame, policy: Policy
) -> list[Result]:
    """The combination against each program alone and against neither, one row per contrast;
    a contrast that cannot be estimated (an arm with no one in it) is withheld with the reason."""
    programs = [study.program, *study.combined_with]
    frame = studies.combination_frame(study, pool, participation)
    rows = []
    for arm, against in combinations.default_contrasts(programs):
        label = contrast_label(arm, against)
        try:
            found = combinations.combination_contrasts(
                frame, study.outcome, list(study.covariates), programs, design=study.method,
                contrasts=[(arm, against)], person=study.person,
            )  # fmt: skip
        except ValueError as error:  # numpy's LinAlgError is a ValueError too
            rows.append(Result(label, LABEL, withheld=f"withheld: not estimable ({error})"))
            continue
        rows.append(of_estimate(found[0].estimate, policy, label))
    return rows


def of_pre_post(
    result: assessments.PrePost | assessments.GainComparison, policy: Policy
) -> list[Result]:
    """Growth (n reassessed ≥ ``min_n``) or a difference in gains (both programs ≥ ``min_n``)."""
    if isinstance(result, assessments.GainComparison):
        return [_of_gains(result, policy)]
    growth = result.growth
    return [Result(
        label=f"{result.program}: {result.instrument} growth, pre to post", kind=GROWTH_LABEL,
        effect=growth.change, se=_paired_se(growth),
        ci_low=growth.ci_low, ci_high=growth.ci_high, hedges_g=result.effect_size,
        n_treated=growth.n, design="pre/post growth (paired t interval)",
        variance=f"{result.n_assessed} pre-tested, {result.n_reassessed} reassessed",
        withheld=_small({"reassessed participants": growth.n}, policy),
    )]  # fmt: skip


def _paired_se(growth: Any) -> float:
    """The standard error behind the paired t interval (half its width over t(0.975, n − 1))."""
    return float((growth.ci_high - growth.ci_low) / (2 * stats.t.ppf(0.975, growth.n - 1)))


def _of_gains(result: assessments.GainComparison, policy: Policy) -> Result:
    counts = {f"reassessed in {result.program}": result.n_treated,
              f"reassessed in {result.comparison}": result.n_comparison}  # fmt: skip
    return Result(
        label=f"{result.program} vs {result.comparison}: {result.instrument} gains",
        kind=result.label, effect=result.difference, se=result.se, ci_low=result.ci_low,
        ci_high=result.ci_high, hedges_g=result.effect_size,
        improvement_index=result.improvement_index, n_treated=result.n_treated,
        n_comparison=result.n_comparison, design="difference in pre/post gains",
        variance="heteroskedasticity-robust (HC1) standard errors",
        withheld=_small(counts, policy),
    )  # fmt: skip


def headline(rows: Sequence[Result]) -> Result:
    """The first (main) contrast: what a list of studies shows."""
    return rows[0]
