"""Workforce outcomes from UI wage records: earnings and employment in windows of quarters
before and after a date (methods §6.2).

Quarters are numbered ``year * 4 + quarter - 1`` so windows are plain integer ranges. People
with no wage row in a quarter earned $0 and were not employed in it (UI coverage caveats in
docs/evidence.md).

>>> quarter_number(2024, 1) - quarter_number(2023, 4)
1
"""

from __future__ import annotations

import pandas as pd


def quarter_number(year: int, quarter: int) -> int:
    """Consecutive quarters get consecutive numbers."""
    return year * 4 + quarter - 1


def quarterly_earnings(wages: pd.DataFrame) -> pd.DataFrame:
    """One row per person and quarter with wages summed over employers.

    Args:
        wages: ``person``, ``year``, ``quarter``, ``wages`` (one row per employer).
    """
    numbered = wages.assign(q=wages["year"].astype(int) * 4 + wages["quarter"].astype(int) - 1)
    return numbered.groupby(["person", "q"], as_index=False)["wages"].sum()


def window_outcomes(
    earnings: pd.DataFrame, units: pd.DataFrame, first: str, last: str, prefix: str
) -> pd.DataFrame:
    """``units`` with, for the quarters ``first``…``last`` (inclusive, per-row columns):
    ``<prefix>_earnings`` (total, zeros included), ``<prefix>_employed`` (share of quarters
    with wages) and ``<prefix>_per_quarter_employed`` (mean wages in employed quarters; NaN
    when none).

    >>> e = pd.DataFrame({"person": ["a", "a"], "q": [10, 12], "wages": [100.0, 300.0]})
    >>> u = pd.DataFrame({"person": ["a"], "from": [10], "to": [13]})
    >>> window_outcomes(e, u, "from", "to", "post").iloc[0, 3:].tolist()
    [400.0, 0.5, 200.0]
    """
    spans = units.reset_index(names="_unit")[["_unit", "person", first, last]]
    rows = spans.merge(earnings, on="person")
    rows = rows[(rows["q"] >= rows[first]) & (rows["q"] <= rows[last])]
    sums = rows.groupby("_unit")["wages"].agg(["sum", "count"])
    length = (units[last] - units[first] + 1).astype(float)
    total = sums["sum"].reindex(units.index, fill_value=0.0)
    count = sums["count"].reindex(units.index, fill_value=0)
    return units.assign(**{
        f"{prefix}_earnings": total.astype(float),
        f"{prefix}_employed": count / length,
        f"{prefix}_per_quarter_employed": (total / count.where(count > 0)).astype(float),
    })  # fmt: skip


def employed_in(
    earnings: pd.DataFrame, units: pd.DataFrame, quarter: str, name: str
) -> pd.DataFrame:
    """``units`` with ``name``: 1 when the person had wages in the quarter numbered in column
    ``quarter`` (the WIOA measure: employed in the 2nd or 4th quarter after exit), else 0."""
    paid = set(zip(earnings["person"], earnings["q"], strict=True))
    flags = [int((p, q) in paid) for p, q in zip(units["person"], units[quarter], strict=True)]
    return units.assign(**{name: flags})


def above_threshold(units: pd.DataFrame, earnings_column: str, dollars: float) -> pd.Series:
    """1 when the window's earnings reach ``dollars`` (e.g. $45,000 a year, as WorkAdvance)."""
    return (units[earnings_column] >= dollars).astype(int)
