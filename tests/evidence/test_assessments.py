"""Pre/post assessments against hand calculations (the arithmetic is in the comments)."""

from __future__ import annotations

import math

import pytest

from backbone.evidence.assessments import difference_in_gains, pre_post
from tests.evidence.planted import ASSESSMENT_ROWS as ROWS


def test_growth_is_the_mean_change_among_the_reassessed_with_a_paired_t_interval():
    result = pre_post(ROWS, "A", "DESSA")
    assert (result.n_assessed, result.n_reassessed, result.attrition) == (4, 3, 0.25)
    growth = result.growth
    assert (growth.mean_before, growth.mean_after, growth.change) == (50.0, 56.0, 6.0)
    # gains' SD = 2, SE = 2/√3, t(2, 0.975) = 4.302653: 6 ± 4.968275
    assert (growth.ci_low, growth.ci_high) == pytest.approx((1.031725, 10.968275), abs=1e-6)
    # post variance 124, pre 100: pooled SD √112; ω = 1 − 3/(4·6 − 9) = 0.8
    assert result.effect_size == pytest.approx(0.8 * 6 / math.sqrt(112), abs=1e-12)
    assert "not an effect" in growth.label


def test_difference_in_gains_with_hc1_interval_and_wwc_difference_in_differences_g():
    result = difference_in_gains(ROWS, "A", "B", "DESSA")
    assert result.difference == pytest.approx(4.0)
    # HC0 variance: Σe²/n² per group = 8/9 + 2/9; HC1 × 6/(6 − 2): 15/9
    assert result.se == pytest.approx(math.sqrt(15 / 9), abs=1e-12)
    assert result.ci_low == pytest.approx(4 - 1.959964 * math.sqrt(15 / 9), abs=1e-5)
    # post: 56 vs 54, variances 124 and 121 → pooled √122.5; pre: 50 vs 52, pooled SD 10
    expected = 0.8 * 2 / math.sqrt(122.5) - 0.8 * (-2) / 10
    assert result.effect_size == pytest.approx(expected, abs=1e-12)  # 0.304562
    assert result.improvement_index == pytest.approx(11.96, abs=0.01)  # 100·Φ(0.3046) − 50
    assert (result.n_treated, result.n_comparison) == (3, 3)
    assert (result.attrition_treated, result.attrition_comparison) == (0.25, 0.0)


def test_an_instrument_the_program_never_gave_is_refused():
    with pytest.raises(ValueError, match="no 'STAR Reading' assessments for 'B'"):
        pre_post(ROWS, "B", "STAR Reading")


def test_needs_two_people_with_both_scores():
    with pytest.raises(ValueError, match="fewer than 2 people have both"):
        pre_post(ROWS, "A", "STAR Reading")
