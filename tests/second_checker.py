"""A second disclosure checker, written apart from ``backbone.disclosure`` and sharing no code
with it: what an outsider holding a published scorecard export could work out.

It reads ``data/results.csv`` with the csv module and, for each indicator and period, sets up
what the export states as linear constraints over every cell's numerator and denominator:

- a published number is fixed;
- a published whole-number percent p of a known-or-unknown denominator d bounds the numerator
  n: (p − 0.5)·d/100 ≤ n ≤ (p + 0.5)·d/100; ">=95%" gives n ≥ 0.95·d, "<=5%" n ≤ 0.05·d;
- 0 ≤ n ≤ d for every cell;
- the groups of each additive dimension add up to the overall row, for numerators and
  denominators. Which dimensions are additive comes from the true figures (an outsider knows
  that race categories partition the students), not from anything the publisher declares.

A withheld quantity — a denominator, a numerator, or the complement d − n — is recoverable
when linear programming gives it one possible whole number. Integer reasoning could pin a few
more (bounds between two integers); the LP relaxation is what an outsider gets with a
spreadsheet solver, and rounding its bounds inward covers the integer case.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import linprog

Key = tuple[str, str, str, str]  # indicator, period, dimension, group
OVERALL = "overall"


@dataclass(frozen=True)
class Truth:
    numerator: int
    denominator: int


@dataclass(frozen=True)
class Finding:
    cell: Key
    quantity: str  # "denominator", "numerator" or "complement"
    value: int
    threshold: int


def read_results(export: Path) -> list[dict[str, str]]:
    with (export / "data" / "results.csv").open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def additive_dimensions(truth: Mapping[Key, Truth]) -> set[tuple[str, str, str]]:
    """(indicator, period, dimension) whose true groups add up to the true overall row."""
    totals: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for (indicator, period, dimension, _), cell in truth.items():
        if dimension != OVERALL:
            total = totals[(indicator, period, dimension)]
            total[0] += cell.numerator
            total[1] += cell.denominator
    additive = set()
    for (indicator, period, dimension), (numerator, denominator) in totals.items():
        overall = truth.get((indicator, period, OVERALL, "all"))
        if overall and (overall.numerator, overall.denominator) == (numerator, denominator):
            additive.add((indicator, period, dimension))
    return additive


def recoverable(
    rows: Iterable[dict[str, str]], truth: Mapping[Key, Truth], default_threshold: int = 10
) -> list[Finding]:
    """Every withheld quantity with 0 < true value < threshold that the export pins down."""
    blocks: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        blocks[(row["indicator"], row["period"])].append(row)
    additive = additive_dimensions(truth)
    findings: list[Finding] = []
    for (indicator, period), block in sorted(blocks.items()):
        dimensions = {d for i, p, d in additive if (i, p) == (indicator, period)}
        findings += _block_findings(block, dimensions, truth, default_threshold)
    return findings


def _key(row: Mapping[str, str]) -> Key:
    return (row["indicator"], row["period"], row["dimension"], row["group"])


class _Program:
    """Variables n_i, d_i per cell (2i, 2i + 1) and the constraints the export states."""

    def __init__(self, cells: list[dict[str, str]]):
        self.cells = cells
        self.size = 2 * len(cells)
        self.equal: list[tuple[np.ndarray, float]] = []
        self.upper: list[tuple[np.ndarray, float]] = []  # row · x ≤ bound

    def vector(self, terms: Mapping[int, float]) -> np.ndarray:
        row = np.zeros(self.size)
        for index, weight in terms.items():
            row[index] += weight
        return row

    def bounds_of(self, objective: np.ndarray) -> tuple[float, float] | None:
        a_eq = np.array([r for r, _ in self.equal]) if self.equal else None
        b_eq = np.array([b for _, b in self.equal]) if self.equal else None
        a_ub = np.array([r for r, _ in self.upper]) if self.upper else None
        b_ub = np.array([b for _, b in self.upper]) if self.upper else None
        ends = []
        for sign in (1, -1):
            result = linprog(
                sign * objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq,
                bounds=[(0, None)] * self.size, method="highs",
            )  # fmt: skip
            if result.status != 0:
                return None  # unbounded (or, for a broken export, infeasible): not pinned
            ends.append(sign * result.fun)
        return ends[0], ends[1]


def _number(text: str) -> float | None:
    text = text.strip().replace(",", "").replace("$", "").rstrip("%")
    try:
        return float(text)
    except ValueError:
        return None


def _constraints(program: _Program, dimensions: set[str]) -> None:
    index = {_key(row)[2:]: i for i, row in enumerate(program.cells)}
    for i, row in enumerate(program.cells):
        n, d = 2 * i, 2 * i + 1
        program.upper.append((program.vector({n: 1, d: -1}), 0))  # n ≤ d
        for column, variable in (("numerator", n), ("denominator", d)):
            value = _number(row[column])
            if value is not None:
                program.equal.append((program.vector({variable: 1}), value))
        _percent_constraints(program, row, n, d)
    overall = index.get((OVERALL, "all"))
    if overall is None:
        return
    for dimension in dimensions:
        parts = [i for (dim, _), i in index.items() if dim == dimension]
        for offset in (0, 1):  # numerators, then denominators
            terms = {2 * i + offset: 1.0 for i in parts}
            terms[2 * overall + offset] = terms.get(2 * overall + offset, 0) - 1
            program.equal.append((program.vector(terms), 0))


def _percent_constraints(program: _Program, row: Mapping[str, str], n: int, d: int) -> None:
    if row["unit"] != "percent":
        return
    shown = row["display"].strip()
    if shown.startswith(">="):
        low = _number(shown[2:])
        if low is not None:  # n ≥ low% · d
            program.upper.append((program.vector({n: -1, d: low / 100}), 0))
        return
    if shown.startswith("<="):
        high = _number(shown[2:])
        if high is not None:  # n ≤ high% · d
            program.upper.append((program.vector({n: 1, d: -high / 100}), 0))
        return
    text = row["value"] or shown
    percent = _number(text)
    if percent is None:
        return
    half = 0.5 / 10 ** _decimals(text)  # a rounded figure is within half its last digit
    program.upper.append((program.vector({n: 1, d: -(percent + half) / 100}), 0))
    program.upper.append((program.vector({n: -1, d: (percent - half) / 100}), 0))


def _decimals(text: str) -> int:
    digits = text.strip().rstrip("%")
    return len(digits.split(".")[1]) if "." in digits else 0


def _block_findings(
    cells: list[dict[str, str]], dimensions: set[str], truth: Mapping[Key, Truth], default: int
) -> list[Finding]:
    program = _Program(cells)
    _constraints(program, dimensions)
    findings = []
    for i, row in enumerate(cells):
        key = _key(row)
        true = truth.get(key)
        if true is None:
            continue
        threshold = int(row["threshold"] or default)
        quantities = {
            "denominator": ({2 * i + 1: 1.0}, true.denominator, row["denominator"]),
            "numerator": ({2 * i: 1.0}, true.numerator, row["numerator"]),
            "complement": (
                {2 * i + 1: 1.0, 2 * i: -1.0},
                true.denominator - true.numerator,
                row["numerator"] and row["denominator"],
            ),
        }
        for name, (terms, value, published) in quantities.items():
            if published or not 0 < value < threshold:
                continue  # published outright, or not a small count
            bounds = program.bounds_of(program.vector(terms))
            if bounds and math.ceil(bounds[0] - 1e-6) == math.floor(bounds[1] + 1e-6):
                findings.append(Finding(key, name, value, threshold))
    return findings
