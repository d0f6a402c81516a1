"""Windows anchored on each participant's own exit, and dollars of a stated year, on planted
wages whose figures are worked out by hand in each test.

Person ``a`` entered training in 2021Q4 and exited in 2022Q1 (quarter 1). Their wages:

    2019Q4   500   early (8-5 quarters before entry: 2019Q4-2020Q3)
    2020Q4  1000   pre (4-1 quarters before entry: 2020Q4-2021Q3)
    2021Q2  2000   pre
    2022Q1  3000   Q1 (the exit quarter)
    2022Q2  4000   Q2
    2022Q4  5000   Q4
    2023Q1  6000   Q5
    2023Q3  7000   Q7
    2024Q1  8000   Q9 (the last quarter of the UI records)

Person ``z`` took part too and has no UI wages at all: $0 in every window, not missing.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from backbone.evidence import cpi, workforce


def q(year: int, quarter: int) -> int:
    return year * 4 + quarter - 1


WAGES = pd.DataFrame({
    "person": ["a"] * 9,
    "year": [2019, 2020, 2021, 2022, 2022, 2022, 2023, 2023, 2024],
    "quarter": [4, 4, 2, 1, 2, 4, 1, 3, 1],
    "wages": [500.0, 1000.0, 2000.0, 3000.0, 4000.0, 5000.0, 6000.0, 7000.0, 8000.0],
})  # fmt: skip
UNITS = pd.DataFrame({"person": ["a", "z"], "entry_q": [q(2021, 4)] * 2,
                      "exit_q": [q(2022, 1)] * 2})  # fmt: skip
# BLS CPI-U annual averages (CUUR0000SA0), as published.
PUBLISHED = {2019: 255.657, 2020: 258.811, 2021: 270.970, 2022: 292.655, 2023: 304.702,
             2024: 313.689}  # fmt: skip


@pytest.fixture
def grid() -> workforce.QuarterGrid:
    return workforce.quarter_grid(workforce.quarterly_earnings(WAGES), ["z"])


def test_baseline_windows_are_the_eight_quarters_before_entry(grid):
    a, z = workforce.exit_outcomes(grid, UNITS, years=[]).to_dict("records")
    assert (a["early_earnings"], a["early_employed"]) == (500.0, 0.25)
    assert (a["pre_earnings"], a["pre_employed"], a["pre_per_quarter_employed"]) == (
        3000.0, 0.5, 1500.0,
    )  # fmt: skip
    assert (z["pre_earnings"], z["pre_employed"]) == (0.0, 0.0)
    assert math.isnan(z["pre_per_quarter_employed"])  # no employed quarter: no per-quarter wage


def test_year_one_starting_with_the_exit_quarter(grid):
    a, z = workforce.exit_outcomes(grid, UNITS, (1, 4), years=[1, 2]).to_dict("records")
    # Year 1 = 2022Q1-Q4 = 3000 + 4000 + 5000; year 2 = 2023Q1-Q4 = 6000 + 7000, across the
    # turn of the year from the exit quarter.
    assert (a["year1_earnings"], a["year1_employed"]) == (12000.0, 0.75)
    assert (a["year2_earnings"], a["year2_employed"], a["year2_per_quarter_employed"]) == (
        13000.0, 0.5, 6500.0,
    )  # fmt: skip
    assert (z["year1_earnings"], z["year2_earnings"], z["year2_employed"]) == (0.0, 0.0, 0.0)


def test_year_one_starting_the_quarter_after_exit(grid):
    a = workforce.exit_outcomes(grid, UNITS, (2, 5), years=[1, 2]).iloc[0]
    # Year 1 = 2022Q2-2023Q1 = 4000 + 5000 + 6000; year 2 = 2023Q2-2024Q1 = 7000 + 8000.
    assert (a["year1_earnings"], a["year2_earnings"]) == (15000.0, 15000.0)


def test_a_window_past_the_last_ui_quarter_is_unobserved_not_zero(grid):
    a, z = workforce.exit_outcomes(grid, UNITS, (1, 4), years=[3]).to_dict("records")
    # Year 3 = 2024Q1-Q4, and the records end in 2024Q1.
    assert math.isnan(a["year3_earnings"]) and math.isnan(z["year3_earnings"])


def test_employed_in_the_second_and_fourth_quarter_after_the_exit_quarter(grid):
    a, z = workforce.exit_outcomes(grid, UNITS, years=[]).to_dict("records")
    # WIOA: 2nd quarter after 2022Q1 = 2022Q3 (no wages); 4th = 2023Q1 (6000).
    assert (a["employed_q2"], a["employed_q4"]) == (0.0, 1.0)
    assert (z["employed_q2"], z["employed_q4"]) == (0.0, 0.0)


@pytest.mark.parametrize(("threshold", "reached"), [(13000.0, 1.0), (13000.01, 0.0)])
def test_the_threshold_counts_earnings_exactly_at_it(grid, threshold, reached):
    a, z = workforce.exit_outcomes(grid, UNITS, years=[2], threshold=threshold).to_dict("records")
    assert (a["year2_reached"], z["year2_reached"]) == (reached, 0.0)


def test_the_shipped_cpi_table_is_the_published_one():
    table = cpi.load()
    assert {year: table[year] for year in PUBLISHED} == PUBLISHED


def test_wages_of_two_years_in_dollars_of_2024(grid):
    factors = cpi.factors(range(2019, 2025), 2024, PUBLISHED)
    real = workforce.deflated(grid, factors, (grid.first, grid.last))
    a = workforce.exit_outcomes(real, UNITS, (2, 5), years=[2]).iloc[0]
    # Year 2 = 7000 paid in 2023 and 8000 paid in 2024, each times CPI(2024) / CPI(its year).
    assert a["year2_earnings"] == pytest.approx(7000 * 313.689 / 304.702 + 8000)
    assert a["pre_earnings"] == pytest.approx(1000 * 313.689 / 258.811 + 2000 * 313.689 / 270.970)


def test_a_year_missing_from_the_cpi_table_is_named():
    with pytest.raises(cpi.CpiError, match=r"for 2025: add the year .* BACKBONE_CPI_FILE"):
        cpi.factors([2024, 2025], 2024, PUBLISHED)
    with pytest.raises(cpi.CpiError, match=r"for 2009\b"):
        cpi.factors([2024], 2009, cpi.load())


def test_a_partnerships_own_cpi_file(tmp_path):
    path = tmp_path / "cpi.csv"
    path.write_text("# our own\nyear,cpi\n2024,313.689\n2025,322.0\n")
    assert cpi.factors([2025], 2024, cpi.load(path)) == {2024: 1.0, 2025: 313.689 / 322.0}


def test_dollars_are_labelled_with_their_year():
    assert cpi.dollars_label(2024) == "dollars of 2024 (CPI-U annual average)"
    assert cpi.dollars_label(None) == "not adjusted for inflation"
