"""Analytic samples and UI wage windows against hand-built frames."""

from __future__ import annotations

import math

import pandas as pd

from backbone.evidence import samples, workforce


def test_participation_adds_up_a_units_rows_of_the_named_program_only() -> None:
    pool = pd.DataFrame({"person": ["a", "a", "b"], "period": [2024, 2025, 2024]})
    served = pd.DataFrame({
        "person": ["a", "a", "b"], "period": [2024, 2024, 2024],
        "program": ["Tutoring", "Tutoring", "Mentoring"], "hours": [10.0, 5.0, 40.0],
    })  # fmt: skip
    flagged = samples.participation_flags(pool, served, "Tutoring")
    assert flagged[["treated", "dose"]].values.tolist() == [[1, 15.0], [0, 0.0], [0, 0.0]]


def test_served_pool_keeps_groups_with_a_participant() -> None:
    frame = pd.DataFrame({"school": ["x", "x", "y", "z"], "grade": [3, 4, 3, 3],
                          "treated": [1, 0, 0, 1]})  # fmt: skip
    assert samples.served_pool(frame, "school")["school"].tolist() == ["x", "x", "z"]
    assert samples.served_pool(frame, ["school", "grade"])["grade"].tolist() == [3, 3]


def test_wage_windows_count_zeros_and_employers_together() -> None:
    wages = pd.DataFrame({
        "person": ["a", "a", "a", "b"], "year": [2024, 2024, 2024, 2023],
        "quarter": [1, 1, 3, 4], "wages": [1000.0, 500.0, 3000.0, 800.0],
    })  # fmt: skip
    earnings = workforce.quarterly_earnings(wages)
    # 2024 Q1 has two employers: 1,500 in one quarter.
    units = pd.DataFrame({"person": ["a", "b", "c"]})
    units["first"] = workforce.quarter_number(2024, 1)
    units["last"] = workforce.quarter_number(2024, 4)
    out = workforce.window_outcomes(earnings, units, "first", "last", "year")
    assert out["year_earnings"].tolist() == [4500.0, 0.0, 0.0]
    assert out["year_employed"].tolist() == [0.5, 0.0, 0.0]
    assert out["year_per_quarter_employed"].iloc[0] == 2250.0
    assert math.isnan(out["year_per_quarter_employed"].iloc[1])


def test_employment_in_a_given_quarter_after_exit_and_a_threshold() -> None:
    earnings = pd.DataFrame({"person": ["a", "b"], "q": [102, 104], "wages": [9000.0, 12000.0]})
    # Both left in quarter 100: the 2nd quarter after exit is 102, the 4th is 104.
    units = pd.DataFrame({"person": ["a", "b"], "exit": [100, 100]})
    units = units.assign(q2=units["exit"] + 2, q4=units["exit"] + 4)
    out = workforce.employed_in(earnings, units, "q2", "employed_q2")
    out = workforce.employed_in(earnings, out, "q4", "employed_q4")
    assert out[["employed_q2", "employed_q4"]].values.tolist() == [[1, 0], [0, 1]]
    yearly = pd.DataFrame({"year_earnings": [44_999.0, 45_000.0]})
    assert workforce.above_threshold(yearly, "year_earnings", 45_000).tolist() == [0, 1]
