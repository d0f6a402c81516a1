"""Studies declared as data: validation, round trip, running, and the disclosure rule."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import yaml

from backbone.disclosure import Policy
from backbone.evidence import studies
from tests.evidence.planted import (
    ASSESSMENT_ROWS,
    EFFECT,
    PLANTED,
    TRUE_ATT,
    combination_sample,
    planted_panel,
    selected_sample,
)

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


def test_a_staggered_study_takes_each_units_adoption_from_its_first_participation() -> None:
    panel = planted_panel()
    adopted = panel[panel["first"].notna() & (panel["period"] >= panel["first"])]
    participation = adopted[["unit", "period"]].assign(program="Attendance Works")
    study = studies.study_from_dict({"slug": "aw", "program": "Attendance Works", "outcome": "y",
                                     "adopter": "unit", "design": "staggered_did"})  # fmt: skip
    result = studies.run_staggered_did(study, panel.drop(columns=["first"]), participation)
    assert result.ci_low < TRUE_ATT < result.ci_high
    assert result.n_treated_units == 90


def test_a_pre_post_study_with_a_comparison_program_is_the_difference_in_gains() -> None:
    declaration = {"slug": "sel", "program": "A", "instrument": "DESSA", "design": "pre_post"}
    growth = studies.run_pre_post(studies.study_from_dict(declaration), ASSESSMENT_ROWS)
    assert growth.growth.change == 6.0  # type: ignore[union-attr]
    versus = studies.study_from_dict({**declaration, "comparison": "B"})
    assert studies.run_pre_post(versus, ASSESSMENT_ROWS).difference == pytest.approx(4.0)  # type: ignore[union-attr]


def test_a_combination_study_reports_each_contrast() -> None:
    pool, took = combination_sample()
    study = studies.study_from_dict({
        "slug": "both", "program": "Tutoring", "combined_with": ["Mentoring"],
        "outcome": "score", "covariates": ["disadvantaged", "school"], "design": "combination",
    })  # fmt: skip
    results = studies.run_combination(study, pool, took)
    for contrast in results:
        truth = PLANTED[contrast.arm, contrast.against]
        assert contrast.estimate.ci_low < truth < contrast.estimate.ci_high
    again = studies.study_from_dict(yaml.safe_load(yaml.safe_dump(studies.study_to_dict(study))))
    assert again == study


@pytest.mark.parametrize(
    ("declaration", "problems"),
    [
        ({"design": "pre_post"}, ["instrument: required"]),
        ({"design": "staggered_did", "control": "later"},
         ["adopter: required", "control: must be one of never, not_yet"]),
        ({"design": "combination", "method": "rct"},
         ["combined_with: required", "method: must be one of exact, matched, ipw"]),
    ],
)  # fmt: skip
def test_the_new_designs_list_what_they_miss(declaration, problems) -> None:
    base = {"slug": "s", "program": "P", "outcome": "y", "covariates": ["x"]}
    with pytest.raises(studies.StudyError) as caught:
        studies.study_from_dict({**base, **declaration})
    assert str(caught.value) == "study s: " + "; ".join(problems)


def test_a_pre_post_study_needs_neither_outcome_nor_covariates() -> None:
    study = studies.study_from_dict({"slug": "s", "program": "P", "instrument": "DESSA",
                                     "design": "pre_post"})  # fmt: skip
    assert (study.outcome, study.covariates) == ("", ())


def test_each_runner_refuses_another_design() -> None:
    pool, served = _frames()
    staggered = studies.study_from_dict({"slug": "s", "program": "P", "outcome": "y",
                                         "adopter": "school", "design": "staggered_did"})  # fmt: skip
    with pytest.raises(studies.StudyError, match="a staggered_did study runs with run_staggered"):
        studies.run_study(staggered, pool, served)
    matched = studies.study_from_dict(yaml.safe_load(DECLARATION))
    with pytest.raises(studies.StudyError, match="its design is matched, not pre_post"):
        studies.run_pre_post(matched, pool)


EXIT = {"slug": "exit", "program": "*", "unit": "training_cohorts", "years": [2021, 2022],
        "anchor": "exit", "outcome": "year2_earnings", "before": "pre_earnings",
        "design": "difference_in_differences", "covariates": ["pre_earnings", "anchor"]}  # fmt: skip


def test_an_exit_study_round_trips_with_its_year_one_threshold_and_dollars() -> None:
    study = studies.study_from_dict({**EXIT, "year_one": [2, 5], "threshold": 45000,
                                     "cpi_base_year": 2024})  # fmt: skip
    assert (study.year_one, study.threshold, study.cpi_base_year) == ((2, 5), 45000, 2024)
    assert studies.study_from_dict(yaml.safe_load(yaml.safe_dump(studies.study_to_dict(study))))\
        == study  # fmt: skip
    assert studies.study_from_dict(EXIT).year_one == (1, 4)  # the default: Q1 = exit quarter


def test_every_exit_problem_is_listed_at_once() -> None:
    declaration = {**EXIT, "year_one": [1, 5], "threshold": -1, "cpi_base_year": "2024",
                   "outcome": "year5_earnings"}  # fmt: skip
    with pytest.raises(studies.StudyError) as caught:
        studies.study_from_dict(declaration)
    assert str(caught.value) == (
        "study exit: year_one: must be [1, 4] (exit quarter first) or [2, 5]; "
        "threshold: must be a dollar amount above 0; cpi_base_year: must be a year such as "
        "2024; outcome: year5_earnings: exit windows reach years 1 to 4"
    )


@pytest.mark.parametrize(("change", "problem"), [
    ({"positive": ["year2_reached"]}, "positive: year2_reached needs a threshold"),
    ({"anchor": "entry"}, "anchor: 'entry' is not one of programme_year, exit"),
    ({"unit": "student_years", "years": []}, "anchor: exit windows need unit training_cohorts"),
    ({"anchor": "programme_year", "cpi_base_year": 2024}, "cpi_base_year: needs anchor: exit"),
    ({"anchor": "programme_year", "threshold": 45000}, "threshold: needs anchor: exit"),
    ({"anchor": "programme_year", "year_one": [2, 5]}, "year_one: needs anchor: exit"),
])  # fmt: skip
def test_refused_combinations_are_named(change, problem) -> None:
    with pytest.raises(studies.StudyError, match=re.escape(problem)):
        studies.study_from_dict({**EXIT, **change})


def test_an_exit_study_computes_only_the_years_its_columns_name() -> None:
    study = studies.study_from_dict({**EXIT, "threshold": 45000, "where": {"year4_reached": 1}})
    windows = studies.exit_windows(study)
    assert windows == {"year_one": (1, 4), "years": (2, 4), "threshold": 45000,
                       "cpi_base_year": None}  # fmt: skip


def test_an_exit_study_leaves_out_people_whose_baseline_is_unobserved() -> None:
    frame = pd.DataFrame({"treated": [1, 0, 0], "anchor": ["a"] * 3,
                          "pre_earnings": [1.0, np.nan, 3.0],
                          "year2_earnings": [4.0, 5.0, 6.0]})  # fmt: skip
    kept = studies.analytic_frame(studies.study_from_dict(EXIT), frame)
    assert kept["year2_earnings"].tolist() == [4.0, 6.0]
