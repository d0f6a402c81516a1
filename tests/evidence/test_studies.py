"""Studies declared as data: validation, round trip, running, and the disclosure rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from backbone.disclosure import Policy
from backbone.evidence import studies
from tests.evidence.planted import EFFECT, selected_sample

DECLARATION = """
slug: planted-tutoring
program: Tutoring
outcome: score
covariates: [prior, disadvantaged]
design: matched
seed: 3
"""


def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    sample = selected_sample().reset_index(names="person").assign(period=2025)
    served = sample[sample["treated"] == 1][["person", "period", "hours"]].assign(
        program="Tutoring"
    )
    return sample.drop(columns=["treated"]), served


def test_a_declared_study_recovers_the_planted_effect() -> None:
    study = studies.study_from_dict(yaml.safe_load(DECLARATION))
    pool, served = _frames()
    result = studies.run_study(study, pool, served)
    assert result.ci_low < EFFECT < result.ci_high
    assert result.naive.difference < 0


def test_a_doubly_robust_study_recovers_the_planted_effect() -> None:
    study = studies.study_from_dict({**yaml.safe_load(DECLARATION), "design": "doubly_robust"})
    pool, served = _frames()
    result = studies.run_study(study, pool, served)
    assert result.ci_low < EFFECT < result.ci_high
    assert result.design.startswith("doubly robust")
    assert result.n_treated + result.n_comparison == 3000  # nobody dropped


def test_doubly_robust_change_recovers_the_planted_effect() -> None:
    # "before" is the score without the program plus noise: the change is EFFECT for
    # participants and pure noise for the others.
    pool, served = _frames()
    noise = np.random.default_rng(2).normal(0, 1, len(pool))
    took_part = pool["person"].isin(served["person"])
    pool = pool.assign(before=pool["score"] - EFFECT * took_part + noise)
    declaration = {**yaml.safe_load(DECLARATION), "before": "before",
                   "design": "doubly_robust_difference_in_differences"}  # fmt: skip
    result = studies.run_study(studies.study_from_dict(declaration), pool, served)
    assert result.ci_low < EFFECT < result.ci_high
    assert result.ci_high - result.ci_low < 0.5  # the person's level has dropped out


def test_another_program_in_the_same_roster_is_not_counted() -> None:
    pool, served = _frames()
    study = studies.study_from_dict({**yaml.safe_load(DECLARATION), "program": "Mentoring"})
    with pytest.raises(studies.StudyError, match="0 of 3000 units in the pool took part"):
        studies.run_study(study, pool, served)


def test_round_trip() -> None:
    study = studies.study_from_dict(yaml.safe_load(DECLARATION))
    assert studies.study_from_dict(yaml.safe_load(yaml.safe_dump(studies.study_to_dict(study))))\
        == study  # fmt: skip


def test_every_problem_is_listed_at_once() -> None:
    declaration = {"slug": "bad", "outcome": "y", "design": "regression", "colour": "red",
                   "caliper_sd": 3}  # fmt: skip
    with pytest.raises(studies.StudyError) as caught:
        studies.study_from_dict(declaration)
    message = str(caught.value)
    for problem in ("program: required", "covariates: required", "colour: unknown field",
                    "'regression' is not one of", "caliper_sd: must be"):  # fmt: skip
        assert problem in message


def test_difference_in_differences_needs_the_before_column() -> None:
    declaration = {**yaml.safe_load(DECLARATION), "design": "difference_in_differences"}
    with pytest.raises(studies.StudyError, match="before: difference_in_differences needs"):
        studies.study_from_dict(declaration)
    declaration["design"] = "doubly_robust_difference_in_differences"
    with pytest.raises(studies.StudyError, match="before: doubly_robust_difference_in_diff"):
        studies.study_from_dict(declaration)


def test_an_estimate_over_few_people_is_withheld() -> None:
    pool, served = _frames()
    study = studies.study_from_dict(yaml.safe_load(DECLARATION))
    result = studies.run_study(study, pool, served)
    assert studies.releasable(result, Policy(min_n=10)).estimate is result
    # Ten participants of the same study: under a policy of 11 nothing is shown, with the reason.
    few = served.head(10)
    small = studies.run_study(study, pool, few)
    assert small.naive.n_treated == 10
    release = studies.releasable(small, Policy(min_n=11))
    assert release.estimate is None
    assert (
        release.withheld is not None and "participants in the analytic sample" in release.withheld
    )
