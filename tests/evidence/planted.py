"""Small planted samples for the design tests: known selection, known effect."""

from __future__ import annotations

import numpy as np
import pandas as pd

EFFECT = 5.0


def selected_sample(n: int = 3000, seed: int = 1) -> pd.DataFrame:
    """Units with a prior score and a 0/1 disadvantage flag; the disadvantaged and low scorers
    are likelier to take part and score lower anyway; taking part adds ``EFFECT``."""
    rng = np.random.default_rng(seed)
    prior = rng.normal(0, 1, n)
    disadvantaged = (rng.random(n) < 0.4).astype(int)
    chance = 1 / (1 + np.exp(-(-1.2 - 0.9 * prior + 1.0 * disadvantaged)))
    treated = (rng.random(n) < chance).astype(int)
    score = 50 + 6 * prior - 8 * disadvantaged + EFFECT * treated + rng.normal(0, 4, n)
    return pd.DataFrame({
        "treated": treated, "prior": prior, "disadvantaged": disadvantaged, "score": score,
        "hours": np.where(treated == 1, rng.integers(10, 60, n), 0),
    })  # fmt: skip


# --- staggered adoption ---

PERIODS = range(2016, 2025)
SLOPES = {2019: 3.0, 2021: 2.0, 2023: 1.0}  # effect = slope × (periods since adoption + 1)
# The simple aggregation's truth by hand: cohorts of equal size, so every post-adoption cell
# weighs the same. 2019: 3·(1+…+6) = 63 over 6 cells; 2021: 2·(1+…+4) = 20 over 4;
# 2023: 1·(1+2) = 3 over 2. (63 + 20 + 3) / 12.
TRUE_ATT = 86 / 12


def planted_panel(units_per_group: int = 30, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    time_effect = {t: 0.8 * (t - 2016) + rng.normal(0, 1) for t in PERIODS}
    rows = []
    for group in [*SLOPES, None]:
        for k in range(units_per_group):
            level = rng.normal(50, 5)
            for t in PERIODS:
                planted = SLOPES[group] * (t - group + 1) if group and t >= group else 0.0
                y = level + time_effect[t] + planted + rng.normal(0, 1)
                rows.append((f"{group}-{k}", t, group, y, float(planted > 0)))
    return pd.DataFrame(rows, columns=["unit", "period", "first", "y", "treated_now"])


# --- practice combinations ---

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


def combination_sample(n: int = 8000, seed: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
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


# --- pre/post assessments: two programs on one instrument ---

NAN = float("nan")
ASSESSMENT_ROWS = pd.DataFrame(
    {
        "program": ["A"] * 4 + ["B"] * 3 + ["A"],
        "instrument": ["DESSA"] * 7 + ["STAR Reading"],
        # A: gains 6, 4, 8 (mean 6), one person never reassessed. B: gains 1, 2, 3 (mean 2).
        "pre_score": [40.0, 50.0, 60.0, 45.0, 42.0, 52.0, 62.0, 700.0],
        "post_score": [46.0, 54.0, 68.0, NAN, 43.0, 54.0, 65.0, 760.0],
    }
)
