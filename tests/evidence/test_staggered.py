"""Staggered adoption: a planted panel where effects grow with time since adoption and differ
by cohort, so two-way fixed effects is biased, and the group-time estimator recovers the truth."""

from __future__ import annotations

import pandas as pd
import pytest
import statsmodels.formula.api as smf

from backbone.evidence.staggered import group_time_effects, staggered_did
from tests.evidence.planted import TRUE_ATT, planted_panel


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return planted_panel()


def test_one_group_time_effect_is_the_two_by_two_difference_in_means(panel) -> None:
    # ATT(2021, 2023) by hand: the change from 2020 to 2023 in the 2021 cohort minus the same
    # change among the never treated.
    def change(rows: pd.DataFrame) -> float:
        means = rows.groupby("period")["y"].mean()
        return float(means[2023] - means[2020])

    hand = change(panel[panel["first"] == 2021]) - change(panel[panel["first"].isna()])
    cells = {(c.group, c.period): c for c in group_time_effects(panel, "y")}
    assert cells[2021, 2023].effect == pytest.approx(hand, abs=1e-12)
    assert (cells[2021, 2023].n_group, cells[2021, 2023].n_control) == (30, 30)


def test_not_yet_treated_controls_include_later_adopters(panel) -> None:
    def change(rows: pd.DataFrame) -> float:
        means = rows.groupby("period")["y"].mean()
        return float(means[2020] - means[2018])

    later = panel["first"].isna() | panel["first"].isin([2021, 2023])
    hand = change(panel[panel["first"] == 2019]) - change(panel[later])
    cells = {(c.group, c.period): c for c in group_time_effects(panel, "y", control="not_yet")}
    assert cells[2019, 2020].effect == pytest.approx(hand, abs=1e-12)
    assert cells[2019, 2020].n_control == 90
    # At 2022 the 2021 cohort is already treated: only 2023 adopters and the never treated.
    assert cells[2019, 2022].n_control == 60


@pytest.mark.parametrize("control", ["never", "not_yet"])
def test_recovers_the_planted_effect_where_two_way_fixed_effects_is_biased(panel, control):
    result = staggered_did(panel, "y", control=control, draws=199, seed=1)
    assert result.ci_low < TRUE_ATT < result.ci_high
    assert abs(result.effect - TRUE_ATT) < 0.5
    twfe = smf.ols("y ~ treated_now + C(unit) + C(period)", data=panel).fit()
    low, high = twfe.conf_int().loc["treated_now"]
    # TWFE's coefficient is far below the truth and its own interval misses it.
    assert TRUE_ATT - twfe.params["treated_now"] > 2.0
    assert not low < TRUE_ATT < high


def test_placebo_periods_before_adoption_are_near_zero(panel) -> None:
    before = [c for c in group_time_effects(panel, "y") if c.event_time < -1]
    assert len(before) == (2019 - 2017) + (2021 - 2017) + (2023 - 2017)
    assert all(abs(c.effect) < 1.5 for c in before)


def test_needs_a_treated_group_with_a_before_period() -> None:
    panel = pd.DataFrame({"unit": ["a", "a", "b", "b"], "period": [1, 2, 1, 2],
                          "first": [1, 1, None, None], "y": [1.0, 2.0, 1.0, 2.0]})  # fmt: skip
    with pytest.raises(ValueError, match="no group has a period at or after its adoption"):
        staggered_did(panel, "y", draws=9)


def test_refuses_two_rows_for_one_unit_and_period() -> None:
    panel = pd.DataFrame({"unit": ["a", "a"], "period": [1, 1], "first": [None, None],
                          "y": [1.0, 2.0]})  # fmt: skip
    with pytest.raises(ValueError, match="more than one row per unit and period"):
        staggered_did(panel, "y")
