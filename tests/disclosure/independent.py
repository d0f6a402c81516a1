"""An independent check of what a reader can recover, by linear programming (scipy's HiGHS).

Deliberately shares no code with backbone.disclosure.derivation or audit: the property test must
not grade the module with its own reasoning. For each withheld small figure it asks for the least
and greatest value consistent with everything published (partition sums, 0 <= N <= D, shown and
coded percents); if fewer than two whole numbers fit, the figure is recoverable.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from backbone.disclosure import Cell, Partition, PublishedCell

CODED = re.compile(r"^(>=|<=)(\d+(?:\.\d+)?)%$")
PERCENT_BAND = re.compile(r"percent only: n < (\d+)")
PRIMARY = re.compile(r"primary: n < (\d+)")


@dataclass(frozen=True)
class Recovered:
    key: str
    quantity: str  # "denominator" | "numerator" | "complement"
    true: int
    low: float
    high: float


def recoverable(
    cells: Sequence[Cell],
    partitions: Sequence[Partition],
    published: dict[str, PublishedCell],
    threshold: int,
) -> list[Recovered]:
    """Every withheld figure with 0 < x < threshold that fewer than two whole numbers fit."""
    index = {cell.key: i for i, cell in enumerate(cells)}
    n = len(cells)
    # Variables: D_0..D_{n-1}, then N_0..N_{n-1} (N unused for cells without a numerator).
    bounds = [denominator_bounds(published[cell.key]) for cell in cells]
    for cell in cells:
        out = published[cell.key]
        if cell.numerator is None:
            bounds.append((0, 0))
        elif out.numerator is not None:
            bounds.append((out.numerator, out.numerator))
        elif "small numerator" in out.rule:
            bounds.append((1, out.threshold - 1))
        else:
            bounds.append((0, None))
    equalities, inequalities = [], []
    for partition in partitions:
        members = [partition.total, *partition.parts]
        offsets = [0]
        if all(cells[index[k]].numerator is not None for k in members):
            offsets.append(n)
        for offset in offsets:
            row = np.zeros(2 * n)  # an equality: sum == 0
            row[offset + index[partition.total]] = 1
            for key in partition.parts:
                row[offset + index[key]] -= 1
            equalities.append(row)
    for i, cell in enumerate(cells):
        if cell.numerator is None:
            continue
        inequalities.append(unit_row(n, {n + i: 1, i: -1}))  # N <= D
        out = published[cell.key]
        if "small complement" in out.rule:  # 1 <= D - N <= threshold - 1
            inequalities.append(unit_row(n, {n + i: 1, i: -1}, rhs=-1))
            inequalities.append(unit_row(n, {i: 1, n + i: -1}, rhs=out.threshold - 1))
        inequalities += percent_rows(n, i, published[cell.key])
    a_eq = np.array(equalities) if equalities else None
    b_eq = np.zeros(len(equalities)) if equalities else None
    a_ub = np.array([row[:-1] for row in inequalities]) if inequalities else None
    b_ub = np.array([row[-1] for row in inequalities]) if inequalities else None

    def extreme(objective: np.ndarray, sign: int) -> float:
        result = linprog(
            sign * objective,
            A_ub=a_ub,
            b_ub=b_ub,
            A_eq=a_eq,
            b_eq=b_eq,
            bounds=bounds,
            method="highs",
        )
        if result.status == 3:  # unbounded: only a maximum can be
            return math.inf
        assert result.status == 0, result.message
        return sign * result.fun

    found = []
    for i, cell in enumerate(cells):
        out = published[cell.key]
        for name, true, objective, withheld in quantities(n, i, cell, out):
            if not withheld or not 0 < true < threshold:
                continue
            # Safe when at least two whole numbers fit: true and true + 1, or true - 1 and true.
            high = extreme(objective, -1)
            if high >= true + 1 - 1e-7:
                continue
            low = extreme(objective, 1)
            if low > true - 1 + 1e-7:
                found.append(Recovered(cell.key, name, true, low, high))
    return found


def quantities(n: int, i: int, cell: Cell, out: PublishedCell):
    d_hidden = out.denominator is None
    yield "denominator", cell.denominator, unit_row(n, {i: 1})[:-1], d_hidden
    if cell.numerator is None:
        return
    n_hidden = out.numerator is None
    yield "numerator", cell.numerator, unit_row(n, {n + i: 1})[:-1], n_hidden
    if cell.unit != "rate":
        complement = cell.denominator - cell.numerator
        yield "complement", complement, unit_row(n, {i: 1, n + i: -1})[:-1], d_hidden or n_hidden


def unit_row(n: int, entries: dict[int, float], rhs: float = 0.0) -> np.ndarray:
    """A row over the 2n variables; the last column holds the inequality's right-hand side."""
    row = np.zeros(2 * n + 1)
    for position, value in entries.items():
        row[position] = value
    row[-1] = rhs
    return row


def denominator_bounds(out: PublishedCell) -> tuple[int, int | None]:
    """What the published figure and its rule tell a reader about the group's size."""
    if out.denominator is not None:
        return out.denominator, out.denominator
    primary = PRIMARY.search(out.rule)
    if primary:
        return 0, int(primary.group(1)) - 1
    band = PERCENT_BAND.search(out.rule)
    if band:
        return out.threshold, int(band.group(1)) - 1
    if "coded" in out.rule:
        return out.threshold, None
    return 0, None


def percent_rows(n: int, i: int, out: PublishedCell) -> list[np.ndarray]:
    """``low <= 100 N / D <= high`` as two rows ``... <= 0``, from what the reader sees."""
    coded = CODED.match(out.display)
    if coded:
        bound = float(coded.group(2))
        low, high = (bound, 100.0) if coded.group(1) == ">=" else (0.0, bound)
    elif out.numerator is None and out.value is not None and out.display.endswith("%"):
        low, high = max(out.value - 0.5, 0.0), min(out.value + 0.5, 100.0)
    else:
        return []
    return [unit_row(n, {i: low, n + i: -100}), unit_row(n, {n + i: 100, i: -high})]
