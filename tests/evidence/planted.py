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
