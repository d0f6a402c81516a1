"""Caliper matching on the logit: backbone's ``caliper_pairs`` against a baseline written with
scikit-learn's ``NearestNeighbors`` (radius query within the caliper, then the same greedy pass).

Both match the same planted sample (a logit per unit, treated ~10%) and must return the same
pairs; timed best of three. Run ``python -m benchmarks evidence_matching``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table
from sklearn.neighbors import NearestNeighbors

from backbone.evidence.matching import caliper_pairs
from benchmarks.timing import best_of

SCALES = ((500, 5_000), (2_000, 20_000), (5_000, 50_000))


def planted(treated: int, comparison: int) -> tuple[pd.Series, pd.Series]:
    rng = np.random.default_rng(1)
    logit = np.concatenate([rng.normal(0.5, 1, treated), rng.normal(-0.5, 1, comparison)])
    flags = np.r_[np.ones(treated, int), np.zeros(comparison, int)]
    return pd.Series(logit), pd.Series(flags)


def baseline(logit: pd.Series, treated: pd.Series, seed: int = 0) -> list[tuple[int, int]]:
    """Radius neighbours within the caliper, sorted by distance; the first free one wins."""
    width = 0.2 * logit.std()
    rng = np.random.default_rng(seed)
    t = logit.index[treated == 1][rng.permutation(int(treated.sum()))]
    c = logit.index[treated == 0][rng.permutation(int((treated == 0).sum()))]
    tree = NearestNeighbors(radius=width).fit(logit[c].to_numpy().reshape(-1, 1))
    _, positions = tree.radius_neighbors(logit[t].to_numpy().reshape(-1, 1), sort_results=True)
    used: set[int] = set()
    pairs = []
    for label, found in zip(t, positions, strict=True):
        free = next((int(p) for p in found if p not in used), None)
        if free is not None:
            used.add(free)
            pairs.append((int(label), int(c[free])))
    return pairs


def main() -> None:
    table = Table(title="caliper matching on the logit (best of 3, seconds)")
    for column in ("treated", "comparison", "pairs", "baseline", "backbone", "ratio"):
        table.add_column(column, justify="right")
    for treated_n, comparison_n in SCALES:
        logit, treated = planted(treated_n, comparison_n)
        ours = caliper_pairs(logit, treated)
        assert list(zip(ours["treated"], ours["comparison"], strict=True)) == baseline(
            logit, treated
        ), "backbone and the baseline disagree"
        base = best_of(lambda: baseline(logit, treated), 3)  # noqa: B023
        mine = best_of(lambda: caliper_pairs(logit, treated), 3)  # noqa: B023
        table.add_row(str(treated_n), str(comparison_n), str(len(ours)), f"{base:.2f}",
                      f"{mine:.2f}", f"{mine / base:.2f}")  # fmt: skip
    Console().print(table)
