"""Dollars of a stated year: wages deflated by the CPI-U annual average of the year they were
paid (methods §6.2: "store the CPI base year with every dollar figure").

The package ships BLS series CUUR0000SA0 (``data/cpi_u.csv``); a partnership that needs a year
it lacks points ``BACKBONE_CPI_FILE`` at its own CSV of ``year,cpi`` rows.

>>> table = {2023: 304.702, 2024: 313.689}
>>> round(factors([2023], 2024, table)[2023], 5)
1.02949
>>> dollars_label(2024), dollars_label(None)
('dollars of 2024 (CPI-U annual average)', 'not adjusted for inflation')
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

SHIPPED = Path(__file__).with_name("data") / "cpi_u.csv"
SETTING = "BACKBONE_CPI_FILE"


class CpiError(ValueError):
    """A wage year or base year the CPI table does not have."""


def load(path: Path | None = None) -> dict[int, float]:
    """``year -> CPI`` from a CSV with ``year,cpi`` columns (lines starting ``#`` skipped)."""
    source = path or SHIPPED
    with source.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {int(row["year"]): float(row["cpi"]) for row in rows}


def factors(years: Iterable[int], base_year: int, table: dict[int, float]) -> dict[int, float]:
    """For each year, what a dollar paid then is worth in ``base_year`` dollars
    (CPI[base] / CPI[year]); ``CpiError`` names every year the table lacks."""
    wanted = sorted({*years, base_year})
    missing = [year for year in wanted if year not in table]
    if missing:
        raise CpiError(
            f"no CPI-U annual average for {', '.join(map(str, missing))}: add the year to a "
            f"copy of {SHIPPED.name} and point {SETTING} at it (docs/evidence.md)"
        )
    return {year: table[base_year] / table[year] for year in wanted}


def dollars_label(base_year: int | None) -> str:
    """How a study's dollars are stated on its page and in its run's notes."""
    if base_year is None:
        return "not adjusted for inflation"
    return f"dollars of {base_year} (CPI-U annual average)"
