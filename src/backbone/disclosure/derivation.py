"""What an outsider can work out about withheld counts from what is published.

Shared by :func:`protect` (to decide what else to withhold) and by the audit (to check a release).
Each cell has up to three quantities: the denominator ``D``, the numerator ``N`` and the
complement ``C = D - N``. Published quantities are known; withheld ones are unknown but are
non-negative integers tied by linear equations (partition totals, ``D - N - C = 0``) and by
published percents (``low <= 100 N / D < high``).

The reasoning has four steps, each exact except the last:

1. The equations are put in reduced row-echelon form in exact integer arithmetic. A withheld
   quantity that is a linear combination of published ones then ends up alone in a row.
2. Bounds are propagated through the reduced and the original rows. Non-negativity and the
   percent and rule ranges pin values that linear algebra alone does not: two withheld cells
   summing to 0 are both 0.
3. When a group size is known within a short range, every size is tried with its percent.
4. For the quantities the caller cares about, linear programming combines everything at once,
   for example two percents and a sum. This uses scipy's HiGHS with a small tolerance.

A quantity is derivable when its lower and upper bound meet.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

DENOMINATOR, NUMERATOR, COMPLEMENT = "D", "N", "C"
KIND_NAMES = {DENOMINATOR: "denominator", NUMERATOR: "numerator", COMPLEMENT: "complement"}
LP_ROUNDS = 3  # linear programming, then propagation again, at most this often
LP_TOLERANCE = 1e-6  # floating-point slack when rounding LP bounds to whole numbers
MAX_PASSES = 60  # average visits per constraint before propagation gives up
ENUMERATE_UP_TO = 500  # widest denominator range whose values are tried one by one

Quantity = tuple[str, str]
IntRow = tuple[dict[Quantity, int], int]  # sum(coefficient * quantity) == rhs


class InconsistentData(ValueError):
    """The published numbers contradict the declared partitions or percents."""


@dataclass(frozen=True)
class Bounds:
    """Integer bounds on a quantity; ``high`` None means unbounded above."""

    low: int = 0
    high: int | None = None

    @property
    def pinned(self) -> bool:
        return self.high == self.low


@dataclass(frozen=True)
class Ratio:
    """A published percent or coded range: ``low <= 100 N / D <= high`` (``< high`` if strict)."""

    cell: str
    low: Fraction
    high: Fraction
    high_strict: bool = False


@dataclass
class Facts:
    """Everything published about a set of cells.

    ``equations`` are rows ``sum(coefficient * quantity) == 0`` over known and unknown quantities.
    """

    known: dict[Quantity, int] = field(default_factory=dict)
    unknown: set[Quantity] = field(default_factory=set)
    equations: list[dict[Quantity, int]] = field(default_factory=list)
    ratios: list[Ratio] = field(default_factory=list)
    ranges: dict[Quantity, Bounds] = field(default_factory=dict)  # publicly known bounds


def derive(
    facts: Facts,
    focus: Callable[[Quantity, Bounds], bool] | None = None,
    witness: Mapping[Quantity, int] | None = None,
) -> dict[Quantity, Bounds]:
    """Bounds on every unknown quantity implied by ``facts``; raises :class:`InconsistentData`.

    Quantities selected by ``focus`` that exact reasoning leaves open are also bounded by
    linear programming, which combines inequalities across cells (two percents and a sum). A
    ``witness`` (a solution, e.g. the true counts) saves solves for quantities it shows are free.

    Example: with ``T = a + b``, ``T`` and ``a`` published, ``b`` comes back pinned.
    """
    rows = [reduce_known(equation, facts.known) for equation in facts.equations]
    rows = [row for row in rows if row[0]]
    bounds = {q: facts.ranges.get(q, Bounds()) for q in facts.unknown}
    bounds.update({q: Bounds(v, v) for q, v in facts.known.items()})
    constraints = row_echelon(rows) + rows
    propagate(bounds, constraints, facts.ratios)
    if focus is not None:
        refine(bounds, facts, rows, constraints, focus, witness or {})
    return {q: bounds[q] for q in facts.unknown}


def refine(
    bounds: dict[Quantity, Bounds],
    facts: Facts,
    equations: list[IntRow],
    constraints: list[IntRow],
    focus: Callable[[Quantity, Bounds], bool],
    witness: Mapping[Quantity, int],
) -> None:
    """Alternate linear programming on the open focus quantities with propagation."""
    for _ in range(LP_ROUNDS):
        still_open = [
            q for q in sorted(facts.unknown) if not bounds[q].pinned and focus(q, bounds[q])
        ]
        if not still_open or not lp_tighten(bounds, equations, facts.ratios, still_open, witness):
            return
        propagate(bounds, constraints, facts.ratios)


def reduce_known(equation: Mapping[Quantity, int], known: Mapping[Quantity, int]) -> IntRow:
    """Move the published quantities of ``equation`` to the right-hand side."""
    row: dict[Quantity, int] = {}
    rhs = 0
    for quantity, coefficient in equation.items():
        if quantity in known:
            rhs -= coefficient * known[quantity]
        else:
            row[quantity] = row.get(quantity, 0) + coefficient
    row = {q: c for q, c in row.items() if c}
    if not row and rhs != 0:
        raise InconsistentData(f"published numbers do not add up: {describe(equation)}")
    return row, rhs


def row_echelon(rows: Iterable[IntRow]) -> list[IntRow]:
    """Gauss-Jordan elimination in exact integer arithmetic (fraction-free, rows kept reduced
    by their gcd): the result spans the same rational row space as exact fractions would, and a
    quantity is a linear function of published figures exactly when it ends alone in a row.
    """
    pivots: dict[Quantity, IntRow] = {}
    for row, rhs in rows:
        for variable in [q for q in row if q in pivots]:
            if variable in row:
                row, rhs = eliminate(row, rhs, pivots[variable], variable)
        if not row:
            if rhs != 0:
                raise InconsistentData("published numbers contradict each other")
            continue
        variable = min(row)
        for other, pivot in list(pivots.items()):
            if variable in pivot[0]:
                pivots[other] = eliminate(*pivot, (row, rhs), variable)
        pivots[variable] = (row, rhs)
    return list(pivots.values())


def eliminate(row: dict[Quantity, int], rhs: int, pivot: IntRow, variable: Quantity) -> IntRow:
    """``a * row - b * pivot`` with ``variable`` cancelled, divided by the common factor."""
    pivot_row, pivot_rhs = pivot
    a, b = pivot_row[variable], row[variable]
    result = {q: a * c for q, c in row.items()}
    for quantity, coefficient in pivot_row.items():
        value = result.get(quantity, 0) - b * coefficient
        if value:
            result[quantity] = value
        else:
            result.pop(quantity, None)
    new_rhs = a * rhs - b * pivot_rhs
    common = math.gcd(new_rhs, *result.values())
    if common > 1:
        result, new_rhs = {q: c // common for q, c in result.items()}, new_rhs // common
    return result, new_rhs


def propagate(bounds: dict[Quantity, Bounds], rows: list[IntRow], ratios: list[Ratio]) -> None:
    """Tighten ``bounds`` in place through every row and ratio until nothing changes.

    A work list revisits only the constraints of quantities whose bounds moved; the number of
    visits is capped because integer bounds can creep down one unit at a time.
    """
    constraints: list[IntRow | Ratio] = [*rows, *ratios]
    touching: dict[Quantity, list[int]] = {}
    for index, constraint in enumerate(constraints):
        for quantity in constraint_quantities(constraint):
            touching.setdefault(quantity, []).append(index)
    pending = dict.fromkeys(range(len(constraints)))
    budget = MAX_PASSES * len(constraints)
    while pending and budget > 0:
        budget -= 1
        index = next(iter(pending))
        del pending[index]
        constraint = constraints[index]
        if isinstance(constraint, Ratio):
            moved = tighten_ratio(bounds, constraint)
        else:
            moved = tighten_row(bounds, *constraint)
        for quantity in moved:
            pending.update(dict.fromkeys(touching.get(quantity, ())))


def constraint_quantities(constraint: IntRow | Ratio) -> list[Quantity]:
    if isinstance(constraint, Ratio):
        return [(constraint.cell, kind) for kind in (DENOMINATOR, NUMERATOR, COMPLEMENT)]
    return list(constraint[0])


def term_range(coefficient: int, bounds: Bounds) -> tuple[int | None, int | None]:
    """The range of ``coefficient * x``; None stands for minus or plus infinity."""
    low = coefficient * bounds.low
    high = None if bounds.high is None else coefficient * bounds.high
    return (low, high) if coefficient > 0 else (high, low)


def tighten_row(
    bounds: dict[Quantity, Bounds], row: dict[Quantity, int], rhs: int
) -> list[Quantity]:
    """Bound each quantity of ``sum(row) == rhs`` by the ranges of the others."""
    ranges = {q: term_range(c, bounds[q]) for q, c in row.items()}
    low_sum, low_infinite = finite_sum(low for low, _ in ranges.values())
    high_sum, high_infinite = finite_sum(high for _, high in ranges.values())
    moved = []
    for quantity, coefficient in row.items():
        own_low, own_high = ranges[quantity]
        rest_low = None if low_infinite - (own_low is None) else low_sum - (own_low or 0)
        rest_high = None if high_infinite - (own_high is None) else high_sum - (own_high or 0)
        # coefficient * x = rhs - rest, so x lies between (rhs - rest_high) / coefficient and
        # (rhs - rest_low) / coefficient, the order depending on the coefficient's sign.
        ends = [None if r is None else rhs - r for r in (rest_high, rest_low)]
        if coefficient < 0:
            ends.reverse()
        low = None if ends[0] is None else -(-ends[0] // coefficient)
        high = None if ends[1] is None else ends[1] // coefficient
        if narrow(bounds, quantity, low, high):
            moved.append(quantity)
    return moved


def finite_sum(values: Iterable[int | None]) -> tuple[int, int]:
    """The sum of the finite values and how many are infinite."""
    total, infinite = 0, 0
    for value in values:
        if value is None:
            infinite += 1
        else:
            total += value
    return total, infinite


def tighten_ratio(bounds: dict[Quantity, Bounds], ratio: Ratio) -> list[Quantity]:
    """Bound N (and C) from D and D from N through ``low <= 100 N / D <= high``.

    When D's range is short, every D in it is tried: whole numbers make a percent far more
    revealing than its interval suggests (91% of a group of 10 to 19 can only be 10 of 11).
    """
    d_key, n_key = (ratio.cell, DENOMINATOR), (ratio.cell, NUMERATOR)
    d = bounds[d_key]
    if d.high is not None and d.high - d.low <= ENUMERATE_UP_TO:
        return enumerate_ratio(bounds, ratio)
    n = bounds[n_key]
    n_low = ratio.low * d.low / 100
    d_low = None if ratio.high == 0 else 100 * n.low / ratio.high
    if d_low is not None and ratio.high_strict:
        d_low = Fraction(math.floor(d_low) + 1)
    d_high = None if ratio.low == 0 or n.high is None else 100 * n.high / ratio.low
    n_high = Fraction(0) if ratio.high == 0 else None
    moved = [n_key] if narrow_inwards(bounds, n_key, n_low, n_high) else []
    return moved + ([d_key] if narrow_inwards(bounds, d_key, d_low, d_high) else [])


def enumerate_ratio(bounds: dict[Quantity, Bounds], ratio: Ratio) -> list[Quantity]:
    """Try every denominator in range; keep the (D, N, C) combinations that fit everything."""
    keys = {kind: (ratio.cell, kind) for kind in (DENOMINATOR, NUMERATOR, COMPLEMENT)}
    d, n = bounds[keys[DENOMINATOR]], bounds[keys[NUMERATOR]]
    c = bounds.get(keys[COMPLEMENT], Bounds())
    found: dict[str, list[int]] = {DENOMINATOR: [], NUMERATOR: [], COMPLEMENT: []}
    for denominator in range(d.low, (d.high or 0) + 1):
        low, high = numerator_range(ratio, denominator)
        low = max(low, n.low, denominator - c.high if c.high is not None else 0)
        high = min(x for x in (high, n.high, denominator - c.low) if x is not None)
        if low <= high:
            found[DENOMINATOR].append(denominator)
            found[NUMERATOR] += [low, high]
            found[COMPLEMENT] += [denominator - high, denominator - low]
    if not found[DENOMINATOR]:
        raise InconsistentData(f"no whole numbers fit the published percent of {ratio.cell}")
    moved = []
    for kind, key in keys.items():
        if key in bounds and narrow(bounds, key, min(found[kind]), max(found[kind])):
            moved.append(key)
    return moved


def numerator_range(ratio: Ratio, denominator: int) -> tuple[int, int]:
    """The whole numerators N with ``low <= 100 N / denominator <= high`` (``<`` if strict)."""
    low = math.ceil(ratio.low * denominator / 100)
    top = ratio.high * denominator / 100
    high = math.ceil(top) - 1 if ratio.high_strict else math.floor(top)
    return low, high


def narrow(
    bounds: dict[Quantity, Bounds], quantity: Quantity, low: int | None, high: int | None
) -> bool:
    """Intersect a quantity's bounds with ``[low, high]``; returns whether they moved."""
    old = bounds[quantity]
    new_low = old.low if low is None else max(old.low, low)
    new_high = old.high
    if high is not None:
        new_high = high if old.high is None else min(old.high, high)
    if new_high is not None and new_low > new_high:
        raise InconsistentData(f"no whole number fits the published figures for {quantity}")
    if (new_low, new_high) == (old.low, old.high):
        return False
    bounds[quantity] = Bounds(new_low, new_high)
    return True


def narrow_inwards(
    bounds: dict[Quantity, Bounds],
    quantity: Quantity,
    low: Fraction | None,
    high: Fraction | None,
) -> bool:
    """:func:`narrow` to ``[low, high]`` rounded inwards to whole numbers."""
    return narrow(
        bounds,
        quantity,
        None if low is None else math.ceil(low),
        None if high is None else math.floor(high),
    )


def lp_tighten(
    bounds: dict[Quantity, Bounds],
    rows: list[IntRow],
    ratios: list[Ratio],
    quantities: list[Quantity],
    witness: Mapping[Quantity, int],
) -> bool:
    """Narrow ``quantities`` to their linear-programming range; returns whether any moved."""
    problem = LinearProgram(bounds, rows, ratios)
    quantities = [q for q in quantities if q in problem.index]
    if witness and quantities:
        # Pushing every open quantity up, then down, clears most of them in two solves.
        sweeps = [problem.extreme(dict.fromkeys(quantities, sign)) for sign in (-1.0, 1.0)]
        quantities = [q for q in quantities if not moved_a_unit(q, sweeps, witness)]
    moved = False
    for quantity in quantities:
        high = problem.extreme({quantity: -1.0}).get(quantity, math.inf)
        if quantity in witness and high >= witness[quantity] + 1 - LP_TOLERANCE:
            continue  # the witness and the maximum are two different whole values
        low = problem.extreme({quantity: 1.0}).get(quantity, 0.0)
        upper = None if high == math.inf else math.floor(high + LP_TOLERANCE)
        moved |= narrow(bounds, quantity, math.ceil(low - LP_TOLERANCE), upper)
    return moved


def moved_a_unit(
    quantity: Quantity, solutions: list[dict[Quantity, float]], witness: Mapping[Quantity, int]
) -> bool:
    """Whether some solution is a whole unit from the witness: two whole values then fit."""
    if quantity not in witness:
        return False
    true = witness[quantity]
    return any(abs(s.get(quantity, true) - true) >= 1 - LP_TOLERANCE for s in solutions)


class LinearProgram:
    """The published facts as a linear program over the unknown quantities (scipy's HiGHS)."""

    def __init__(
        self, bounds: dict[Quantity, Bounds], rows: list[IntRow], ratios: list[Ratio]
    ) -> None:
        import numpy as np

        variables = sorted({q for row, _ in rows for q in row} | ratio_quantities(ratios, bounds))
        self.index = {q: i for i, q in enumerate(variables)}
        self.bounds = [(bounds[q].low, bounds[q].high) for q in variables]
        self.a_eq = np.zeros((len(rows), len(variables)))
        self.b_eq = np.array([float(rhs) for _, rhs in rows])
        for r, (row, _) in enumerate(rows):
            for quantity, coefficient in row.items():
                self.a_eq[r, self.index[quantity]] = coefficient
        self.a_ub = np.zeros((2 * len(ratios), len(variables)))
        for r, ratio in enumerate(ratios):
            d = self.index[(ratio.cell, DENOMINATOR)]
            n = self.index[(ratio.cell, NUMERATOR)]
            self.a_ub[2 * r, [d, n]] = [float(ratio.low), -100.0]  # low D <= 100 N
            self.a_ub[2 * r + 1, [d, n]] = [-float(ratio.high), 100.0]  # 100 N <= high D

    def extreme(self, objective: Mapping[Quantity, float]) -> dict[Quantity, float]:
        """Minimise ``objective``; returns the solution (an unbounded one counts as infinite)."""
        import numpy as np
        from scipy.optimize import linprog

        if not self.index:
            return {}
        costs = np.zeros(len(self.index))
        for quantity, weight in objective.items():
            if quantity in self.index:
                costs[self.index[quantity]] = weight
        result = linprog(
            costs,
            A_ub=self.a_ub if len(self.a_ub) else None,
            b_ub=np.zeros(len(self.a_ub)) if len(self.a_ub) else None,
            A_eq=self.a_eq if len(self.a_eq) else None,
            b_eq=self.b_eq if len(self.a_eq) else None,
            bounds=self.bounds,
            method="highs",
        )
        if result.status == 3:  # unbounded: only ever upwards, counts are non-negative
            return {q: math.inf for q, weight in objective.items() if weight < 0}
        if result.status != 0:
            raise InconsistentData(f"the published figures admit no solution ({result.message})")
        values = result.x.tolist()
        return {q: values[i] for q, i in self.index.items()}


def ratio_quantities(ratios: list[Ratio], bounds: dict[Quantity, Bounds]) -> set[Quantity]:
    return {
        (ratio.cell, kind)
        for ratio in ratios
        for kind in (DENOMINATOR, NUMERATOR)
        if (ratio.cell, kind) in bounds
    }


def percent_ratio(key: str, percent: float) -> Ratio:
    """Percents are rounded half up: a shown ``p`` means ``p - 0.5 <= 100 N / D < p + 0.5``."""
    shown = Fraction(percent)
    low = max(shown - Fraction(1, 2), Fraction(0))
    if shown >= 100:
        return Ratio(key, low, Fraction(100))
    return Ratio(key, low, shown + Fraction(1, 2), high_strict=True)


def describe(equation: Mapping[Quantity, int]) -> str:
    """A readable form of an equation, for error messages."""
    return " ".join(f"{c:+d}·{KIND_NAMES[k]}({key})" for (key, k), c in equation.items())
