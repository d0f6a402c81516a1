"""Feasible intervals of withheld counts by integer programming (scipy's HiGHS ``milp``).

A reader who holds a release knows linear facts about the counts it withholds: sums, shown and
coded percents, what each marker says. :class:`Problem` collects those facts over whole-number
variables; :func:`narrowed` asks, for each count a reader might want (a :class:`Target`), the
least and greatest whole value the facts allow. A target is **narrowed** when fewer than
``WIDE`` whole values remain and one of them is a small count (1 to threshold − 1): a reader
then knows it to within three people.

The problem splits into independent components (variables no fact links), solved one at a
time. Most targets are cleared without solving for them: every solution found (and the true
counts, when the caller knows them) is a witness, and two witnesses ``WIDE - 1`` apart prove a
target wide.
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

WIDE = 4  # a withheld count is safe when at least this many whole values stay possible
TOLERANCE = 1e-6
SWEEPS = 8  # solves that push many targets at once before each is solved on its own
TIME_LIMIT = 20.0  # seconds per solve; on timeout the solver's proven bound is used

Name = Hashable


class Infeasible(ValueError):
    """The facts admit no solution: the published figures contradict what was assumed."""

    def __init__(self, names: Sequence[Name]) -> None:
        super().__init__(f"no whole numbers fit the facts about {len(names)} quantities")
        self.names = list(names)


@dataclass(frozen=True)
class Target:
    """A linear combination of variables a reader would like to know, e.g. a withheld numerator
    or a total minus one of its overlapping groups; ``label`` says which, for reports."""

    label: Hashable
    terms: tuple[tuple[Name, int], ...]
    threshold: int


@dataclass(frozen=True)
class Narrowed:
    """A target a reader can pin to ``low..high`` (whole numbers, fewer than ``WIDE``)."""

    target: Target
    low: int
    high: int


@dataclass
class Problem:
    """Whole-number variables with bounds, and linear constraints ``low <= sum <= high``."""

    index: dict[Name, int] = field(default_factory=dict)
    low: list[float] = field(default_factory=list)
    high: list[float] = field(default_factory=list)
    rows: list[tuple[dict[int, float], float, float]] = field(default_factory=list)

    def variable(self, name: Name, low: float = 0, high: float = math.inf) -> Name:
        """Declare ``name`` (again: narrows its bounds) and return it."""
        if name not in self.index:
            self.index[name] = len(self.low)
            self.low.append(low)
            self.high.append(high)
        else:
            i = self.index[name]
            self.low[i], self.high[i] = max(self.low[i], low), min(self.high[i], high)
        return name

    def fix(self, name: Name, value: int) -> None:
        self.variable(name, value, value)

    def add(
        self, terms: Mapping[Any, float], low: float = -math.inf, high: float = math.inf
    ) -> None:
        """``low <= sum(coefficient * variable) <= high`` over declared variables."""
        row = {self.index[name]: float(c) for name, c in terms.items() if c}
        if row:
            self.rows.append((row, low, high))

    def equal(self, terms: Mapping[Any, float], value: float = 0) -> None:
        self.add(terms, value, value)

    def components(self) -> list[Component]:
        """The problem split into parts that share no constraint."""
        parent = list(range(len(self.low)))

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for row, _, _ in self.rows:
            first, *others = row
            for other in others:
                parent[root(other)] = root(first)
        members: dict[int, list[int]] = {}
        for i in range(len(self.low)):
            members.setdefault(root(i), []).append(i)
        row_groups: dict[int, list[int]] = {}
        for r, (row, _, _) in enumerate(self.rows):
            row_groups.setdefault(root(next(iter(row))), []).append(r)
        names = list(self.index)
        return [
            Component(self, [names[i] for i in variables], row_groups.get(key, []))
            for key, variables in members.items()
        ]


class Component:
    """Variables linked by constraints, as one integer program."""

    def __init__(self, problem: Problem, names: list[Name], rows: list[int]) -> None:
        self.names = names
        self.position = {name: j for j, name in enumerate(names)}
        columns = [problem.index[name] for name in names]
        local = {i: j for j, i in enumerate(columns)}
        self.bounds = Bounds(
            np.array([problem.low[i] for i in columns]),
            np.array([problem.high[i] for i in columns]),
        )
        data, row_index, column_index, lows, highs = [], [], [], [], []
        for r, number in enumerate(rows):
            row, low, high = problem.rows[number]
            for i, coefficient in row.items():
                data.append(coefficient)
                row_index.append(r)
                column_index.append(local[i])
            lows.append(low)
            highs.append(high)
        self.constraints = (
            [
                LinearConstraint(
                    csr_array((data, (row_index, column_index)), shape=(len(rows), len(names))),
                    np.array(lows),
                    np.array(highs),
                )
            ]
            if rows
            else []
        )
        self.solves = 0

    def extreme(
        self, terms: Iterable[tuple[Name, float]], sign: float
    ) -> tuple[float, list[float]]:
        """The least (``sign`` 1) or greatest (``sign`` -1) value of ``terms`` and a solution.

        Unbounded comes back as ±inf with no solution; a solve that runs out of time returns
        the solver's proven bound, which is on the safe side (wider)."""
        costs = np.zeros(len(self.names))
        for name, coefficient in terms:
            costs[self.position[name]] += sign * coefficient
        self.solves += 1
        result = milp(
            costs,
            integrality=np.ones(len(self.names)),
            bounds=self.bounds,
            constraints=self.constraints,
            options={"time_limit": TIME_LIMIT, "presolve": True},
        )
        if result.status == 2:
            raise Infeasible(self.names)
        if result.status == 3 or (result.x is None and result.status != 1):
            return -sign * math.inf, []
        if result.status == 1:  # out of time: the proven bound, and a solution if one was found
            bound = getattr(result, "mip_dual_bound", None)
            value = -math.inf if bound is None else sign * bound
            return value, [] if result.x is None else list(result.x)
        return sign * float(result.fun), list(result.x)

    def signature(self) -> Hashable:
        """Everything the component's answers depend on, to reuse them when nothing changed."""
        rows = []
        for constraint in self.constraints:
            matrix = constraint.A
            rows.append((matrix.data.tobytes(), matrix.indices.tobytes(), matrix.indptr.tobytes(),
                         constraint.lb.tobytes(), constraint.ub.tobytes()))  # fmt: skip
        return (tuple(self.names), self.bounds.lb.tobytes(), self.bounds.ub.tobytes(), tuple(rows))

    def feasible(self, point: Sequence[float]) -> bool:
        """Whether ``point`` meets every bound and constraint."""
        x = np.array(point, dtype=float)
        if np.any(x < self.bounds.lb - TOLERANCE) or np.any(x > self.bounds.ub + TOLERANCE):
            return False
        for constraint in self.constraints:
            product = constraint.A @ x
            if np.any(product < constraint.lb - TOLERANCE):
                return False
            if np.any(product > constraint.ub + TOLERANCE):
                return False
        return True

    def lowest(self, terms: Sequence[tuple[Name, int]]) -> float:
        """The least value ``terms`` can take by their variables' own bounds alone."""
        total = 0.0
        for name, coefficient in terms:
            j = self.position[name]
            total += coefficient * (self.bounds.lb[j] if coefficient > 0 else self.bounds.ub[j])
        return total

    def value(self, terms: Iterable[tuple[Name, int]], solution: Sequence[float]) -> int:
        return round(sum(c * solution[self.position[name]] for name, c in terms))


def wide(target: Target) -> int:
    """How many values make a target safe: ``WIDE``, or fewer under a threshold so low that
    the rule itself says less (``n < 3`` already tells a reader 0, 1 or 2)."""
    return min(WIDE, target.threshold)


def narrowed(
    problem: Problem,
    targets: Sequence[Target],
    witness: Mapping[Name, int] | None = None,
    cache: dict[Hashable, list[Narrowed]] | None = None,
    every_component: bool = True,
) -> list[Narrowed]:
    """Every target whose feasible whole values are fewer than ``WIDE`` and include a small
    count (1 to its threshold − 1). ``witness`` is a known solution (the true counts) that
    clears targets without solving. Raises :class:`Infeasible` when a component has no
    solution; ``Infeasible.names`` lists its variables. ``cache`` keeps each component's answer
    by its facts and targets, for a caller that asks again after changing a few cells.
    ``every_component`` False skips checking that components without targets are feasible."""
    found: list[Narrowed] = []
    for component, chosen in _targets_by_component(problem, targets):
        if not chosen and not every_component:
            continue
        if cache is None:
            found += _narrowed_in(component, chosen, witness or {})
            continue
        key = (component.signature(), tuple(chosen))
        if key not in cache:
            cache[key] = _narrowed_in(component, chosen, witness or {})
        found += cache[key]
    return found


def _targets_by_component(
    problem: Problem, targets: Sequence[Target]
) -> list[tuple[Component, list[Target]]]:
    components = problem.components()
    owner = {name: c for c, component in enumerate(components) for name in component.names}
    chosen: dict[int, list[Target]] = {c: [] for c in range(len(components))}
    for target in targets:
        chosen[owner[target.terms[0][0]]].append(target)
    return [(components[c], group) for c, group in chosen.items()]


def _narrowed_in(
    component: Component, targets: list[Target], witness: Mapping[Name, int]
) -> list[Narrowed]:
    if not targets:  # nothing withheld here, but the shown figures must still fit together
        fixed = component.bounds.lb
        if np.array_equal(fixed, component.bounds.ub):
            if not component.feasible(list(fixed)):
                raise Infeasible(component.names)
        else:
            component.extreme([], 1.0)
        return []
    seen: dict[Target, list[float]] = {t: [math.inf, -math.inf] for t in targets}

    def observe(solution: Sequence[float]) -> None:
        for target, span in seen.items():
            value = component.value(target.terms, solution)
            span[0], span[1] = min(span[0], value), max(span[1], value)

    if witness and all(name in witness for name in component.names):
        point = [witness[name] for name in component.names]
        if component.feasible(point):  # an assumed fact may not hold for the true counts
            observe(point)

    def cleared(target: Target) -> bool:
        return seen[target][1] - seen[target][0] >= wide(target) - 1

    # A count whose own bounds keep it off the small values needs no solve (a cell withheld
    # only to protect others has at least the threshold with and without the outcome).
    targets = [t for t in targets if component.lowest(t.terms) < t.threshold]

    # Pushing every open target down, then up, then each in a random direction clears most of
    # them with a few solves; a sweep that clears nothing new ends the sweeping.
    directions = random.Random(len(component.names))
    for sweep in range(SWEEPS):
        still_open = [target for target in targets if not cleared(target)]
        if len(still_open) < 2:  # one target is solved on its own below
            break
        signs = [(1.0 if sweep == 0 else -1.0) if sweep < 2 else directions.choice((1.0, -1.0))
                 for _ in still_open]  # fmt: skip
        terms = [(name, sign * c) for sign, t in zip(signs, still_open, strict=True)
                 for name, c in t.terms]  # fmt: skip
        _, solution = component.extreme(terms, 1.0)
        if solution:
            observe(solution)
        if sweep >= 2 and len([t for t in still_open if not cleared(t)]) == len(still_open):
            break
    found = []
    for target in targets:
        if cleared(target):
            continue
        low, solution = component.extreme(target.terms, 1.0)
        if solution:
            observe(solution)
        if low > target.threshold - 1 + TOLERANCE or cleared(target):
            continue
        high, solution = component.extreme(target.terms, -1.0)
        if solution:
            observe(solution)
        lowest, highest = math.ceil(low - TOLERANCE), high
        if highest == math.inf or highest - lowest >= wide(target) - 1 or highest < 1 - TOLERANCE:
            continue
        found.append(Narrowed(target, lowest, math.floor(highest + TOLERANCE)))
    return found
