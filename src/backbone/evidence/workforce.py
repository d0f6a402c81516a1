"""Workforce outcomes from UI wage records: earnings and employment in windows of quarters
before and after a date (methods §6.2).

Quarters are numbered ``year * 4 + quarter - 1`` so windows are plain integer ranges. People
with no wage row in a quarter earned $0 and were not employed in it (UI coverage caveats in
docs/evidence.md).

>>> quarter_number(2024, 1) - quarter_number(2023, 4)
1
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
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


# Windows anchored on each person's own entry and exit (methods §6.2). Quarter 1 is the exit
# quarter; "year k" is 4 quarters from quarter ``year_one[0] + 4(k - 1)``.
WIOA_QUARTERS = (2, 4)  # TEGL 10-16: the 2nd and 4th quarter after the exit quarter


@dataclass(frozen=True)
class QuarterGrid:
    """Earnings as a people × quarters array ($0 where no wages), with running totals so that
    any window's sum costs one subtraction; quarters outside ``first``…``last`` are unobserved."""

    people: pd.Index
    first: int
    wages: np.ndarray

    @property
    def last(self) -> int:
        return self.first + self.wages.shape[1] - 1

    def running(self) -> tuple[np.ndarray, np.ndarray]:
        """Running totals of wages and of employed quarters, with a leading 0 column."""
        zero = np.zeros((len(self.people), 1))
        return (np.hstack([zero, np.cumsum(self.wages, axis=1)]),
                np.hstack([zero, np.cumsum(self.wages > 0, axis=1)]))  # fmt: skip


def quarter_grid(earnings: pd.DataFrame, people: Iterable[str] = ()) -> QuarterGrid:
    """The grid of ``quarterly_earnings`` over the quarters it spans; ``people`` adds rows of
    zeros for people with no wages at all.

    >>> e = pd.DataFrame({"person": ["a", "b"], "q": [8, 10], "wages": [5.0, 7.0]})
    >>> g = quarter_grid(e, ["c"])
    >>> (g.first, g.last, g.wages.tolist())
    (8, 10, [[5.0, 0.0, 0.0], [0.0, 0.0, 7.0], [0.0, 0.0, 0.0]])
    """
    index = pd.Index(sorted(set(earnings["person"]) | set(people)))
    first, last = int(earnings["q"].min()), int(earnings["q"].max())
    wages = np.zeros((len(index), last - first + 1))
    wages[index.get_indexer(earnings["person"]), earnings["q"].to_numpy() - first] = earnings[
        "wages"
    ].to_numpy()
    return QuarterGrid(index, first, wages)


def deflated(grid: QuarterGrid, factors: Mapping[int, float], span: tuple[int, int]) -> QuarterGrid:
    """The grid with each quarter in ``span`` (first, last quarter numbers) multiplied by its
    year's factor (``cpi.factors``); quarters outside the span are left out as unobserved."""
    first, last = max(span[0], grid.first), min(span[1], grid.last)
    columns = range(first, last + 1)
    scale = np.array([factors[q // 4] for q in columns])
    wages = grid.wages[:, first - grid.first : last - grid.first + 1] * scale
    return QuarterGrid(grid.people, first, wages)


Running = tuple[QuarterGrid, np.ndarray, np.ndarray, np.ndarray]  # grid, rows, running totals


def _window(on: Running, start: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Totals and employed-quarter counts of each row's window; NaN where unobserved."""
    grid, rows, paid, worked = on
    seen = (start >= grid.first) & (start + length - 1 <= grid.last)
    a = np.clip(start - grid.first, 0, grid.wages.shape[1])
    b = np.clip(a + length, 0, grid.wages.shape[1])
    total = np.where(seen, paid[rows, b] - paid[rows, a], np.nan)
    count = np.where(seen, worked[rows, b] - worked[rows, a], np.nan)
    return total, count


def _window_columns(on: Running, start: np.ndarray, prefix: str) -> dict[str, np.ndarray]:
    total, count = _window(on, start, 4)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_quarter = np.where(count > 0, total / count, np.nan)
    return {f"{prefix}_earnings": total, f"{prefix}_employed": count / 4,
            f"{prefix}_per_quarter_employed": per_quarter}  # fmt: skip


def exit_outcomes(
    grid: QuarterGrid, units: pd.DataFrame, year_one: tuple[int, int] = (1, 4),
    years: Iterable[int] = (1, 2, 3, 4), threshold: float | None = None,
) -> pd.DataFrame:  # fmt: skip
    """``units`` (``person``, ``entry_q``, ``exit_q``: quarter numbers) with, for each window,
    ``<w>_earnings`` (zeros included), ``<w>_employed`` (share of its 4 quarters with wages)
    and ``<w>_per_quarter_employed``: ``early`` (quarters 8-5 before entry), ``pre`` (4-1
    before entry) and ``year<k>`` after exit; ``year<k>_reached`` (1 when the year's earnings
    reach ``threshold``) and ``employed_q2`` / ``employed_q4`` (WIOA). A window reaching
    outside the grid's quarters is NaN: unobserved, not $0.

    >>> e = pd.DataFrame({"person": ["a"] * 3, "q": [0, 5, 9], "wages": [10.0, 20.0, 40.0]})
    >>> u = pd.DataFrame({"person": ["a"], "entry_q": [4], "exit_q": [5]})
    >>> row = exit_outcomes(quarter_grid(e), u, (2, 5), years=[1]).iloc[0]
    >>> [float(row[c]) for c in ("pre_earnings", "year1_earnings", "employed_q4")]
    [10.0, 40.0, 1.0]
    """
    on = (grid, grid.people.get_indexer(units["person"]), *grid.running())
    entry, exit_q = units["entry_q"].to_numpy(), units["exit_q"].to_numpy()
    columns = {**_window_columns(on, entry - 8, "early"),
               **_window_columns(on, entry - 4, "pre")}  # fmt: skip
    for k in years:
        start = exit_q + year_one[0] - 1 + 4 * (k - 1)
        columns.update(_window_columns(on, start, f"year{k}"))
        if threshold is not None:
            total = columns[f"year{k}_earnings"]
            columns[f"year{k}_reached"] = np.where(np.isnan(total), np.nan, total >= threshold)
    for n in WIOA_QUARTERS:
        _, count = _window(on, exit_q + n, 1)
        columns[f"employed_q{n}"] = count
    return units.assign(**columns)
