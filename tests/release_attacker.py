"""A release-wide attacker: what a reader of a whole published scorecard export can work out.

Written apart from ``backbone.disclosure`` and sharing no code with it (numpy, scipy, csv and
json only), so that it can check the publisher's disclosure control instead of repeating it.

It reads an export folder (``data/results.csv``, ``data/partitions.json``,
``data/dimensions.json``) and builds ONE integer program over the whole release, every quantity a
non-negative whole number. Per published row it has the group size D (``denominator``), the
numerator N and, for percent and count units, the complement C = D − N (a rate's numerator
counts events and has no complement; a median row has only D). A shown number is a constant.
What the reader knows, as linear constraints:

- a shown whole percent p means p − 0.5 ≤ 100·N/D < p + 0.5 (rounded half up); ``>=X%`` means
  100·N ≥ X·D and ``<=Y%`` means 100·N ≤ Y·D;
- the ``rule`` column, taken in the publisher's order: ``primary: n < X`` means D ≤ X − 1;
  otherwise D ≥ t (the row's ``threshold``). ``top coded``/``bottom coded`` say the percent was
  coded. ``small numerator`` means 1 ≤ N ≤ t − 1, ``small complement`` 1 ≤ C ≤ t − 1 and
  ``small count`` either of the two (an either-or, modelled with one binary variable and a
  big-M taken from the row's shown D, else the overall row's shown D, else a linear-programming
  bound); each of these also says the percent was not coded (bottom < 100·N/D < top, strictly).
  A rule list without any of these (``published``, ``complementary: ...``) says no primary rule
  applied: D ≥ t and, for a percent, not coded with N ≥ t and C ≥ t; for a count or rate N (and
  C) is 0 or at least t (another either-or). ``percent only: n < X`` bounds t ≤ D ≤ X − 1.
  Rows whose rule starts with ``period not complete`` carry nothing and are skipped. The coding
  cut-offs are read off the export's own ``>=X%``/``<=Y%`` cells (95 and 5 when there are none);
- every group lies inside its period's overall row: D, N and C of the group are at most those of
  the overall row;
- the declared partitions and, for each dimension ``dimensions.json`` marks additive, that
  dimension's groups add up to the period's overall row (D and N; C follows). A member that is
  not a published row (missing, or in an incomplete period) becomes an unknown of its own;
- indicators over the same people: two series (indicator A's D, N or C and indicator B's D, N
  or C, A ≠ B, matched on period, dimension and group) that agree on every key where both are
  shown, and on at least three keys, are taken to be equal on all their common keys. Where that
  makes a connected part of the release infeasible, the pairs that do are dropped there, one
  pair at a time, and a note says so.

The program is split into connected components (shown numbers are constants, so they do not
connect anything). For each withheld count that is small in truth (1 to t − 1) — a D, N or C,
and, for a group of a non-additive (overlapping) dimension, the people outside it (overall
minus group, for D, N and C) — it finds the whole numbers the count can take with
``scipy.optimize.milp`` (HiGHS, zero gap). Fewer than four possible values (``max − min + 1 <
4``) is a finding. A small count that is shown outright, directly or as a difference of shown
numbers, is a finding too (``kind == "published"``). Without the truth every withheld count is
examined and a finding is a range of fewer than four values that holds a small count.

Speed: each component keeps a pool of exactly checked whole-number solutions (the truth, when
it satisfies every constraint of the component, and every optimum found); a count that already
takes values at least three apart in the pool has at least four values and is not solved for.

Use: ``attack(folder, truth)`` gives the findings; ``run(folder, truth)`` a Report that also
holds notes (assumptions dropped, a truth that breaks a constraint, contradictory published
facts) and how many counts were examined. ``truth`` maps (indicator, period, dimension, group)
to (numerator or None, denominator).

Limits: counts are capped at 1,000,000; the value of a count or rate row is not tied to its
numbers (its scale is not in the export); the coding cut-offs are release-wide. ``small count``
is read as documented (D ≥ t). Where published facts contradict each other (for example a
``primary`` reason blurred into ``small count`` on a group smaller than t), that connected part
is noted and left out, so a test should also check ``Report.notes``.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations
from pathlib import Path

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

Key = tuple[str, str, str, str]  # indicator, period, dimension, group
Truth = Mapping[Key, tuple[int | None, int]]  # (numerator or None, denominator)

D, N, C = "denominator", "numerator", "complement"
OVERALL = ("overall", "all")
WIDE = 4  # a count is safe when at least this many whole values remain
CAP = 1_000_000  # upper bound on every count
SKIPPED = "period not complete"
INF = math.inf


@dataclass(frozen=True, order=True)
class Finding:
    indicator: str
    period: str
    dimension: str
    group: str
    quantity: str  # denominator, numerator, complement, or "outside " + one of those
    true: int | None  # None when the attack ran without the truth
    low: int
    high: int
    kind: str = "derived"  # or "published": shown outright


@dataclass
class Report:
    findings: list[Finding]
    notes: list[str]
    examined: int  # withheld counts whose range was looked at
    solves: int  # integer programs solved for them


# --------------------------------------------------------------------------- reading the export


@dataclass(frozen=True)
class Row:
    key: Key
    unit: str
    numerator: int | None
    denominator: int | None
    value: Fraction | None
    display: str
    rules: tuple[str, ...]
    threshold: int


@dataclass
class Export:
    rows: dict[Key, Row]
    skipped: set[Key]
    partitions: list[tuple[Key, tuple[Key, ...]]]
    additive: dict[str, dict[str, bool]]


def number(text: str) -> int | None:
    return None if text.strip() == "" else int(text)


def read_rows(path: Path) -> tuple[dict[Key, Row], set[Key]]:
    rows: dict[Key, Row] = {}
    skipped: set[Key] = set()
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for raw in csv.DictReader(handle):
            key = (raw["indicator"], raw["period"], raw["dimension"], raw["group"])
            if raw["rule"].startswith(SKIPPED):
                skipped.add(key)
                continue
            rows[key] = Row(
                key=key,
                unit=raw["unit"],
                numerator=number(raw["numerator"]),
                denominator=number(raw["denominator"]),
                value=Fraction(raw["value"]) if raw["value"].strip() else None,
                display=raw["display"].strip(),
                rules=tuple(part.strip() for part in raw["rule"].split(";") if part.strip()),
                threshold=int(raw["threshold"]),
            )
    return rows, skipped


def read_partitions(path: Path) -> list[tuple[Key, tuple[Key, ...]]]:
    if not path.exists():
        return []
    partitions = []
    for entry in json.loads(path.read_text(encoding="utf-8")):
        indicator, period = entry["indicator"], entry["period"]
        total = (indicator, period, *entry["total"])
        parts = tuple(
            (indicator, member[2] if len(member) > 2 else period, member[0], member[1])
            for member in entry["parts"]
        )
        partitions.append((total, parts))
    return partitions


def read_export(directory: Path) -> Export:
    data = Path(directory) / "data"
    rows, skipped = read_rows(data / "results.csv")
    dimensions = data / "dimensions.json"
    additive = {
        indicator: {dimension: bool(spec.get("additive")) for dimension, spec in dims.items()}
        for indicator, dims in (
            json.loads(dimensions.read_text(encoding="utf-8")) if dimensions.exists() else {}
        ).items()
    }
    return Export(rows, skipped, read_partitions(data / "partitions.json"), additive)


def coding_cutoffs(rows: Iterable[Row]) -> tuple[Fraction, Fraction]:
    """(bottom, top): the loosest cut-offs the export shows, 5 and 95 when it shows none."""
    bottoms: list[Fraction] = []
    tops: list[Fraction] = []
    for row in rows:
        match = re.fullmatch(r"(<=|>=)\s*([\d.]+)\s*%", row.display)
        if match:
            (bottoms if match.group(1) == "<=" else tops).append(Fraction(match.group(2)))
    return min(bottoms, default=Fraction(5)), max(tops, default=Fraction(95))


# ------------------------------------------------------------------------- linear expressions


class Expr:
    """An integer linear expression: sum of coefficient·variable, plus a constant."""

    __slots__ = ("const", "terms")

    def __init__(self, terms: Mapping[int, int] | None = None, const: int = 0) -> None:
        self.terms = {v: c for v, c in (terms or {}).items() if c}
        self.const = const

    def __add__(self, other: Expr | int) -> Expr:
        other = other if isinstance(other, Expr) else Expr(const=other)
        terms = dict(self.terms)
        for v, c in other.terms.items():
            terms[v] = terms.get(v, 0) + c
        return Expr(terms, self.const + other.const)

    def __mul__(self, factor: int) -> Expr:
        return Expr({v: c * factor for v, c in self.terms.items()}, self.const * factor)

    def __neg__(self) -> Expr:
        return self * -1

    def __sub__(self, other: Expr | int) -> Expr:
        return self + (-other)

    __rmul__ = __mul__

    @property
    def constant(self) -> bool:
        return not self.terms

    def at(self, values: Mapping[int, int | None]) -> int | None:
        total = self.const
        for v, c in self.terms.items():
            value = values.get(v)
            if value is None:
                return None
            total += c * value
        return total


def scaled(fraction: Fraction) -> tuple[int, int]:
    return fraction.numerator, fraction.denominator


@dataclass
class Constraint:
    expr: Expr
    low: float
    high: float
    label: str
    tag: str | None = None  # the assumed cross-indicator equality it belongs to

    def holds(self, value: int) -> bool:
        return self.low <= value <= self.high


# ------------------------------------------------------------------------------ the model


@dataclass
class Candidate:
    key: Key
    quantity: str
    expr: Expr
    threshold: int
    true: int | None


@dataclass
class Model:
    names: list[str] = field(default_factory=list)
    upper: list[int] = field(default_factory=list)
    truth: dict[int, int | None] = field(default_factory=dict)
    constraints: list[Constraint] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def variable(self, name: str, truth: int | None, upper: int = CAP) -> Expr:
        index = len(self.names)
        self.names.append(name)
        self.upper.append(upper)
        self.truth[index] = truth
        return Expr({index: 1})

    def add(
        self,
        expr: Expr,
        low: float = -INF,
        high: float = INF,
        label: str = "",
        tag: str | None = None,
    ) -> None:
        if expr.constant:
            if not low <= expr.const <= high:
                self.notes.append(f"shown figures contradict: {label}")
            return
        self.constraints.append(Constraint(expr, low, high, label, tag))


class Builder:
    """Turns an export into a Model: one set of quantities per cell, and what links them."""

    def __init__(self, export: Export, truth: Truth | None) -> None:
        self.export = export
        self.truth = truth
        self.model = Model()
        self.cells: dict[Key, dict[str, Expr]] = {}
        self.units = {key[0]: row.unit for key, row in export.rows.items()}
        self.bottom, self.top = coding_cutoffs(export.rows.values())
        self.either_or: list[tuple[Row, str]] = []  # rows needing a binary, and which kind

    # quantities ----------------------------------------------------------------------------

    def true_counts(self, key: Key) -> tuple[int | None, int | None]:
        if self.truth is None or key not in self.truth:
            return None, None
        numerator, denominator = self.truth[key]
        return numerator, denominator

    def quantities(self, key: Key, unit: str, shown: tuple[int | None, int | None]) -> None:
        true_n, true_d = self.true_counts(key)
        name = "|".join(key)
        d = (
            Expr(const=shown[1])
            if shown[1] is not None
            else self.model.variable(f"D {name}", true_d)
        )
        cell = {D: d}
        if unit != "median":
            n = (
                Expr(const=shown[0])
                if shown[0] is not None
                else self.model.variable(f"N {name}", true_n)
            )
            cell[N] = n
            if unit != "rate":
                cell[C] = d - n
                self.model.add(cell[C], 0, INF, f"{name}: N <= D")
        self.cells[key] = cell

    def cell(self, key: Key) -> dict[str, Expr]:
        """A cell's quantities; an unpublished cell becomes unknowns with no facts of its own."""
        if key not in self.cells:
            self.quantities(key, self.units.get(key[0], "percent"), (None, None))
        return self.cells[key]

    # facts ---------------------------------------------------------------------------------

    def build(self) -> Model:
        for key, row in self.export.rows.items():
            self.quantities(key, row.unit, (row.numerator, row.denominator))
        for row in self.export.rows.values():
            self.row_facts(row)
        for total, parts in self.all_partitions():
            self.partition(total, parts)
        self.inside_overall()
        self.add_either_or()
        self.same_people()
        return self.model

    def row_facts(self, row: Row) -> None:
        cell, t, label = self.cells[row.key], row.threshold, "|".join(row.key)
        add = self.model.add
        if row.unit == "percent":
            self.percent_facts(row, cell)
        primary = [r for r in row.rules if r.startswith("primary: n < ")]
        band = [r for r in row.rules if r.startswith("percent only: n < ")]
        if primary:
            add(cell[D], 0, int(primary[0].rsplit("<", 1)[1]) - 1, f"{label}: {primary[0]}")
            return
        if band:
            add(cell[D], t, int(band[0].rsplit("<", 1)[1]) - 1, f"{label}: {band[0]}")
        else:
            add(cell[D], t, INF, f"{label}: no primary rule, D >= t")
        if N not in cell:
            return
        coded = any(r in ("top coded", "bottom coded") for r in row.rules)
        if row.unit == "percent" and not coded:
            self.not_coded(row, cell)
        if not (coded or band):
            self.count_rules(row, cell)

    def percent_facts(self, row: Row, cell: dict[str, Expr]) -> None:
        label = "|".join(row.key)
        coded = re.fullmatch(r"(<=|>=)\s*([\d.]+)\s*%", row.display)
        if coded:
            a, b = scaled(Fraction(coded.group(2)))
            expr = cell[N] * (100 * b) - cell[D] * a  # 100·N − X·D
            low, high = (0, INF) if coded.group(1) == ">=" else (-INF, 0)
            self.model.add(expr, low, high, f"{label}: {row.display}")
        elif row.value is not None:
            a, b = scaled(row.value)  # p = a/b: (p − ½)·D ≤ 100·N < (p + ½)·D
            hundred_n, label = cell[N] * (200 * b), f"{label}: shown {row.value}%"
            self.model.add(hundred_n - cell[D] * (2 * a - b), 0, INF, label)
            self.model.add(hundred_n - cell[D] * (2 * a + b), -INF, -1, label)

    def not_coded(self, row: Row, cell: dict[str, Expr]) -> None:
        """bottom < 100·N/D < top, strictly."""
        label = "|".join(row.key)
        a, b = scaled(self.bottom)
        self.model.add(cell[N] * (100 * b) - cell[D] * a, 1, INF, f"{label}: above bottom code")
        a, b = scaled(self.top)
        self.model.add(cell[N] * (100 * b) - cell[D] * a, -INF, -1, f"{label}: below top code")

    def count_rules(self, row: Row, cell: dict[str, Expr]) -> None:
        t, label, add = row.threshold, "|".join(row.key), self.model.add
        if "small numerator" in row.rules:
            add(cell[N], 1, t - 1, f"{label}: small numerator")
        elif "small complement" in row.rules and C in cell:
            add(cell[C], 1, t - 1, f"{label}: small complement")
            if row.unit == "percent":
                add(cell[N], t, INF, f"{label}: small complement, so N is not small")
        elif "small count" in row.rules:
            if C in cell:
                self.either_or.append((row, "small count"))
            else:
                add(cell[N], 1, t - 1, f"{label}: small count")
        elif row.unit == "percent":
            add(cell[N], t, INF, f"{label}: no small numerator")
            add(cell[C], t, INF, f"{label}: no small complement")
        else:
            self.either_or.append((row, "zero or large"))

    def all_partitions(self) -> list[tuple[Key, tuple[Key, ...]]]:
        """The declared partitions, and each additive dimension's groups per period."""
        found: dict[tuple[Key, frozenset[Key]], tuple[Key, ...]] = {}
        for total, parts in self.export.partitions:
            found[(total, frozenset(parts))] = parts
        groups: dict[tuple[str, str, str], list[Key]] = defaultdict(list)
        for key in [*self.export.rows, *self.export.skipped]:
            if self.export.additive.get(key[0], {}).get(key[2]) and key[2:] != OVERALL:
                groups[key[:3]].append(key)
        for (indicator, period, _), members in groups.items():
            total = (indicator, period, *OVERALL)
            found.setdefault((total, frozenset(members)), tuple(sorted(members)))
        return [(total, parts) for (total, _), parts in found.items()]

    def partition(self, total: Key, parts: tuple[Key, ...]) -> None:
        label = f"partition {'|'.join(total)}"
        whole = self.cell(total)
        members = [self.cell(part) for part in parts]
        for quantity in (D, N):
            if quantity in whole and all(quantity in member for member in members):
                expr = whole[quantity]
                for member in members:
                    expr = expr - member[quantity]
                self.model.add(expr, 0, 0, f"{label}: {quantity}")

    def inside_overall(self) -> None:
        """A group's D, N and C are at most the overall row's."""
        for key in list(self.cells):
            overall = (*key[:2], *OVERALL)
            if key[2:] == OVERALL or overall not in self.cells:
                continue
            group, whole = self.cells[key], self.cells[overall]
            for quantity in (D, N, C):
                if quantity in group and quantity in whole:
                    label = f"{'|'.join(key)}: {quantity} within overall"
                    self.model.add(whole[quantity] - group[quantity], 0, INF, label)

    # either-or facts ---------------------------------------------------------------------------

    def add_either_or(self) -> None:
        if not self.either_or:
            return
        bounds = UpperBounds(self.model)
        for row, kind in self.either_or:
            cell = self.cells[row.key]
            if kind == "small count":
                self.small_count(row, cell, self.big_m(row, cell[D], bounds))
            else:
                for quantity in (N, C):
                    if quantity in cell:
                        size = cell[D] if quantity == C or row.unit != "rate" else cell[N]
                        self.zero_or_large(row, quantity, cell, self.big_m(row, size, bounds))

    def big_m(self, row: Row, size: Expr, bounds: UpperBounds) -> int:
        """An upper bound on ``size``: shown, the overall row's shown D, or linear programming."""
        if size.constant:
            return max(size.const, 1)
        overall = self.cells.get((*row.key[:2], *OVERALL), {}).get(D)
        if row.unit != "rate" and overall is not None and overall.constant:
            return max(overall.const, 1)
        return max(bounds.maximum(size), 1)

    def small_count(self, row: Row, cell: dict[str, Expr], big: int) -> None:
        """z = 1: 1 ≤ N ≤ t − 1; z = 0: 1 ≤ C ≤ t − 1."""
        t, label, add = row.threshold, "|".join(row.key) + ": small count", self.model.add
        n, c = cell[N], cell[C]
        true_n, _ = self.true_counts(row.key)
        z = self.model.variable(
            f"z {label}", None if true_n is None else int(1 <= true_n <= t - 1), upper=1
        )
        add(n - z, 0, INF, label)
        add(n + z * big, -INF, t - 1 + big, label)
        add(c + z, 1, INF, label)
        add(c - z * big, -INF, t - 1, label)

    def zero_or_large(self, row: Row, quantity: str, cell: dict[str, Expr], big: int) -> None:
        """w = 0: the count is 0; w = 1: it is at least t."""
        t, label = row.threshold, f"{'|'.join(row.key)}: {quantity} is 0 or at least t"
        count = cell[quantity]
        true = count.at(self.model.truth)
        w = self.model.variable(f"w {label}", None if true is None else int(true >= t), upper=1)
        self.model.add(count - w * t, 0, INF, label)
        self.model.add(count - w * big, -INF, 0, label)

    # the same people in two indicators ------------------------------------------------------

    def same_people(self) -> None:
        """Equal series of two indicators (tagged, so they can be dropped where infeasible)."""
        series: dict[tuple[str, str], dict[tuple[str, ...], Expr]] = defaultdict(dict)
        for key in self.export.rows:
            for quantity, expr in self.cells[key].items():
                series[(key[0], quantity)][key[1:]] = expr
        for first, second in combinations(sorted(series), 2):
            a, b = series[first], series[second]
            if first[0] == second[0]:
                continue
            common = sorted(a.keys() & b.keys())
            shown = [k for k in common if a[k].constant and b[k].constant]
            if len(shown) < 3 or any(a[k].const != b[k].const for k in shown):
                continue
            tag = f"{' '.join(first)} = {' '.join(second)}"
            for k in common:
                self.model.add(a[k] - b[k], 0, 0, f"{tag} at {'|'.join(k)}", tag)


# --------------------------------------------------------------------------------- solving


def connected(constraints: list[Constraint], variables: Iterable[int]) -> list[list[int]]:
    """Groups of constraint indices whose variables are linked (union-find)."""
    parent = {v: v for v in variables}

    def root(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for constraint in constraints:
        first, *rest = constraint.expr.terms
        for v in rest:
            parent[root(v)] = root(first)
    groups: dict[int, list[int]] = defaultdict(list)
    for i, constraint in enumerate(constraints):
        groups[root(next(iter(constraint.expr.terms)))].append(i)
    return list(groups.values())


class Component:
    """A connected part of the program, with a pool of whole-number points known to satisfy it."""

    def __init__(
        self, model: Model, constraints: list[Constraint], keep_truth: bool = True
    ) -> None:
        self.constraints = constraints
        self.variables = sorted({v for c in constraints for v in c.expr.terms})
        self.local = {v: j for j, v in enumerate(self.variables)}
        rows, cols, data = [], [], []
        for i, constraint in enumerate(constraints):
            for v, coefficient in constraint.expr.terms.items():
                rows.append(i)
                cols.append(self.local[v])
                data.append(coefficient)
        shape = (len(constraints), len(self.variables))
        self.matrix = csr_array((np.array(data, dtype=np.int64), (rows, cols)), shape=shape)
        self.offset = np.array([c.expr.const for c in constraints], dtype=np.int64)
        self.low = np.array([c.low for c in constraints], dtype=float)
        self.high = np.array([c.high for c in constraints], dtype=float)
        self.upper = np.array([model.upper[v] for v in self.variables], dtype=float)
        self.linear = LinearConstraint(
            self.matrix.astype(float), self.low - self.offset, self.high - self.offset
        )
        self.pool: list[np.ndarray] = []
        self.solves = 0
        truth = [model.truth.get(v) for v in self.variables]
        self.truth_known = keep_truth and all(value is not None for value in truth)
        self.truth = np.array(truth if self.truth_known else [], dtype=np.int64)
        self.truth_holds = self.truth_known and self.satisfied(self.truth)
        if self.truth_holds:
            self.pool.append(self.truth)

    def satisfied(self, x: np.ndarray) -> bool:
        """Exactly, in whole numbers."""
        if (x < 0).any() or (x > self.upper).any():
            return False
        values = self.matrix @ x + self.offset
        return bool(((values >= self.low) & (values <= self.high)).all())

    def violated(self, x: np.ndarray) -> list[str]:
        values = self.matrix @ x + self.offset
        bad = (values < self.low) | (values > self.high)
        return [self.constraints[i].label for i in np.flatnonzero(bad)]

    def vector(self, expr: Expr) -> np.ndarray:
        c = np.zeros(len(self.variables))
        for v, coefficient in expr.terms.items():
            c[self.local[v]] = coefficient
        return c

    def solve(self, objective: np.ndarray, integer: bool = True) -> np.ndarray | None:
        """An optimal point, or None when there is none. A whole-number point that checks out
        exactly joins the pool; with ``integer=False`` this is the linear relaxation."""
        self.solves += integer
        result = milp(
            objective,
            integrality=np.full(len(self.variables), int(integer)),
            bounds=Bounds(0, self.upper),
            constraints=self.linear,
            options={"mip_rel_gap": 0.0},
        )
        if result.x is None:
            return None
        if not integer:
            return result.x
        x = np.rint(result.x).astype(np.int64)
        if self.satisfied(x):
            self.pool.append(x)
        return x

    def feasible(self) -> bool:
        return bool(self.pool) or self.solve(np.zeros(len(self.variables))) is not None

    def spread(self, expr: Expr) -> int:
        if not self.pool:
            return -1
        c = self.vector(expr)
        values = [int(c @ x) for x in self.pool]
        return max(values) - min(values)

    def interval(self, expr: Expr) -> tuple[int, int | None] | None:
        """[min, max] of ``expr`` (max None when unbounded), or None once ≥ WIDE values are seen."""
        if self.spread(expr) >= WIDE - 1:
            return None
        c = self.vector(expr)
        low_point = self.solve(c)
        if low_point is None or self.spread(expr) >= WIDE - 1:
            return None
        high_point = self.solve(-c)
        if high_point is None:
            return None
        low, high = int(c @ low_point) + expr.const, int(c @ high_point) + expr.const
        return low, None if high >= CAP // 2 else high


class UpperBounds:
    """Linear-programming upper bounds of expressions, over the facts without either-ors."""

    def __init__(self, model: Model) -> None:
        self.model = model
        base = [c for c in model.constraints if c.tag is None]
        self.parts = [
            [base[i] for i in group] for group in connected(base, range(len(model.names)))
        ]
        self.owner = {v: p for p, part in enumerate(self.parts) for c in part for v in c.expr.terms}
        self.components: dict[int, Component] = {}

    def maximum(self, expr: Expr) -> int:
        parts = {self.owner.get(v, -1) for v in expr.terms}
        if len(parts) != 1 or -1 in parts:
            return CAP
        part = parts.pop()
        if part not in self.components:
            self.components[part] = Component(self.model, self.parts[part], keep_truth=False)
        component = self.components[part]
        point = component.solve(-component.vector(expr), integer=False)
        if point is None:
            return CAP
        return min(CAP, math.floor(float(component.vector(expr) @ point) + expr.const + 1e-6))


def split(model: Model) -> list[Component]:
    groups = connected(model.constraints, range(len(model.names)))
    return [Component(model, [model.constraints[i] for i in group]) for group in groups]


def settle(model: Model) -> list[Component]:
    """The components, once assumed equalities that make a part infeasible are dropped there."""
    parts = split(model)
    dropped: set[int] = set()
    for part in parts:
        if part.truth_known and not part.truth_holds:
            broken = "; ".join(part.violated(part.truth)[:5])
            model.notes.append(f"the truth breaks: {broken}")
        if not part.feasible():
            dropped |= relax(model, part)
    if not dropped:
        return parts
    model.constraints = [c for c in model.constraints if id(c) not in dropped]
    return split(model)


def relax(model: Model, part: Component) -> set[int]:
    """Add the assumed equalities back one pair at a time; the ids of those that do not fit."""
    kept = [c for c in part.constraints if c.tag is None]
    if not Component(model, kept, keep_truth=False).feasible():
        labels = sorted({c.label.split(":")[0] for c in kept})[:5]
        model.notes.append(f"the published facts contradict each other around {labels}")
        return {id(c) for c in part.constraints}
    dropped: set[int] = set()
    for tag in sorted({c.tag for c in part.constraints if c.tag}):
        extra = [c for c in part.constraints if c.tag == tag]
        if Component(model, kept + extra, keep_truth=False).feasible():
            kept += extra
        else:
            dropped |= {id(c) for c in extra}
            model.notes.append(f"dropped '{tag}' where it is infeasible")
    return dropped


# ------------------------------------------------------------------------------ the attack


def counts_to_protect(builder: Builder) -> Iterable[tuple[Row, str, Expr]]:
    """Every cell's D, N and C, and the people outside each group of an overlapping dimension."""
    for key, row in builder.export.rows.items():
        cell = builder.cells[key]
        for quantity, expr in cell.items():
            yield row, quantity, expr
        additive = builder.export.additive.get(key[0], {}).get(key[2], True)
        overall = builder.cells.get((*key[:2], *OVERALL))
        if key[2:] == OVERALL or additive or overall is None:
            continue
        for quantity, expr in cell.items():
            if quantity in overall:
                yield row, f"outside {quantity}", overall[quantity] - expr


def small(count: int | None, threshold: int) -> bool:
    return count is not None and 1 <= count <= threshold - 1


def home(expr: Expr, owner: Mapping[int, Component], model: Model, label: str) -> Component | None:
    """The component ``expr`` lives in; None when a variable of it is bound by no fact."""
    homes = {id(owner[v]) if v in owner else None for v in expr.terms}
    if None in homes:
        return None  # a count no fact touches can be anything
    if len(homes) > 1:
        model.notes.append(f"not examined (it spans components): {label}")
        return None
    return owner[next(iter(expr.terms))]


def narrowed(
    row: Row, quantity: str, expr: Expr, part: Component, true: int | None
) -> list[Finding]:
    """A finding when fewer than WIDE whole values remain and one of them is small."""
    bounds = part.interval(expr)
    if bounds is None:
        return []
    low, high = bounds
    if high is None:
        return []
    # Under a threshold of 3 the published rule itself says "0, 1 or 2" (docs/disclosure.md):
    # three values tell a reader nothing the policy does not, so three are enough there.
    if high - low + 1 >= min(WIDE, row.threshold) or high < 1 or low > row.threshold - 1:
        return []
    return [Finding(*row.key, quantity=quantity, true=true, low=low, high=high)]


def run(directory: Path, truth: Truth | None = None) -> Report:
    """The whole attack. Without ``truth`` every withheld count is examined."""
    builder = Builder(read_export(directory), truth)
    model = builder.build()
    parts = settle(model)
    owner = {v: part for part in parts for v in part.variables}
    findings: list[Finding] = []
    examined = 0
    for row, quantity, expr in counts_to_protect(builder):
        if expr.constant:
            if small(expr.const, row.threshold):
                value = expr.const
                findings.append(Finding(*row.key, quantity, value, value, value, "published"))
            continue
        true = expr.at(model.truth)
        part = home(expr, owner, model, f"{'|'.join(row.key)} {quantity}")
        if part is None or (truth is not None and not small(true, row.threshold)):
            continue
        examined += 1
        findings += narrowed(row, quantity, expr, part, true)
    solves = sum(part.solves for part in parts)
    return Report(sorted(findings), model.notes, examined, solves)


def attack(directory: Path, truth: Truth | None = None) -> list[Finding]:
    """The small counts a reader of the export at ``directory`` can pin to fewer than 4 values."""
    return run(directory, truth).findings
