"""The balance table against hand calculations."""

from __future__ import annotations

import pandas as pd
import pytest

from backbone.evidence.balance import balance_table
from backbone.evidence.wwc import Equivalence

FRAME = pd.DataFrame({
    "treated": [1, 1, 1, 0, 0, 0, 0],
    "prior": [2.0, 4.0, 6.0, 1.0, 2.0, 3.0, 2.0],
    "flag": [1, 1, 0, 1, 0, 0, 0],
})  # fmt: skip


def test_continuous_covariate_by_hand() -> None:
    # t: mean 4, variance 4 (n 3); c: mean 2, variance 2/3 (n 4).
    # SMD = 2 / √((4 + 2/3)/2) = 1.309307; variance ratio 6;
    # WWC g = ω · 2 / √((2·4 + 3·2/3)/5) with ω = 1 − 3/19: 16/19 · 2/√2 = 1.190917.
    row = balance_table(FRAME, ["prior"]).rows[0]
    assert (row.mean_treated, row.mean_comparison) == (4.0, 2.0)
    assert row.smd == pytest.approx(1.309307, abs=1e-6)
    assert row.variance_ratio == pytest.approx(6.0)
    assert row.wwc_effect_size == pytest.approx(1.190917, abs=1e-6)
    assert (row.wwc_measure, row.verdict) == ("Hedges' g", Equivalence.NOT_SATISFIED)


def test_binary_covariate_uses_the_cox_index() -> None:
    # p_t = 2/3, p_c = 1/4: Cox = (ln 2 − ln 1/3) / 1.65 = 1.085915; no variance ratio.
    # SMD with the groups' sample variances 1/3 and 1/4: (5/12) / √(7/24) = 0.771517.
    row = balance_table(FRAME, ["flag"]).rows[0]
    assert row.wwc_effect_size == pytest.approx(1.085915, abs=1e-6)
    assert row.smd == pytest.approx(0.771517, abs=1e-6)
    assert (row.wwc_measure, row.variance_ratio) == ("Cox index", None)


def test_units_with_zero_weight_are_outside_the_analytic_sample() -> None:
    # Dropping the comparison units with prior 1 and 3 leaves c = {2, 2}: means equal, g 0.
    weights = pd.Series([1, 1, 1, 0, 1, 0, 1], dtype=float)
    table = balance_table(FRAME.assign(prior=[2.0, 2.0, 2.0, 1.0, 2.0, 3.0, 2.0]), ["prior"],
                          weights)  # fmt: skip
    assert (table.n_treated, table.n_comparison) == (3, 2)
    assert table.rows[0].wwc_effect_size == 0.0
    assert table.verdict is Equivalence.SATISFIED


def test_a_level_only_one_group_has_is_not_equivalent() -> None:
    frame = pd.DataFrame({"treated": [1, 1, 0, 0], "school": ["a", "b", "a", "a"]})
    (row,) = balance_table(frame, ["school"]).rows  # the dummy school=b
    assert row.wwc_effect_size is None
    assert row.verdict is Equivalence.NOT_SATISFIED
