"""Exit-anchored UI wage windows: backbone's ``workforce.exit_outcomes`` (one people × quarters
array with running sums) against a baseline written with the pandas merge of
``workforce.window_outcomes`` (each row's spans joined to the person's wage rows, then filtered
and summed). Both must give the same pre-period and year-2 earnings.

Rows are never-trained people × (entry, exit) anchors, as ``training_exit_cohorts`` builds them;
peak memory is measured with ``tracemalloc``. Run ``python -m benchmarks workforce_exit_windows``.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from backbone.evidence import workforce
from benchmarks.timing import best_of

SCALES = ((10_000, 10), (30_000, 20), (100_000, 40))  # people, anchors
BASELINE_ROWS = 1_000_000  # above this the merge needs several GB: not run on a shared machine
FIRST = 2018 * 4  # the first quarter of the records; 28 quarters


def planted(people: int, anchors: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Wages (about 70% of person-quarters paid) and the rows: every person at every anchor."""
    rng = np.random.default_rng(2)
    paid = rng.random((people, 28)) < 0.7
    person, quarter = np.nonzero(paid)
    earnings = pd.DataFrame({"person": person.astype(str), "q": quarter + FIRST,
                             "wages": rng.gamma(2.0, 3000.0, len(person)).round(2)})  # fmt: skip
    entry = FIRST + 8 + np.arange(anchors) % 8
    pairs = pd.DataFrame({"entry_q": entry, "exit_q": entry + 1 + np.arange(anchors) // 8 % 3})
    rows = pairs.merge(pd.DataFrame({"person": np.arange(people).astype(str)}), how="cross")
    return earnings, rows


def ours(earnings: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    return workforce.exit_outcomes(workforce.quarter_grid(earnings), rows, years=[2])


def baseline(earnings: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    spans = rows.assign(pre_first=rows["entry_q"] - 4, pre_last=rows["entry_q"] - 1,
                        y2_first=rows["exit_q"] + 4, y2_last=rows["exit_q"] + 7)  # fmt: skip
    pre = workforce.window_outcomes(earnings, spans, "pre_first", "pre_last", "pre")
    return workforce.window_outcomes(earnings, pre, "y2_first", "y2_last", "year2")


def peak_mb(function: Callable[[], object]) -> float:
    tracemalloc.start()
    function()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    table = Table(title="exit-anchored windows (best of 3, seconds; peak MB by tracemalloc)")
    for column in ("people", "anchors", "rows", "base s", "ours s", "ratio", "base MB",
                   "ours MB"):  # fmt: skip
        table.add_column(column, justify="right")
    for people, anchors in SCALES:
        earnings, rows = planted(people, anchors)
        mine = best_of(lambda: ours(earnings, rows), 3)  # noqa: B023
        mine_mb = peak_mb(lambda: ours(earnings, rows))  # noqa: B023
        base = base_mb = float("nan")
        if len(rows) <= BASELINE_ROWS:
            got, want = ours(earnings, rows), baseline(earnings, rows)
            for column in ("pre_earnings", "year2_earnings"):
                assert np.allclose(got[column], want[column]), f"{column}: backbone and baseline"
            base = best_of(lambda: baseline(earnings, rows), 3)  # noqa: B023
            base_mb = peak_mb(lambda: baseline(earnings, rows))  # noqa: B023
        table.add_row(f"{people:,}", str(anchors), f"{len(rows):,}", f"{base:.2f}",
                      f"{mine:.2f}", f"{mine / base:.2f}", f"{base_mb:,.0f}",
                      f"{mine_mb:,.0f}")  # fmt: skip
    Console().print(table)


if __name__ == "__main__":
    main()
