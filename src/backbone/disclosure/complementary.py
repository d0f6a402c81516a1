"""Complementary (secondary) suppression, repeated to a fixed point.

After the primary rules, a withheld small figure may still follow from what is shown: one hidden
group in a published total, hidden groups whose sum is itself small, or a combination of several
partitions (schools in a district, race within a school, quarters in a year). Each round asks
:mod:`backbone.disclosure.derivation` what an outsider can pin down, withholds a further cell
wherever that breaks a derivation, and the rounds stop when nothing small can be recovered
(standards.md §4.3 item 4; the next-smallest choice follows New York's practice).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from backbone.disclosure.cells import Cell, Partition
from backbone.disclosure.derivation import (
    COMPLEMENT,
    DENOMINATOR,
    NUMERATOR,
    Bounds,
    Facts,
    Quantity,
    Ratio,
    derive,
    percent_ratio,
)
from backbone.disclosure.display import published_value
from backbone.disclosure.markers import COMPLEMENTARY
from backbone.disclosure.policy import Policy
from backbone.disclosure.primary import (
    SMALL_COUNT,
    Exposure,
    has_complement,
    public_ranges,
    specific_reasons,
)

logger = logging.getLogger(__name__)
MAX_TRIALS = 8


class CannotProtect(ValueError):
    """A small figure stays derivable even with everything around it withheld.

    Happens only for tiny populations, where what the published reasons and totals say is
    enough on its own; the caller should publish that table without breakdowns.
    """


@dataclass
class Table:
    """The cells being protected, their partitions and what is currently shown."""

    cells: dict[str, Cell]
    partitions: Sequence[Partition]
    exposures: dict[str, Exposure]
    policy: Policy
    changed: set[str] = field(default_factory=set)  # cells withheld in the current round

    def true(self, quantity: Quantity) -> int:
        cell = self.cells[quantity[0]]
        numerator = cell.numerator or 0
        return {
            DENOMINATOR: cell.denominator,
            NUMERATOR: numerator,
            COMPLEMENT: cell.denominator - numerator,
        }[quantity[1]]

    def sensitive(self, quantity: Quantity) -> bool:
        return 0 < self.true(quantity) < self.policy.min_n


def kinds(cell: Cell) -> tuple[str, ...]:
    """The quantities a cell has: a median has only a denominator, a rate no complement."""
    if cell.numerator is None:
        return (DENOMINATOR,)
    return (
        (DENOMINATOR, NUMERATOR, COMPLEMENT) if has_complement(cell) else (DENOMINATOR, NUMERATOR)
    )


def facts_for(table: Table) -> Facts:
    """What an outsider learns from the table as it would be published now."""
    facts = Facts()
    for key, cell in table.cells.items():
        exposure = table.exposures[key]
        shown = {DENOMINATOR: exposure.denominator, NUMERATOR: exposure.numerator}
        shown[COMPLEMENT] = exposure.denominator and exposure.numerator
        for kind in kinds(cell):
            quantity = (key, kind)
            if shown[kind]:
                facts.known[quantity] = table.true(quantity)
            else:
                facts.unknown.add(quantity)
        if COMPLEMENT in kinds(cell):
            facts.equations.append(
                {(key, DENOMINATOR): 1, (key, NUMERATOR): -1, (key, COMPLEMENT): -1}
            )
        ratio = published_ratio(cell, exposure, table.policy)
        if ratio is not None:
            facts.ratios.append(ratio)
        rule = "; ".join(exposure.rules)
        for kind, bounds in public_ranges(rule, table.policy.min_n).items():
            facts.ranges[(key, kind)] = bounds
    for partition in table.partitions:
        facts.equations += partition_equations(partition, table.cells)
    return facts


def partition_equations(partition: Partition, cells: dict[str, Cell]) -> list[dict[Quantity, int]]:
    """``total - sum(parts) == 0`` for each quantity every member of the partition has."""
    members = [cells[partition.total], *(cells[key] for key in partition.parts)]
    shared = set.intersection(*(set(kinds(cell)) for cell in members))
    equations = []
    for kind in (DENOMINATOR, NUMERATOR, COMPLEMENT):
        if kind in shared:
            equation = {(key, kind): -1 for key in partition.parts}
            equation[(partition.total, kind)] = 1
            equations.append(equation)
    return equations


def published_ratio(cell: Cell, exposure: Exposure, policy: Policy) -> Ratio | None:
    """The range a shown or coded percent puts on ``100 N / D`` when N itself is withheld."""
    if cell.unit != "percent" or cell.numerator is None or exposure.numerator:
        return None
    if exposure.coded:
        top = exposure.coded.startswith(">")
        low, high = (policy.top_code, 100.0) if top else (0.0, policy.bottom_code)
        return Ratio(cell.key, Fraction(low), Fraction(high))
    if not exposure.value:
        return None
    return percent_ratio(cell.key, published_value(cell) or 0.0)


def complete(table: Table) -> int:
    """Withhold complementary cells until nothing small is derivable; returns how many rounds.

    A round fixes every problem it can in parts of the table that the round has not yet
    touched; the next round re-derives everything, so fixes never rely on stale bounds.
    """
    rounds = 0
    while True:
        bounds = derive_for(table)
        table.changed = set()
        fix_small_withheld_sums(table, bounds)
        if not table.changed:
            fix_derivable(table, bounds)
        if not table.changed:
            return rounds
        rounds += 1


def derive_for(table: Table) -> dict[Quantity, Bounds]:
    """What a reader could pin down, checking small figures by linear programming too."""
    facts = facts_for(table)
    witness = {q: table.true(q) for q in facts.unknown}
    return derive(facts, lambda q, _: table.sensitive(q), witness)


def pinned(table: Table, bounds: dict[Quantity, Bounds], quantity: Quantity) -> bool:
    return quantity not in bounds or bounds[quantity].pinned


def fix_small_withheld_sums(table: Table, bounds: dict[Quantity, Bounds]) -> None:
    """Where a total is known, the withheld parts it pins down must add to 0 or at least min_n."""
    for partition in table.partitions:
        for kind in shared_kinds(table, partition):
            if table.changed & set(partition.members):
                break
            if not pinned(table, bounds, (partition.total, kind)):
                continue
            # Pinned parts are left to fix_derivable, which can look beyond this partition.
            hidden = [
                key
                for key in partition.parts
                if (key, kind) in bounds and not bounds[(key, kind)].pinned
            ]
            withheld_sum = sum(table.true((key, kind)) for key in hidden)
            if 0 < withheld_sum < table.policy.min_n:
                hide_next_smallest(table, partition, kind, withheld_sum)


def shared_kinds(table: Table, partition: Partition) -> list[str]:
    members = [table.cells[key] for key in (partition.total, *partition.parts)]
    return [k for k in (DENOMINATOR, NUMERATOR, COMPLEMENT) if all(k in kinds(c) for c in members)]


def hide_next_smallest(table: Table, partition: Partition, kind: str, withheld_sum: int) -> None:
    """Withhold the smallest shown part that lifts the withheld sum to min_n (else the largest)."""
    shown = sorted(
        (table.true((key, kind)), key) for key in partition.parts if exposed(table, key, kind)
    )
    if not shown:
        if exposed(table, partition.total, kind):
            withhold(table, partition.total, kind, partition)
        return
    enough = [
        key for value, key in shown if value > 0 and withheld_sum + value >= table.policy.min_n
    ]
    withhold(table, enough[0] if enough else shown[-1][1], kind, partition)


def exposed(table: Table, key: str, kind: str) -> bool:
    """Whether withholding ``kind`` of this cell would hide something still shown."""
    exposure = table.exposures[key]
    if kind == DENOMINATOR:
        return exposure.denominator
    return kind in kinds(table.cells[key]) and (exposure.numerator or exposure.value)


def withhold(table: Table, key: str, kind: str, partition: Partition) -> None:
    """Complementary suppression of one cell: all of it for a denominator, else its numerator."""
    rule = f"complementary: partition {partition.total}"
    table.exposures[key].withhold(
        COMPLEMENTARY, rule, keep_denominator=kind != DENOMINATOR, keep_value=False
    )
    table.changed.add(key)
    logger.debug("withholding %s of %s (%s)", kind, key, rule)


def fix_derivable(table: Table, bounds: dict[Quantity, Bounds]) -> None:
    """Break the derivation of each small withheld quantity still pinned down."""
    for quantity in sorted(q for q, b in bounds.items() if b.pinned and table.sensitive(q)):
        if not table.changed & neighbourhood(table, quantity[0]):
            break_derivation(table, quantity)


def neighbourhood(table: Table, key: str) -> set[str]:
    """The cell and every cell it shares a partition with."""
    return {key} | {m for p in table.partitions if key in p.members for m in p.members}


def break_derivation(table: Table, quantity: Quantity) -> None:
    """Withhold the nearby cell that stops ``quantity`` being pinned, smallest first."""
    kind = DENOMINATOR if quantity[1] == DENOMINATOR else NUMERATOR
    candidates = own_percent(table, quantity[0]) if kind == NUMERATOR else []
    leaked = table.true(quantity)
    candidates += nearby_candidates(table, quantity[0], kind, leaked)
    if kind == NUMERATOR:
        candidates += nearby_candidates(table, quantity[0], DENOMINATOR, leaked)
        candidates += own_denominator(table, quantity[0])
    helpful = best_candidate(table, quantity, candidates)
    if helpful is not None:
        withhold(table, *helpful)
    elif blurring_helps(table, quantity):
        blur_reasons(table, quantity[0])
    elif candidates:
        withhold(table, *candidates[0])  # progress: the next round looks again
    else:
        raise CannotProtect(
            f"cannot protect {quantity[1]} of {quantity[0]!r}: everything around it is withheld "
            "and it can still be worked out; publish fewer breakdowns of so small a population"
        )


Candidate = tuple[str, str, Partition]


def own_percent(table: Table, key: str) -> list[Candidate]:
    """A percent-only cell whose group size became derivable can simply stop showing its percent."""
    if not table.exposures[key].value or table.exposures[key].numerator:
        return []
    partition = next((p for p in table.partitions if key in p.members), Partition(key, ()))
    return [(key, NUMERATOR, partition)]


def blurring_helps(table: Table, quantity: Quantity) -> bool:
    """Whether it is the published reasons, not the figures, that pin ``quantity``."""
    trial = trial_table(table)
    return blur_reasons(trial, quantity[0]) and not pinned(
        trial, derive(facts_for(trial)), quantity
    )


def blur_reasons(table: Table, key: str) -> bool:
    """Last resort: stop saying which count is small around ``key``.

    Published reasons are ranges ("small complement" means 1 to min_n - 1), and with
    everything withheld those ranges alone can add up to a pinned value (a group whose two
    parts each miss 1 or 2 people, itself missing 1 or 2). "small count" does not say which.
    """
    blurred = False
    for member in sorted(neighbourhood(table, key)):
        exposure = table.exposures[member]
        specific = specific_reasons(table.policy.min_n)
        rules = [SMALL_COUNT if rule in specific else rule for rule in exposure.rules]
        if rules != exposure.rules:
            exposure.rules[:] = list(dict.fromkeys(rules))
            table.changed.add(member)
            blurred = True
    return blurred


def own_denominator(table: Table, key: str) -> list[Candidate]:
    """Last resort for a numerator: withhold the cell's own group size."""
    if not table.exposures[key].denominator:
        return []
    partition = next((p for p in table.partitions if key in p.members), Partition(key, ()))
    return [(key, DENOMINATOR, partition)]


def nearby_candidates(table: Table, start: str, kind: str, leaked: int) -> Iterator[Candidate]:
    """Shown cells in the partitions around ``start``, nearest partitions first.

    Within a layer, parts before totals, then the smallest cell that lifts the hidden sum to
    min_n, then smaller ones, zeros last (hiding a zero protects nothing).
    """
    reached, seen = {start}, set[int]()
    while True:
        layer = [
            i
            for i, p in enumerate(table.partitions)
            if i not in seen and reached & {p.total, *p.parts}
        ]
        if not layer:
            return
        seen.update(layer)
        found = sorted(
            (
                key == p.total,
                (value := table.true((key, kind))) == 0,
                leaked + value < table.policy.min_n,
                value,
                key,
                i,
            )
            for i in layer
            for p in [table.partitions[i]]
            for key in p.members
            if key != start and kind in shared_kinds(table, p) and exposed(table, key, kind)
        )
        yield from ((item[4], kind, table.partitions[item[5]]) for item in found)
        reached |= {key for i in layer for key in table.partitions[i].members}


def best_candidate(
    table: Table, quantity: Quantity, candidates: list[Candidate]
) -> Candidate | None:
    """The first candidate whose withholding stops ``quantity`` being pinned, if one is found."""
    for candidate in list(dict.fromkeys(candidates))[:MAX_TRIALS]:
        trial = trial_table(table, candidate)
        # Exact reasoning only: the next round's full check catches what it misses.
        if not pinned(trial, derive(facts_for(trial)), quantity):
            return candidate
    return None


def trial_table(table: Table, candidate: Candidate | None = None) -> Table:
    """A copy of ``table`` to try a change on, with ``candidate`` withheld if given."""
    exposures = {key: copy_exposure(e) for key, e in table.exposures.items()}
    trial = Table(table.cells, table.partitions, exposures, table.policy)
    if candidate is not None:
        withhold(trial, *candidate)
    return trial


def copy_exposure(exposure: Exposure) -> Exposure:
    return Exposure(
        exposure.denominator,
        exposure.numerator,
        exposure.value,
        exposure.coded,
        exposure.marker,
        list(exposure.rules),
    )
