"""Practice combinations on planted data: tutoring adds 3, mentoring 2, and both together 4 more
than the sum (an interaction), with selection on disadvantage and school."""

from __future__ import annotations

import pandas as pd
import pytest

from backbone.evidence.combinations import (
    ARM,
    combination_contrasts,
    default_contrasts,
    program_sets,
)
from tests.evidence.planted import BOTH, PLANTED, PROGRAMS, combination_sample


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    pool, took = combination_sample()
    return program_sets(pool, took, PROGRAMS)


def test_units_are_flagged_by_the_set_of_programs_they_took():
    pool = pd.DataFrame({"person": ["a", "b", "c"], "period": [2025] * 3})
    took = pd.DataFrame({"person": ["a", "a", "a", "b"], "period": [2025] * 4,
                         "program": ["Tutoring", "Tutoring", "Chess", "Mentoring"]})  # fmt: skip
    arms = program_sets(pool, took, PROGRAMS)[ARM].tolist()
    assert arms == ["Tutoring", "Mentoring", "neither"]  # Chess is not one of the programs


def test_default_contrasts_are_the_combination_against_each_part_and_neither():
    assert default_contrasts(PROGRAMS) == [(BOTH, "Mentoring"), (BOTH, "Tutoring"),
                                           (BOTH, "neither")]  # fmt: skip


@pytest.mark.parametrize("design", ["exact", "matched"])
def test_each_contrast_recovers_the_planted_effect_with_the_interaction(frame, design):
    results = combination_contrasts(frame, "score", ["disadvantaged", "school"], PROGRAMS,
                                    design=design)  # fmt: skip
    assert [(c.arm, c.against) for c in results] == list(PLANTED)
    for contrast in results:
        truth = PLANTED[contrast.arm, contrast.against]
        assert contrast.estimate.ci_low < truth < contrast.estimate.ci_high, contrast
    # The naive difference against neither is pulled down by who takes part in both.
    against_neither = results[2].estimate
    assert against_neither.naive.difference < against_neither.ci_low


def test_exact_contrast_equals_the_stratified_difference_computed_by_hand(frame):
    [result] = combination_contrasts(frame, "score", ["disadvantaged", "school"], PROGRAMS,
                                     contrasts=[(BOTH, "neither")])  # fmt: skip
    rows = frame[frame[ARM].isin([BOTH, "neither"])]
    total = weighted = 0.0
    for _, stratum in rows.groupby(["disadvantaged", "school"]):
        arm, other = stratum[stratum[ARM] == BOTH], stratum[stratum[ARM] == "neither"]
        if len(arm) and len(other):
            weighted += len(arm) * (arm["score"].mean() - other["score"].mean())
            total += len(arm)
    assert result.estimate.effect == pytest.approx(weighted / total, abs=1e-9)


def test_an_empty_arm_is_named(frame):
    with pytest.raises(ValueError, match="no units in 'Chess'"):
        combination_contrasts(frame, "score", ["school"], PROGRAMS, contrasts=[(BOTH, "Chess")])


def test_an_unknown_design_is_refused(frame):
    with pytest.raises(ValueError, match="design 'rct' is not one of exact, matched, ipw"):
        combination_contrasts(frame, "score", ["school"], PROGRAMS, design="rct")
