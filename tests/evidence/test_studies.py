"""Studies declared as data: validation, round trip, running, and the disclosure rule."""

from __future__ import annotations

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
