"""Protecting a release as a whole: every indicator, period and dimension together.

Each indicator first gets :func:`protect` (primary rules, coding, complementary suppression
within its own partitions). That is not enough for a release: indicators over the same people
publish one count in two roles, overlapping groups leave a small remainder outside them, and
each marker says something about what it hides. So the release is then read as a reader would
read all of it (:mod:`backbone.disclosure.reader`), and wherever a small count can be narrowed
to fewer than four values another figure is withheld, nearest first, until nothing can:

1. the same count where another indicator shows it (a count shared by two indicators is shown
   in both or in neither — published once, in effect);
2. for the people outside an overlapping group, the group's own figure;
3. the cell's own group size, when what it hides is its numerator or complement;
4. the other groups and the total of its partition, smallest first.

Specific reasons (``small numerator``) are published as ``small count``: which of the two is
small is exactly what a reader would use.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from backbone.disclosure.cells import Cell, Partition, PublishedCell
from backbone.disclosure.complementary import CannotProtect, copy_exposure
from backbone.disclosure.export import OVERALL, ResultRow
from backbone.disclosure.markers import COMPLEMENTARY, PRIMARY
from backbone.disclosure.policy import Policy
from backbone.disclosure.primary import (
    SMALL_COUNT,
    Exposure,
    published_cell,
    specific_reasons,
)
from backbone.disclosure.reader import (
    COMPLEMENT,
    DENOMINATOR,
    KIND_NAMES,
    NUMERATOR,
    Leak,
    Place,
    Quantity,
    Relations,
    counted,
    inferred_equalities,
    kinds,
    leaks,
)
from backbone.disclosure.suppression import protected_exposures

logger = logging.getLogger(__name__)
RELEASE_RULE = "complementary: release"
# Says nothing about the counts: a period whose breakdowns could not be protected otherwise.
WITHDRAWN_RULE = "withdrawn: too small a population to break down"
MAX_ROUNDS = 200
MAX_TRIALS = 6  # candidates tried one by one for each leak before taking the nearest
KIND_OF = {name: kind for kind, name in KIND_NAMES.items()}


@dataclass(frozen=True)
class IndicatorCells:
    """One indicator's part of a release: cells by (period, dimension, group), the partitions
    between their keys, which dimensions are additive, and the policy that governs them."""

    indicator: str
    cells: Mapping[tuple[str, str, str], Cell]
    partitions: Sequence[Partition]
    additive: Mapping[str, bool]
    policy: Policy


@dataclass
class ReleaseProtection:
    """The protected release by place, with what protecting it as a whole cost."""

    published: dict[Place, PublishedCell]
    withheld_alone: int = 0  # cells withheld when each indicator is protected on its own
    withheld: int = 0
    rounds: int = 0
    fixed: list[Leak] = field(default_factory=list)

    @property
    def cells(self) -> int:
        return len(self.published)


@dataclass
class _State:
    tables: dict[str, IndicatorCells]
    cells: dict[Place, Cell]
    exposures: dict[Place, Exposure]
    relations: Relations
    shared: list[tuple[Quantity, Quantity]] = field(default_factory=list)
    cache: dict = field(default_factory=dict)

    def leaks(self, rows: Sequence[ResultRow], focus: Sequence[Leak] | None = None) -> list[Leak]:
        """What a reader of ``rows`` can narrow (of ``focus`` only, when given): one who knows
        only what is published, as the audit does, and one who also knows which counts are
        shared. Both are asked because knowing more can pin a count at 0, which is safe, where
        the audit sees 0 or 1 and must assume the worst."""
        found: dict[tuple[Place, str], Leak] = {}
        for assumed in ((), self.shared):
            for leak in leaks(rows, self.relations, self.truth(), cache=self.cache,
                              assumed=assumed, focus=focus):  # fmt: skip
                found.setdefault((leak.place, leak.quantity), leak)
        return list(found.values())

    def policy(self, place: Place) -> Policy:
        return self.tables[place[0]].policy

    def published(self, place: Place) -> PublishedCell:
        return published_cell(self.cells[place], self.exposures[place], self.policy(place))

    def rows(self) -> list[ResultRow]:
        return [as_row(place, self.cells[place], self.published(place)) for place in self.cells]

    def truth(self) -> dict[Place, tuple[int | None, int]]:
        return {place: (cell.numerator, cell.denominator) for place, cell in self.cells.items()}


def protect_release(
    tables: Sequence[IndicatorCells], progress: Callable[[str], None] | None = None
) -> ReleaseProtection:
    """Protect every indicator, then the release as a whole, until a reader of all of it can
    narrow no small count to fewer than four values. Raises :class:`CannotProtect` when a
    count stays narrow with everything around it withheld."""
    state = _start(tables)
    outcome = ReleaseProtection({}, withheld_alone=_withheld(state))
    while True:
        rows = state.rows()
        found = state.leaks(rows)
        if not found:
            break
        outcome.rounds += 1
        if outcome.rounds > MAX_ROUNDS:
            raise CannotProtect(f"release still leaks after {MAX_ROUNDS} rounds: {found[0]}")
        if progress:
            progress(f"round {outcome.rounds}: {len(found)} narrow counts")
        equalities = [*state.shared, *inferred_equalities(counted(rows))]
        outcome.fixed += _fix_round(state, found, equalities)
    outcome.published = {place: state.published(place) for place in state.cells}
    outcome.withheld = _withheld(state)
    return outcome


def _start(tables: Sequence[IndicatorCells]) -> _State:
    cells = {(t.indicator, *key): cell for t in tables for key, cell in t.cells.items()}
    shared = shared_counts(cells)
    tables = shared_policies(tables, shared)
    exposures: dict[Place, Exposure] = {}
    for table in tables:
        alone = protected_exposures(list(table.cells.values()), table.partitions, table.policy)
        for key, cell in table.cells.items():
            exposures[(table.indicator, *key)] = _blurred(alone[cell.key], cell, table.policy)
    return _State({t.indicator: t for t in tables}, cells, exposures, relations_of(tables), shared)


def relations_of(tables: Sequence[IndicatorCells]) -> Relations:
    """The release's partitions by (period, dimension, group) and its additive dimensions, as
    the reader takes them (and as ``partitions.json`` and ``dimensions.json`` publish them)."""
    partitions = []
    for table in tables:
        where = {cell.key: key for key, cell in table.cells.items()}
        for partition in table.partitions:
            parts = tuple(where[part] for part in partition.parts)
            partitions.append((table.indicator, where[partition.total], parts))
    return Relations(partitions, {table.indicator: dict(table.additive) for table in tables})


def shared_counts(cells: Mapping[Place, Cell]) -> list[tuple[Quantity, Quantity]]:
    """Counts two indicators share, from the true figures: series that agree on every cell
    they both have (at least three). A reader who knows the definitions knows them, whatever
    is shown, so they are assumed even where the published figures would not suggest them."""
    everything = [
        as_row(place, cell, published_cell(cell, Exposure(), Policy()))
        for place, cell in cells.items()
    ]
    return inferred_equalities(everything)


def shared_policies(
    tables: Sequence[IndicatorCells], shared: Sequence[tuple[Quantity, Quantity]]
) -> list[IndicatorCells]:
    """Indicators that share counts are published under the strictest of their policies: a
    count shown under one indicator's minimum must not be small under the other's."""
    group = {table.indicator: table.indicator for table in tables}

    def root(indicator: str) -> str:
        while group[indicator] != indicator:
            indicator = group[indicator]
        return indicator

    for (first, _), (second, _) in shared:
        group[root(first[0])] = root(second[0])
    members: dict[str, list[Policy]] = {}
    for table in tables:
        members.setdefault(root(table.indicator), []).append(table.policy)
    return [
        replace(table, policy=Policy.strictest(members[root(table.indicator)])) for table in tables
    ]


def _blurred(exposure: Exposure, cell: Cell, policy: Policy) -> Exposure:
    """The exposure with ``small numerator``/``small complement`` said as ``small count``, and
    a group under the minimum size said as such: ``small count`` means the group is not small
    (per-indicator protection may have blurred it; the release-wide reader knows the order)."""
    size_rule = f"primary: n < {policy.min_n}"
    specific = specific_reasons(policy.min_n) - {size_rule}
    rules = [SMALL_COUNT if rule in specific else rule for rule in exposure.rules]
    if cell.denominator < policy.min_n:
        rules = [size_rule if rule == SMALL_COUNT else rule for rule in rules]
    exposure.rules[:] = list(dict.fromkeys(rules))
    return exposure


def _withheld(state: _State) -> int:
    return sum(1 for exposure in state.exposures.values() if exposure.marker)


def as_row(place: Place, cell: Cell, out: PublishedCell) -> ResultRow:
    """A published cell as the export row a reader gets (``export.ResultRow``)."""
    indicator, period, dimension, group = place
    return ResultRow(
        indicator, period, dimension, group, cell.unit, out.numerator, out.denominator,
        out.value, out.display, out.marker, out.rule, out.threshold, out.policy_version, 0,
    )  # fmt: skip


# --- one round of fixes ------------------------------------------------------------------------


def _fix_round(
    state: _State, found: list[Leak], equalities: list[tuple[Quantity, Quantity]]
) -> list[Leak]:
    """Withhold one more figure for each leak whose neighbourhood this round has not touched."""
    partners: dict[Quantity, list[Quantity]] = {}
    for first, second in equalities:
        partners.setdefault(first, []).append(second)
        partners.setdefault(second, []).append(first)
    touched: set[tuple[str, str]] = set()
    fixed = []
    for leak in sorted(found, key=lambda item: (item.place, item.quantity)):
        near = {(leak.place[0], leak.place[1])}
        near |= {
            (q[0][0], q[0][1]) for kind in KIND_NAMES for q in partners.get((leak.place, kind), [])
        }
        if near & touched:
            continue
        choice = _choose(state, leak, partners)
        if choice is None:
            touched |= near | _withdraw(state, leak.place, partners)
        else:
            _withhold(state, *choice)
            touched |= near | {(choice[0][0], choice[0][1])}
            logger.debug("withholding %s of %s for %s", choice[1], choice[0], leak)
        fixed.append(leak)
    return fixed


def _withdraw(
    state: _State, place: Place, partners: dict[Quantity, list[Quantity]]
) -> set[tuple[str, str]]:
    """Last resort: the period's breakdowns are withdrawn whole, rules and all, in the
    indicator (or, when that is done already, in every indicator sharing counts with it), so
    that nothing but the relations between rows is left to reason from. Returns the
    (indicator, period) pairs withdrawn."""
    chosen = {(place[0], place[1])}
    if all(_withdrawn(state, p) for p in state.cells if (p[0], p[1]) in chosen):
        chosen = {(indicator, place[1]) for indicator in _connected(place[0], partners)}
    newly = [o for o in state.cells if (o[0], o[1]) in chosen and not _withdrawn(state, o)]
    if not newly:
        raise CannotProtect(
            f"cannot protect the counts of {place}: with every breakdown of {place[1]} withdrawn "
            "a reader can still narrow them"
        )
    for other in newly:
        exposure = state.exposures[other]
        exposure.denominator = exposure.numerator = exposure.value = False
        exposure.coded = ""
        if exposure.marker not in (PRIMARY, COMPLEMENTARY):
            exposure.marker = COMPLEMENTARY
        exposure.rules[:] = [WITHDRAWN_RULE]
    logger.info("withdrawing the breakdowns of %s", sorted(chosen))
    return chosen


def _connected(indicator: str, partners: dict[Quantity, list[Quantity]]) -> set[str]:
    """``indicator`` and every indicator sharing counts with it, directly or through others."""
    links: dict[str, set[str]] = {}
    for (mine, _), others in partners.items():
        links.setdefault(mine[0], set()).update(other[0][0] for other in others)
    found, waiting = {indicator}, [indicator]
    while waiting:
        for other in links.get(waiting.pop(), set()) - found:
            found.add(other)
            waiting.append(other)
    return found


def _withdrawn(state: _State, place: Place) -> bool:
    return state.exposures[place].rules == [WITHDRAWN_RULE]


def _choose(
    state: _State, leak: Leak, partners: dict[Quantity, list[Quantity]]
) -> tuple[Place, str] | None:
    """The figure to withhold for ``leak``: the first candidate that closes it on its own
    (trying at most ``MAX_TRIALS``), else the first that still shows something; None when
    nothing near it shows anything any more."""
    open_candidates = [
        (place, kind)
        for place, kind in dict.fromkeys(_candidates(state, leak, partners))
        if place in state.cells and _shows(state, place, kind)
    ]
    for candidate in open_candidates[:MAX_TRIALS]:
        if _closes(state, leak, candidate):
            return candidate
    return open_candidates[0] if open_candidates else None


def _candidates(
    state: _State, leak: Leak, partners: dict[Quantity, list[Quantity]]
) -> list[tuple[Place, str]]:
    place = leak.place
    outside = leak.quantity.startswith("outside ")
    kind = KIND_OF[leak.quantity.removeprefix("outside ")]
    total = (place[0], place[1], *OVERALL)
    found: list[tuple[Place, str]] = []
    for own in (DENOMINATOR, NUMERATOR, COMPLEMENT):
        for other, other_kind in partners.get((place, own), []):
            found.append((other, other_kind))
        if outside:
            for other, other_kind in partners.get((total, own), []):
                found.append((other, other_kind))
    if outside:
        found += [(place, kind), (total, kind), (place, DENOMINATOR), (total, DENOMINATOR)]
    elif kind != DENOMINATOR:
        found.append((place, DENOMINATOR))
    neighbours = _neighbours(state, place)
    found += [(other, kind) for other in neighbours]
    # The same counts shown by other indicators, then the neighbours' group sizes.
    found += [
        q for other in neighbours for own in KIND_NAMES for q in partners.get((other, own), [])
    ]
    found += [(other, DENOMINATOR) for other in neighbours]
    return found + _further(state, place, partners)


def _further(
    state: _State, place: Place, partners: dict[Quantity, list[Quantity]]
) -> list[tuple[Place, str]]:
    """Last: any cell of the period in this indicator or one sharing counts with it, smallest
    group first, numerators before group sizes."""
    linked = {place[0]} | {
        other[0][0]
        for (mine, _), others in partners.items()
        if mine[0] == place[0]
        for other in others
    }
    cells = sorted(
        (p for p in state.cells if p[0] in linked and p[1] == place[1] and p != place),
        key=lambda p: (state.cells[p].denominator == 0, state.cells[p].denominator, p),
    )
    return [(p, NUMERATOR) for p in cells] + [(p, DENOMINATOR) for p in cells]


def _neighbours(state: _State, place: Place) -> list[Place]:
    """Cells sharing a partition or a total with ``place``: groups before totals, smallest
    first, zeros last (withholding a zero protects nothing)."""
    indicator, period, dimension, _ = place
    total = (indicator, period, *OVERALL)
    members: set[Place] = set()
    for table_indicator, partition_total, parts in state.relations.partitions:
        keys = [(table_indicator, *partition_total), *((table_indicator, *p) for p in parts)]
        if place in keys:
            members.update(keys)
    if (dimension, place[3]) == OVERALL:
        members |= {p for p in state.cells if p[:2] == (indicator, period)}
    else:
        members.add(total)
        members |= {p for p in state.cells if p[:3] == (indicator, period, dimension)}
    members.discard(place)
    return sorted(
        members,
        key=lambda p: (
            (p[2], p[3]) == OVERALL,
            state.cells[p].denominator == 0,
            state.cells[p].denominator,
            p,
        ),
    )


def _closes(state: _State, leak: Leak, candidate: tuple[Place, str]) -> bool:
    """Whether withholding ``candidate`` alone stops ``leak``: tried on the leak's period."""
    place = candidate[0]
    kept = copy_exposure(state.exposures[place])
    _withhold(state, *candidate)
    try:
        period = [
            as_row(p, cell, state.published(p))
            for p, cell in state.cells.items()
            if p[1] == leak.place[1]
        ]
        return not any(
            (other.place, other.quantity) == (leak.place, leak.quantity)
            for other in state.leaks(period, focus=[leak])
        )
    finally:
        state.exposures[place] = kept


def _shows(state: _State, place: Place, kind: str) -> bool:
    exposure = state.exposures[place]
    if kind == DENOMINATOR:
        return bool(exposure.denominator or exposure.value or exposure.numerator or exposure.coded)
    return kind in kinds(state.cells[place].unit) and bool(
        exposure.numerator or exposure.value or exposure.coded
    )


def _withhold(state: _State, place: Place, kind: str) -> None:
    """Withhold a figure; a coded percent gives up its code and is marked as withheld."""
    exposure = state.exposures[place]
    if exposure.coded:
        exposure.coded = ""
        exposure.marker = COMPLEMENTARY
    exposure.withhold(
        COMPLEMENTARY, RELEASE_RULE, keep_denominator=kind != DENOMINATOR, keep_value=False
    )
