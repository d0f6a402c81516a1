"""Commitment against actual, on figures worked by hand."""

from __future__ import annotations

from backbone.workforce.catalog import Commitment
from backbone.workforce.status import against

PIPELINE = {"completed": 790, "interviewed": 519, "hired": 259}


def _commitment(**fields) -> Commitment:
    return Commitment(employer="st-brigid-health", level="sustained", **fields)


def test_interview_every_completer_is_not_met_at_519_of_790():
    status = against(_commitment(kind="interviews", per_completer=1.0), PIPELINE, {})
    assert (status.target, status.actual, status.status) == (790, 519, "not met")


def test_interview_half_the_completers_rounds_the_target_up_and_is_met():
    status = against(_commitment(kind="interviews", per_completer=0.5), PIPELINE, {})
    assert (status.target, status.status) == (395, "met")  # 790 / 2 = 395 ≤ 519


def test_hires_per_year_are_held_to_the_latest_program_year():
    years = {"2023-24": {"hires": 80}, "2024-25": {"hires": 39}}
    status = against(_commitment(kind="hires", quantity=40), PIPELINE, years)
    assert (status.target, status.actual, status.status, status.basis) == (
        40, 39, "not met", "hires in 2024-25")  # fmt: skip


def test_conversion_is_hires_over_interviews_against_its_target():
    commitment = _commitment(kind="interviews", per_completer=1.0, conversion_target=0.5)
    # 259 / 519 = 0.499: just under half
    assert against(commitment, PIPELINE, {}).conversion == (
        "49.9% of interviewed hired (target 50%): not met"
    )


def test_slots_have_no_actuals_in_the_warehouse():
    status = against(_commitment(kind="apprenticeship_slots", quantity=12), PIPELINE, {})
    assert (status.actual, status.status) == (None, "not measured")


def test_a_withheld_actual_withholds_its_status_and_a_withheld_stage_the_conversion():
    from backbone.disclosure import Policy
    from backbone.workforce.figures import protected_pipeline, shown_status

    # 3 interviewed, 1 hired: under 10, both withheld, and 1 of 3 (33.3%) would give them away.
    row = {"enrolled": 40, "completed": 30, "interviewed": 3, "offered": 2, "hired": 1,
           "retained": 0}  # fmt: skip
    stages = protected_pipeline(row, Policy(min_n=10))
    assert [s.shown for s in stages][2:5] == ["*", "*", "*"]
    assert shown_status("not met", "33.3% of interviewed hired", "*", stages) == ["withheld", ""]
    exact = protected_pipeline(row, None)
    assert shown_status("not met", "33.3% …", "3", exact) == ["not met", "33.3% …"]
