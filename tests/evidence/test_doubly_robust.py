"""The doubly robust ATT against an independent numpy/statsmodels computation and planted data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from backbone.evidence import designs
from backbone.evidence.doubly_robust import aipw_difference_in_differences, aipw_estimate
from tests.evidence.planted import EFFECT, selected_sample


def independent_aipw(frame: pd.DataFrame, y: str, x: list[str]) -> tuple[float, float]:
    """DR-ATT (Sant'Anna & Zhao 2020) and its influence-function SE, written from the formula."""
    t = frame["treated"].to_numpy(dtype=bool)
    xs = sm.add_constant(frame[x].to_numpy(dtype=float))
    e = sm.Logit(t.astype(float), xs).fit(disp=0).predict(xs)
    e = np.clip(e, np.quantile(e, 0.01), np.quantile(e, 0.99))
    beta, *_ = np.linalg.lstsq(xs[~t], frame[y].to_numpy()[~t], rcond=None)
    r = frame[y].to_numpy() - xs @ beta
    w = np.where(t, 0.0, e / (1 - e))
    a, b = r[t].mean(), (w * r).sum() / w.sum()
    phi = np.where(t, (r - a) / t.sum(), 0.0) - w * (r - b) / w.sum()
    return a - b, math.sqrt((phi**2).sum())


def test_equals_an_independent_computation() -> None:
    frame = selected_sample()
    effect, se = independent_aipw(frame, "score", ["prior", "disadvantaged"])
    result = aipw_estimate(frame, "score", ["prior", "disadvantaged"])
    assert result.effect == pytest.approx(effect, abs=1e-8)
    assert result.se == pytest.approx(se, rel=1e-9)
    assert result.ci_low == pytest.approx(effect - 1.959964 * se, abs=1e-5)
    assert result.ci_low < EFFECT < result.ci_high
    assert result.n_treated + result.n_comparison == len(frame)  # nobody dropped


def test_hand_computed_cells() -> None:
    # x = 0: participants 12, others 1 and 1; x = 1: participants 14, others 3 and 3.
    # The comparison regression predicts 1 and 3, so every participant gains 11.
    frame = pd.DataFrame({"treated": [1, 1, 0, 0, 0, 0], "x": [0, 1, 0, 1, 0, 1],
                          "y": [12.0, 14.0, 1.0, 3.0, 1.0, 3.0]})  # fmt: skip
    assert aipw_estimate(frame, "y", ["x"], trim=(0.0, 1.0)).effect == pytest.approx(11.0)


def nonlinear_sample(n: int = 20_000, seed: int = 4) -> pd.DataFrame:
    """Participation follows a logistic model in x (right); the outcome bends in x (a linear
    regression is wrong): the effect on the treated is 2."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, n)
    treated = (rng.random(n) < 1 / (1 + np.exp(-(-1.0 + 1.2 * x)))).astype(int)
    y = 3 * x**2 + 2 * treated + rng.normal(0, 1, n)
    return pd.DataFrame({"treated": treated, "x": x, "y": y})


def test_holds_when_only_the_propensity_model_is_right() -> None:
    frame = nonlinear_sample()
    ones = pd.Series(1.0, index=frame.index)
    regression = designs.weighted_estimate("regression", frame, "y", ["x"], ones, True)
    # Regression alone is biased here (it misses the curve); the weights repair it.
    assert not regression.ci_low < 2.0 < regression.ci_high
    result = aipw_estimate(frame, "y", ["x"], trim=(0.0, 1.0))
    assert result.ci_low < 2.0 < result.ci_high
    assert abs(result.effect - 2.0) < abs(regression.effect - 2.0) / 3


def test_holds_when_only_the_outcome_model_is_right() -> None:
    rng = np.random.default_rng(5)
    n = 20_000
    x = rng.normal(0, 1, n)
    # Participation depends on x² (the logit in x is wrong); the outcome is linear in x.
    treated = (rng.random(n) < 1 / (1 + np.exp(-(-2.0 + 1.0 * x**2)))).astype(int)
    frame = pd.DataFrame({"treated": treated, "x": x,
                          "y": 5 * x + 2 * treated + rng.normal(0, 1, n)})  # fmt: skip
    result = aipw_estimate(frame, "y", ["x"])
    assert result.ci_low < 2.0 < result.ci_high


def test_person_clusters_sum_influence() -> None:
    # The same people twice: clustering by person must widen the SE by √2 (each person's two
    # identical rows count once, not as two independent units).
    once = selected_sample(n=1500)
    twice = pd.concat([once, once], ignore_index=True)
    twice["person"] = list(range(len(once))) * 2
    plain = aipw_estimate(twice, "score", ["prior", "disadvantaged"])
    clustered = aipw_estimate(twice, "score", ["prior", "disadvantaged"], person="person")
    assert clustered.effect == pytest.approx(plain.effect)
    assert clustered.se == pytest.approx(plain.se * math.sqrt(2), rel=1e-9)


def test_difference_in_differences_removes_a_fixed_gap() -> None:
    # Participants earn 300 less before and after for reasons no covariate holds; the program
    # adds 100: levels mislead, changes do not.
    rng = np.random.default_rng(6)
    n = 4000
    treated = (rng.random(n) < 0.3).astype(int)
    age = rng.integers(25, 60, n)
    level = 1000 - 300 * treated + 5 * age + rng.normal(0, 50, n)
    frame = pd.DataFrame({"treated": treated, "age": age, "before": level + rng.normal(0, 20, n),
                          "after": level + 100 * treated + rng.normal(0, 20, n)})  # fmt: skip
    result = aipw_difference_in_differences(frame, "before", "after", ["age"])
    assert result.ci_low < 100 < result.ci_high
    assert "difference-in-differences" in result.design
    assert aipw_estimate(frame, "after", ["age"]).effect < 0  # the level comparison's wrong sign
