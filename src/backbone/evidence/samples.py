"""Analytic samples: a pool of units who could have been served, flagged by participation.

A study names its program by the participation string partners send
(``program_participation.program``), its pool (one row per unit: a student-year, a person) and
the pool's rule for who counts as comparable. These functions are pure pandas, so the same
sample can be built from warehouse tables (through an ``Engine``) or from raw files.

>>> import pandas as pd
>>> pool = pd.DataFrame({"person": ["a", "b", "c"], "period": [2024, 2024, 2024],
...                      "school": ["x", "x", "y"]})
>>> served = pd.DataFrame({"person": ["a"], "period": [2024], "program": ["Tutoring"],
...                        "hours": [30.0]})
>>> flagged = participation_flags(pool, served, "Tutoring")
>>> flagged[["person", "treated", "dose"]].values.tolist()
[['a', 1, 30.0], ['b', 0, 0.0], ['c', 0, 0.0]]
>>> served_pool(flagged, "school")["person"].tolist()
['a', 'b']
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from backbone.evidence.matching import TREATED


def participation_flags(
    pool: pd.DataFrame, participation: pd.DataFrame, program: str,
    keys: Sequence[str] = ("person", "period"), dose: str = "hours",
) -> pd.DataFrame:  # fmt: skip
    """The pool with ``treated`` (1 when the unit took part in ``program``) and ``dose`` (the
    unit's summed ``dose`` column, 0 for non-participants).

    Args:
        pool: one row per unit, identified by ``keys``.
        participation: rows of ``keys`` + ``program`` + ``dose``; several rows per unit add up.
        program: the participation string that names the program.
    """
    rows = participation[participation["program"] == program]
    totals = rows.groupby(list(keys), as_index=False)[dose].sum().rename(columns={dose: "dose"})
    merged = pool.merge(totals, on=list(keys), how="left", validate="one_to_one")
    merged[TREATED] = merged["dose"].notna().astype(int)
    merged["dose"] = merged["dose"].fillna(0.0).astype(float)
    return merged


def served_pool(frame: pd.DataFrame, by: str | Sequence[str]) -> pd.DataFrame:
    """The comparison pool rule "where the program is offered": keep only units whose ``by``
    group (a school, a school and grade) has at least one participant."""
    columns = [by] if isinstance(by, str) else list(by)
    offered = frame.groupby(columns)[TREATED].transform("max") > 0
    return frame[offered].reset_index(drop=True)
