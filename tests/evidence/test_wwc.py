"""The WWC statistics against the published vectors and hand calculations (methods §1, §6)."""

from __future__ import annotations

import math

import pytest

from backbone.evidence import wwc
from backbone.evidence.wwc import Equivalence


def test_hedges_g_applies_omega_to_the_whole_ratio() -> None:
    # Means 6 and 5, both SDs 1, N = 6: ω = 1 − 3/(24 − 9) = 0.8, g = 0.8 · 1/1 (baselinr).
    assert wwc.omega(6) == pytest.approx(0.8)
    assert wwc.hedges_g([5, 6, 7], [4, 5, 6]) == pytest.approx(0.8)


def test_hedges_g_pools_unequal_groups_by_degrees_of_freedom() -> None:
    # t: mean 4, var 10/4 = 2.5 (n 5); c: mean 2, var 1 (n 3). S² = (4·2.5 + 2·1)/6 = 2.
    # ω = 1 − 3/(32 − 9) = 20/23; g = 20/23 · 2/√2.
    expected = 20 / 23 * 2 / math.sqrt(2)
    assert wwc.hedges_g([2, 3, 4, 5, 6], [1, 2, 3]) == pytest.approx(expected)


def test_hedges_g_needs_spread() -> None:
    with pytest.raises(ValueError, match="no spread"):
        wwc.hedges_g([1, 1], [1, 1])


@pytest.mark.parametrize(("g", "index"), [(0.25, 9.87), (0.05, 1.99), (0.0, 0.0), (-0.25, -9.87)])
def test_improvement_index_published_check_values(g: float, index: float) -> None:
    assert round(wwc.improvement_index(g), 2) == index


def test_cox_index_with_and_without_omega() -> None:
    # ln(2) − ln(1/2) = 2 ln 2 = 1.386294; / 1.65 = 0.840178 (baselinr); × ω(6) = 0.672142 (imt)
    assert wwc.cox_index(2 / 3, 1 / 3) == pytest.approx(0.840178, abs=1e-6)
    assert wwc.cox_index(2 / 3, 1 / 3, n_total=6) == pytest.approx(0.672142, abs=1e-6)


@pytest.mark.parametrize("shares", [(0.0, 0.5), (0.5, 1.0)])
def test_cox_index_is_undefined_at_zero_or_one(shares: tuple[float, float]) -> None:
    with pytest.raises(ValueError, match="undefined"):
        wwc.cox_index(*shares)


@pytest.mark.parametrize(
    ("es", "verdict"),
    [
        (0.0, Equivalence.SATISFIED), (0.05, Equivalence.SATISFIED),
        (-0.05, Equivalence.SATISFIED), (0.0501, Equivalence.ADJUST),
        (0.25, Equivalence.ADJUST), (-0.25, Equivalence.ADJUST),
        (0.2501, Equivalence.NOT_SATISFIED), (-1.0, Equivalence.NOT_SATISFIED),
    ],
)  # fmt: skip
def test_baseline_equivalence_boundaries(es: float, verdict: Equivalence) -> None:
    assert wwc.equivalence(es) is verdict


def test_overall_equivalence_is_the_worst_characteristic() -> None:
    verdicts = [Equivalence.SATISFIED, Equivalence.ADJUST, Equivalence.SATISFIED]
    assert wwc.overall_equivalence(verdicts) is Equivalence.ADJUST
    assert wwc.overall_equivalence([]) is Equivalence.SATISFIED


@pytest.mark.parametrize(
    ("overall", "cautious", "optimistic"),
    [
        (0, 5.7, 10.0), (10, 6.3, 10.9), (22, 5.2, 9.7), (23, 5.1, 9.5), (30, 4.1, 8.2),
        (44, 2.0, 5.1), (45, 1.8, 4.9), (57, 0.0, 2.1), (58, None, 1.9), (65, None, 0.3),
        (66, None, None), (9.5, 6.3, 10.9), (9.49, 6.3, 10.9), (22.5, 5.1, 9.5),
    ],
)  # fmt: skip
def test_attrition_boundary_rows(
    overall: float, cautious: float | None, optimistic: float | None
) -> None:
    assert wwc.attrition_boundary(overall, "cautious") == cautious
    assert wwc.attrition_boundary(overall, "optimistic") == optimistic


def test_attrition_verdict_from_counts() -> None:
    # 1000 assigned per group; 721 and 679 analysed: overall 30%, 27.9% vs 32.1%, 4.2 points.
    result = wwc.attrition(1000, 721, 1000, 679)
    assert result.overall == pytest.approx(30.0)
    assert result.differential == pytest.approx(4.2)
    assert (result.boundary, result.low) == (4.1, False)
    assert wwc.attrition(1000, 721, 1000, 679, "optimistic").low is True
    # 720 and 680: 4.0 points, inside the cautious 4.1.
    assert wwc.attrition(1000, 720, 1000, 680).low is True


def test_attrition_rejects_an_unknown_assumption() -> None:
    with pytest.raises(ValueError, match="cautious"):
        wwc.attrition(10, 9, 10, 9, "hopeful")


def test_cluster_correction_hand_values() -> None:
    # g 0.5, 50 + 50 students in 10 clusters, ρ 0.2 (by hand):
    # t = 0.5/√(0.04 + 0.00125) = 2.461830; n̄ = 10; a = 98 − 3.6 = 94.4
    # t_c = t·√(94.4/(98·2.8)) = 1.44395; df = 94.4²/(62.72 + 32 + 25.6) = 74.0638
    result = wwc.cluster_corrected(0.5, 50, 50, clusters=10)
    assert result.t == pytest.approx(2.461830, abs=1e-6)
    assert result.t_corrected == pytest.approx(1.44395, abs=1e-5)
    assert result.df == pytest.approx(74.0638, abs=1e-4)
    # Two-sided normal p at 1.444 is 0.1488; a t with 74 df has slightly fatter tails.
    assert 0.1488 < result.p < 0.16


def test_quest_year_7_earnings_the_improvement_index_way() -> None:
    # WWC's QUEST review: $33,496 vs $28,006, improvement index 8 (methods §1.5, §6.2).
    quest = wwc.earnings_comparison(33_496, 28_006)
    assert quest.impact == 5_490
    assert quest.percent == pytest.approx(19.603, abs=1e-3)  # 5,490 / 28,006
    assert quest.g is None
    # Index 8 means Φ(g) = 0.58: g between 0.20 and 0.21 (Φ(0.20) = 0.5793, Φ(0.21) = 0.5832).
    implied = wwc.g_from_improvement_index(8)
    assert 0.20 < implied < 0.21
    # So the pooled SD of year-7 earnings was about 5,490 / 0.2019 ≈ $27,190; with it, g and the
    # index come back to WWC's published 8.
    with_sd = wwc.earnings_comparison(33_496, 28_006, pooled_sd_dollars=27_190)
    assert with_sd.g == pytest.approx(0.2019, abs=1e-4)
    assert with_sd.improvement_index is not None and round(with_sd.improvement_index) == 8
