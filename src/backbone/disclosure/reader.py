"""What a reader holding a whole release knows, as whole-number facts, and what it narrows.

Every published row of every indicator becomes up to three whole-number variables — the group
size ``D``, the numerator ``N`` and the complement ``C = D - N`` — bound by what the release
says of them:

- a shown count is fixed; a shown or coded percent bounds ``100 N / D``;
- each rule's marker says something: ``primary: n < 10`` that ``D <= 9``; ``small count``
  that ``N`` or ``C`` is 1 to 9, and (rules apply in order) that ``D >= 10`` and the percent
  was not coded; a cell withheld only to protect others (``complementary``) that no primary
  rule applied, so ``N`` and ``C`` are 0 or at least 10;
- the groups of an additive dimension add up to the period's overall row; every group of any
  dimension is part of the overall row, so it is no larger, and the people outside it (the
  total minus the group) are a count to protect too;
- indicators over the same people publish the same count in two roles (graduates are the
  graduation numerator and the postsecondary-enrollment denominator). A reader who sees two
  series agree wherever both are shown assumes they agree where one is withheld
  (:func:`inferred_equalities`).

:func:`leaks` then asks, by integer programming (:mod:`backbone.disclosure.intervals`), which
withheld counts a reader can narrow to fewer than four whole values including a small one.
The audit runs it on a published export; release-wide protection on the release it is about to
publish, until it finds nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol, cast

from backbone.disclosure.intervals import Infeasible, Narrowed, Problem, Target, narrowed

DENOMINATOR, NUMERATOR, COMPLEMENT = "D", "N", "C"
KIND_NAMES = {DENOMINATOR: "denominator", NUMERATOR: "numerator", COMPLEMENT: "complement"}
OVERALL = ("overall", "all")
PENDING = "period not complete"
PRIMARY = re.compile(r"^primary: n < (\d+)$")
BAND = re.compile(r"^percent only: n < (\d+)$")
SMALL_RULES = {"small numerator", "small complement", "small count"}
CODED_RULES = {"top coded", "bottom coded"}
CODED_DISPLAY = re.compile(r"^(>=|<=)(\d+(?:\.\d+)?)%$")
DEFAULT_CODING = (Fraction(5), Fraction(95))
INFER_AT_LEAST = 3  # shown cells two series must agree on before a reader assumes they are equal

Place = tuple[str, str, str, str]  # indicator, period, dimension, group
RowKey = tuple[str, str, str]  # period, dimension, group
Quantity = tuple[Place, str]


class Row(Protocol):
    """One published cell as a reader sees it (``export.ResultRow`` is one)."""

    @property
    def indicator(self) -> str: ...
    @property
    def period(self) -> str: ...
    @property
    def dimension(self) -> str: ...
    @property
    def group(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def numerator(self) -> int | None: ...
    @property
    def denominator(self) -> int | None: ...
    @property
    def value(self) -> float | None: ...
    @property
    def display(self) -> str: ...
    @property
    def rule(self) -> str: ...
    @property
    def threshold(self) -> int: ...


@dataclass(frozen=True)
class Relations:
    """What a reader knows ties the rows together: ``partitions`` are (indicator, total, parts)
    by (period, dimension, group); ``additive`` marks each indicator's additive dimensions."""

    partitions: Sequence[tuple[str, tuple[str, str, str], Sequence[tuple[str, str, str]]]]
    additive: Mapping[str, Mapping[str, bool]]


@dataclass(frozen=True)
class Leak:
    """A small count a reader can learn: ``quantity`` is ``denominator``, ``numerator``,
    ``complement`` or ``outside <kind>`` (the total less an overlapping group); ``low..high``
    is every value it can take; ``how`` is ``derived`` or ``published``."""

    place: Place
    quantity: str
    low: int
    high: int
    threshold: int
    how: str


def place_of(row: Row) -> Place:
    return (row.indicator, row.period, row.dimension, row.group)


def kinds(unit: str) -> tuple[str, ...]:
    """A median has only a group size; a rate's numerator counts events, with no complement."""
    if unit == "median":
        return (DENOMINATOR,)
    return (DENOMINATOR, NUMERATOR) if unit == "rate" else (DENOMINATOR, NUMERATOR, COMPLEMENT)


def shown(row: Row) -> dict[str, int]:
    """The counts a row publishes, its complement included when both others are shown."""
    known: dict[str, int] = {}
    if row.denominator is not None:
        known[DENOMINATOR] = row.denominator
    if row.numerator is not None and NUMERATOR in kinds(row.unit):
        known[NUMERATOR] = row.numerator
    if len(known) == 2 and COMPLEMENT in kinds(row.unit):
        known[COMPLEMENT] = known[DENOMINATOR] - known[NUMERATOR]
    return known


def counted(rows: Iterable[Row]) -> list[Row]:
    """The rows that carry information: a period not yet complete publishes nothing."""
    return [row for row in rows if not row.rule.startswith(PENDING)]


def coding_bounds(rows: Iterable[Row]) -> dict[str, tuple[Fraction, Fraction]]:
    """Each indicator's bottom and top codes, read off its coded displays (5% and 95% else)."""
    bounds: dict[str, list[Fraction]] = defaultdict(lambda: list(DEFAULT_CODING))
    for row in rows:
        coded = CODED_DISPLAY.match(row.display)
        if coded:
            bounds[row.indicator][0 if coded.group(1) == "<=" else 1] = Fraction(coded.group(2))
    return {indicator: (low, high) for indicator, (low, high) in bounds.items()}


@dataclass(frozen=True)
class Series:
    """Two series a reader takes to be equal, ``evidence`` the shown cells they agree on, and
    the equalities that follow (one per cell both indicators have)."""

    evidence: int
    pairs: tuple[tuple[Quantity, Quantity], ...]


def inferred_series(rows: Sequence[Row], at_least: int = INFER_AT_LEAST) -> list[Series]:
    """Series in different indicators a reader would take to be equal: two series (an
    indicator's numerators, denominators or complements) that agree on every cell where both
    are shown, and on at least ``at_least`` of them, are assumed to agree everywhere."""
    series: dict[tuple[str, str], dict[RowKey, int]] = defaultdict(dict)
    present: dict[tuple[str, str], set[RowKey]] = defaultdict(set)
    for row in rows:
        key = (row.period, row.dimension, row.group)
        for kind in kinds(row.unit):
            present[(row.indicator, kind)].add(key)
        for kind, value in shown(row).items():
            series[(row.indicator, kind)][key] = value
    names = sorted(present)
    found = []
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            if first[0] == second[0]:
                continue
            both = series[first].keys() & series[second].keys()
            if len(both) < at_least or any(series[first][k] != series[second][k] for k in both):
                continue
            pairs = tuple(
                (((first[0], *key), first[1]), ((second[0], *key), second[1]))
                for key in sorted(present[first] & present[second])
            )
            found.append(Series(len(both), pairs))
    return found


def inferred_equalities(
    rows: Sequence[Row], at_least: int = INFER_AT_LEAST
) -> list[tuple[Quantity, Quantity]]:
    """The equalities of every series :func:`inferred_series` finds, in one list."""
    return [pair for series in inferred_series(rows, at_least) for pair in series.pairs]


class Reader:
    """The facts a reader has about ``rows``, as an integer program with targets."""

    def __init__(
        self,
        rows: Sequence[Row],
        relations: Relations,
        equalities: Sequence[tuple[Quantity, Quantity]] = (),
        truth: Mapping[Place, tuple[int | None, int]] | None = None,
        precedence: bool = True,
    ) -> None:
        self.rows = {place_of(row): row for row in counted(rows)}
        self.precedence = precedence
        self.relations = relations
        self.coding = coding_bounds(self.rows.values())
        self.truth = truth
        self.problem = Problem()
        self.targets: list[Target] = []
        self.published: list[Leak] = []
        self.witness: dict[object, int] = {}
        self.ceiling = 10 * max((r.denominator or 0 for r in self.rows.values()), default=0) + 10**4
        for row in self.rows.values():
            self._add_row(row)
        self._add_partitions()
        self._add_subsets()
        for first, second in equalities:
            if first in self.problem.index and second in self.problem.index:
                self.problem.equal({first: 1, second: -1})

    # --- each row ------------------------------------------------------------------------

    def _add_row(self, row: Row) -> None:
        place, t = place_of(row), row.threshold
        for kind in kinds(row.unit):
            self.problem.variable((place, kind))
            if self.truth is not None:
                self.witness[(place, kind)] = self._true(place, kind)
        if COMPLEMENT in kinds(row.unit):
            self.problem.equal(
                {(place, DENOMINATOR): 1, (place, NUMERATOR): -1, (place, COMPLEMENT): -1}
            )
        known = shown(row)
        for kind, value in known.items():
            self.problem.fix((place, kind), value)
            if 0 < value < t:
                self.published.append(Leak(place, KIND_NAMES[kind], value, value, t, "published"))
        for kind in kinds(row.unit):
            if kind not in known:
                self.targets.append(Target((place, kind), (((place, kind), 1),), t))
        self._add_rules(row, place, t)

    def _true(self, place: Place, kind: str) -> int:
        assert self.truth is not None
        numerator, denominator = self.truth[place]
        return {
            DENOMINATOR: denominator,
            NUMERATOR: numerator or 0,
            COMPLEMENT: denominator - (numerator or 0),
        }[kind]

    def _add_rules(self, row: Row, place: Place, t: int) -> None:
        """What the shown or coded percent and the rule that withheld a cell say about it
        (rules apply in a fixed order, so a later rule says the earlier ones did not apply)."""
        self._add_percent(row, place)
        parts = set(row.rule.split("; "))
        sizes = [int(m.group(1)) for p in parts if (m := PRIMARY.match(p))]
        band = [int(m.group(1)) for p in parts if (m := BAND.match(p))]
        complementary = any(p.startswith("complementary") for p in parts)
        if sizes:
            self.problem.variable((place, DENOMINATOR), 0, min(sizes) - 1)
            return
        if band:
            self.problem.variable((place, DENOMINATOR), t, min(band) - 1)
            return
        if parts & SMALL_RULES:
            self._small(row, place, t, parts)
        if not self.precedence or not (parts & (SMALL_RULES | CODED_RULES) or complementary):
            return
        self.problem.variable((place, DENOMINATOR), t)  # the size rule let the group through
        if parts & CODED_RULES:
            return
        if row.unit == "percent":
            self._not_coded(row, place)
        if not parts & SMALL_RULES:  # withheld only to protect others: nothing small here
            if row.unit == "percent":
                self.problem.variable((place, NUMERATOR), t)
                self.problem.variable((place, COMPLEMENT), t)
            else:
                for kind in kinds(row.unit)[1:]:
                    self._zero_or_at_least((place, kind), t)

    def _add_percent(self, row: Row, place: Place) -> None:
        """A coded percent, or a shown one whose numerator is withheld, bounds ``100 N / D``."""
        if row.unit != "percent" or row.numerator is not None:
            return
        coded = CODED_DISPLAY.match(row.display)
        if coded:
            bound = Fraction(coded.group(2))
            top = coded.group(1) == ">="
            self._ratio(place, bound if top else None, None if top else bound)
        elif row.value is not None:
            shown_percent, half = Fraction(row.value), Fraction(1, 2)
            high = None if shown_percent >= 100 else shown_percent + half
            self._ratio(place, max(shown_percent - half, Fraction(0)), high, strict=True)

    def _codes(self, row: Row) -> tuple[Fraction, Fraction]:
        return self.coding.get(row.indicator, DEFAULT_CODING)

    def _small(self, row: Row, place: Place, t: int, parts: set[str]) -> None:
        n, c = (place, NUMERATOR), (place, COMPLEMENT)
        if "small numerator" in parts or COMPLEMENT not in kinds(row.unit):
            self.problem.variable(n, 1, t - 1)
        elif "small complement" in parts:
            self.problem.variable(c, 1, t - 1)
            if self.precedence:
                self.problem.variable(n, t)
        else:  # "small count": the numerator or the complement, not saying which
            b = self.problem.variable((place, "numerator is small"), 0, 1)
            ceiling = row.denominator if row.denominator is not None else self.ceiling
            self.problem.add({n: 1, b: -1}, 0)
            self.problem.add({n: 1, b: ceiling}, high=t - 1 + ceiling)
            self.problem.add({c: 1, b: 1}, 1)
            self.problem.add({c: 1, b: -ceiling}, high=t - 1)
            if self.truth is not None:
                self.witness[b] = int(0 < self._true(place, NUMERATOR) < t)

    def _zero_or_at_least(self, quantity: Quantity, t: int) -> None:
        z = self.problem.variable((quantity, "at least threshold"), 0, 1)
        self.problem.add({quantity: 1, z: -self.ceiling}, high=0)
        self.problem.add({quantity: 1, z: -t}, 0)
        if self.truth is not None:
            self.witness[z] = int(self._true(*quantity) >= t)

    def _not_coded(self, row: Row, place: Place) -> None:
        bottom, top = self._codes(row)
        self._ratio(place, bottom, top, strict=True, low_strict=True)

    def _ratio(
        self,
        place: Place,
        low: Fraction | None,
        high: Fraction | None,
        strict: bool = False,
        low_strict: bool = False,
    ) -> None:
        """``low <= 100 N / D <= high`` in whole numbers (``<`` where strict)."""
        d, n = (place, DENOMINATOR), (place, NUMERATOR)
        for bound, upper, is_strict in ((low, False, low_strict), (high, True, strict)):
            if bound is None:
                continue
            scale = bound.denominator
            # scale * 100 N - bound.numerator * D compared with 0; strict means a gap of one
            terms = {n: 100 * scale, d: -bound.numerator}
            gap = 1 if is_strict else 0
            if upper:
                self.problem.add(terms, high=-gap)
            else:
                self.problem.add(terms, gap)

    # --- how rows relate -----------------------------------------------------------------

    def _add_partitions(self) -> None:
        for indicator, total, parts in self._all_partitions():
            members = [(indicator, *total), *((indicator, *p) for p in parts)]
            if not all(m in self.rows for m in members):
                continue
            shared = set.intersection(*(set(kinds(self.rows[m].unit)) for m in members))
            for kind in shared:
                terms = {(members[0], kind): 1}
                for member in members[1:]:
                    terms[(member, kind)] = terms.get((member, kind), 0) - 1
                self.problem.equal(terms)

    def _all_partitions(self) -> list[tuple[str, RowKey, tuple[RowKey, ...]]]:
        """Declared partitions and one per additive dimension and period, each once."""
        found = {
            (indicator, total, tuple(sorted(parts)))
            for indicator, total, parts in self.relations.partitions
        }
        groups: dict[tuple[str, str, str], list[RowKey]] = defaultdict(list)
        for indicator, period, dimension, group in self.rows:
            if (
                self.relations.additive.get(indicator, {}).get(dimension)
                and (dimension, group) != OVERALL
            ):
                groups[(indicator, period, dimension)].append((period, dimension, group))
        for (indicator, period, _), parts in groups.items():
            found.add((indicator, (period, *OVERALL), tuple(sorted(parts))))
        return sorted(found)

    def _add_subsets(self) -> None:
        """Each group is part of its period's overall row; outside an overlapping group is a
        count of people too."""
        for place, row in self.rows.items():
            indicator, period, dimension, _ = place
            total = (indicator, period, *OVERALL)
            if (dimension, place[3]) == OVERALL or total not in self.rows:
                continue
            additive = self.relations.additive.get(indicator, {}).get(dimension, False)
            shared = set(kinds(row.unit)) & set(kinds(self.rows[total].unit))
            for kind in sorted(shared):
                terms = {(total, kind): 1, (place, kind): -1}
                self.problem.add(terms, 0)
                if not additive:
                    self._outside(place, total, kind, row.threshold)

    def _outside(self, place: Place, total: Place, kind: str, t: int) -> None:
        known_total, known_group = shown(self.rows[total]), shown(self.rows[place])
        label = f"outside {KIND_NAMES[kind]}"
        if kind in known_total and kind in known_group:
            value = known_total[kind] - known_group[kind]
            if 0 < value < t:
                self.published.append(Leak(place, label, value, value, t, "published"))
            return
        self.targets.append(Target((place, label), (((total, kind), 1), ((place, kind), -1)), t))

    # --- what it narrows -----------------------------------------------------------------

    def narrowed(
        self, cache: dict | None = None, focus: Collection[tuple[Place, str]] | None = None
    ) -> list[Narrowed]:
        """The narrowed targets; only those labelled in ``focus`` when it is given."""
        witness = self.witness if self.truth is not None else None
        if focus is None:
            return narrowed(self.problem, self.targets, witness, cache)
        chosen = [target for target in self.targets if target.label in focus]
        return narrowed(self.problem, chosen, witness, cache, every_component=False)


def leaks(
    rows: Sequence[Row],
    relations: Relations,
    truth: Mapping[Place, tuple[int | None, int]] | None = None,
    at_least: int = INFER_AT_LEAST,
    cache: dict | None = None,
    assumed: Sequence[tuple[Quantity, Quantity]] = (),
    focus: Collection[Leak] | None = None,
) -> list[Leak]:
    """Every small count a reader of ``rows`` can learn exactly or narrow to under four values.

    Equalities the reader infers between indicators are dropped from a component whose
    published figures contradict them (the reader sees they do not hold there), then what the
    order of the rules implies. Raises :class:`Infeasible` when the published figures
    contradict even the stated relations.
    ``truth`` (numerator, denominator by place) only saves work: it never changes the answer.
    ``assumed`` are further equalities known to hold (the publisher knows which counts its
    indicators share), never dropped. ``focus`` asks only whether those leaks are still there.
    """
    labels = None if focus is None else {(leak.place, label_of(leak.quantity)) for leak in focus}
    series = inferred_series(counted(rows), at_least)
    precedence = True
    while True:
        equalities = [pair for one in series for pair in one.pairs]
        reader = Reader(rows, relations, [*assumed, *equalities], truth, precedence)
        try:
            found = reader.narrowed(cache, labels)
        except Infeasible as error:
            weakened = drop_weakest(series, set(error.names))
            if weakened is not None:
                series = weakened
            elif precedence:
                precedence = False  # the export does not follow the documented order of rules
            else:
                raise
            continue
        return reader.published + [as_leak(item) for item in found]


def drop_weakest(series: list[Series], names: set[object]) -> list[Series] | None:
    """``series`` without the equalities, within the contradicted part ``names``, of the series
    there with the least evidence (a coincidence, most likely); None when none is there."""
    touching = [i for i, one in enumerate(series) if any(_touches(p, names) for p in one.pairs)]
    if not touching:
        return None
    weakest = min(touching, key=lambda i: (series[i].evidence, -i))
    kept = tuple(p for p in series[weakest].pairs if not _touches(p, names))
    return [*series[:weakest], Series(series[weakest].evidence, kept), *series[weakest + 1 :]]


def _touches(pair: tuple[Quantity, Quantity], names: set[object]) -> bool:
    return pair[0] in names or pair[1] in names


def label_of(quantity: str) -> str:
    """A target's kind from a leak's quantity: ``numerator`` is ``N``; ``outside …`` stays."""
    return {name: kind for kind, name in KIND_NAMES.items()}.get(quantity, quantity)


def as_leak(item: Narrowed) -> Leak:
    place, kind = cast(tuple[Place, str], item.target.label)
    quantity = KIND_NAMES.get(kind, kind)
    return Leak(place, quantity, item.low, item.high, item.target.threshold, "derived")


__all__ = ["Leak", "Reader", "Relations", "inferred_equalities", "kinds", "leaks", "place_of"]
