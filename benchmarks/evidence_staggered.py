"""Staggered difference-in-differences: backbone's ``staggered_did`` (units × periods matrix,
bootstrap by count weights) against a baseline written with pandas groupby on the long panel
(each draw resamples units, relabels them and recomputes every ATT(g, t) from group means).

Both must give the same point estimate; each runs 99 bootstrap draws, timed best of three.
Run ``python -m benchmarks evidence_staggered``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from backbone.evidence.staggered import staggered_did
from benchmarks.timing import best_of

SCALES = ((200, 8), (2_000, 8), (20_000, 8))  # units, periods
DRAWS = 99


def planted(units: int, periods: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    first = rng.choice([3.0, 5.0, 7.0, np.nan], units)
    unit = np.repeat(np.arange(units), periods)
    period = np.tile(np.arange(1, periods + 1), units)
    adopted = np.repeat(first, periods)
    effect = np.where(period >= adopted, 1.0 + period - adopted, 0.0)
    y = np.repeat(rng.normal(0, 3, units), periods) + 0.5 * period + effect
    return pd.DataFrame({"unit": unit, "period": period, "first": adopted,
                         "y": y + rng.normal(0, 1, len(y))})  # fmt: skip


def baseline_effect(panel: pd.DataFrame) -> float:
    """ATT(g, t) for t ≥ g from cohort-by-period means, never-treated comparisons, averaged
    with weights ∝ cohort size."""
    means = panel.groupby([panel["first"].fillna(0), "period"])["y"].mean().unstack()
    sizes = panel.groupby(panel["first"].fillna(0))["unit"].nunique()
    effects, weights = [], []
    for g in [g for g in means.index if g > 0]:
        for t in [t for t in means.columns if t >= g]:
            change = means.loc[g, t] - means.loc[g, g - 1]
            effects.append(change - (means.loc[0, t] - means.loc[0, g - 1]))
            weights.append(sizes[g])
    return float(np.average(effects, weights=weights))


def baseline(panel: pd.DataFrame, draws: int = DRAWS, seed: int = 0) -> tuple[float, float]:
    """The panel is balanced and sorted by unit: a draw takes each chosen unit's block of rows."""
    rng = np.random.default_rng(seed)
    units, periods = panel["unit"].nunique(), panel["period"].nunique()
    replicates = []
    for _ in range(draws):
        chosen = rng.integers(0, units, units)
        rows = (chosen[:, None] * periods + np.arange(periods)).ravel()
        sample = panel.iloc[rows].assign(unit=np.repeat(np.arange(units), periods))
        replicates.append(baseline_effect(sample))
    return baseline_effect(panel), float(np.std(replicates, ddof=1))


def main() -> None:
    table = Table(title=f"staggered DiD with {DRAWS} bootstrap draws (best of 3, seconds)")
    for column in ("units", "periods", "ATT", "SE", "baseline", "backbone", "ratio"):
        table.add_column(column, justify="right")
    for units, periods in SCALES:
        panel = planted(units, periods)
        ours = staggered_did(panel, "y", draws=DRAWS)
        assert abs(ours.effect - baseline_effect(panel)) < 1e-9, "backbone and baseline disagree"
        base = best_of(lambda: baseline(panel), 3)  # noqa: B023
        mine = best_of(lambda: staggered_did(panel, "y", draws=DRAWS), 3)  # noqa: B023
        table.add_row(str(units), str(periods), f"{ours.effect:.3f}", f"{ours.se:.3f}",
                      f"{base:.2f}", f"{mine:.2f}", f"{mine / base:.2f}")  # fmt: skip
    Console().print(table)


if __name__ == "__main__":
    main()
