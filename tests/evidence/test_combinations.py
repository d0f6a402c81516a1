"""Practice combinations on planted data: tutoring adds 3, mentoring 2, and both together 4 more
than the sum (an interaction), with selection on disadvantage and school."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from backbone.evidence.combinations import (
    ARM,
    combination_contrasts,
    default_contrasts,
    program_sets,
)

TUTORING, MENTORING, INTERACTION = 3.0, 2.0, 4.0
PROGRAMS = ["Tutoring", "Mentoring"]
BOTH = "Mentoring + Tutoring"
# By hand: both against tutoring alone = mentoring + interaction; against mentoring alone =
# tutoring + interaction; against neither = all three.
PLANTED = {
    (BOTH, "Mentoring"): TUTORING + INTERACTION,
    (BOTH, "Tutoring"): MENTORING + INTERACTION,
    (BOTH, "neither"): TUTORING + MENTORING + INTERACTION,
}


def planted(n: int = 8000, seed: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A pool of student-years and the participation rows they produced."""
    rng = np.random.default_rng(seed)
    disadvantaged = (rng.random(n) < 0.45).astype(int)
    school = rng.choice(["s1", "s2", "s3", "s4"], n)
    school_effect = pd.Series(school).map({"s1": 0.0, "s2": 2.0, "s3": -3.0, "s4": 1.0})
    logistic = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    tutoring = rng.random(n) < logistic(-1.0 + 1.2 * disadvantaged + (school == "s3"))
    mentoring = rng.random(n) < logistic(-1.0 + 0.9 * disadvantaged)
    score = (50 - 6 * disadvantaged + school_effect.to_numpy() + TUTORING * tutoring
             + MENTORING * mentoring + INTERACTION * (tutoring & mentoring)
             + rng.normal(0, 5, n))  # fmt: skip
    pool = pd.DataFrame({"person": [f"p{i}" for i in range(n)], "period": 2025,
                         "disadvantaged": disadvantaged, "school": school, "score": score})  # fmt: skip
    took = [(f"p{i}", 2025, name) for name, flags in (("Tutoring", tutoring),
            ("Mentoring", mentoring)) for i in np.flatnonzero(flags)]  # fmt: skip
    return pool, pd.DataFrame(took, columns=["person", "period", "program"])


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    pool, took = planted()
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
