"""From computed results to what disclosure control needs: cells and additive partitions.

One indicator's results hold, per period, the overall total (dimension ``overall``, group
``all``) and each dimension's groups. A dimension whose groups' counts add up to the total in a
period is a **partition** of it: publishing all but one group would let a reader subtract the
last one, so ``protect`` has to know. A dimension whose groups overlap (a person in two training
programs) does not add up and is not a partition; its groups still get primary suppression.

A median is the median over the people *with* a value (the result's numerator), so its cell's
size is that count, and the publisher never shows the other count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from backbone.disclosure import Cell, Partition
from backbone.indicators.crossed import margin_partitions
from backbone.indicators.protection import Computed

OVERALL, ALL = "overall", "all"


@dataclass(frozen=True)
class Declared:
    """A partition the publisher relied on, by (dimension, group), for ``partitions.json``."""

    period: str
    total: tuple[str, str]
    parts: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Plan:
    """One indicator's cells and partitions, ready for ``protect``, and which dimensions add up."""

    cells: dict[str, Cell]
    partitions: list[Partition]
    declared: list[Declared]
    additive: dict[str, bool]


def cell_key(period: str, dimension: str, group: str) -> str:
    """The cell's key within one indicator's ``protect`` call.

    >>> cell_key("2024", "overall", "all")
    '2024|overall|all'
    """
    return f"{period}|{dimension}|{group}"


def to_cell(row: Computed, unit: str, prefix: str = "") -> Cell:
    """The disclosure cell of one result: a median's size is the people it is the median of.
    ``prefix`` goes before a displayed median or count (``"$"``)."""
    key = cell_key(row.period, row.dimension, row.group)
    if unit == "median":
        return Cell(key, None, row.numerator, row.value, unit, prefix)
    return Cell(key, row.numerator, row.denominator, row.value, unit, prefix)


def plan(rows: Sequence[Computed], unit: str, prefix: str = "") -> Plan:
    """Cells for every result and a partition of each period's total by every dimension whose
    groups add up to it (numerators and sizes alike).

    A dimension is ``additive`` when it adds up in every period it has groups in; it is still
    declared as a partition in each period where it adds up, since a reader can subtract there.
    A crossed dimension's cells are also declared as partitions of each margin row they add up
    to (the Black × yes and Black × no cells of the Black row).
    """
    cells = {cell_key(r.period, r.dimension, r.group): to_cell(r, unit, prefix) for r in rows}
    totals = {r.period: cells[cell_key(r.period, OVERALL, ALL)] for r in rows if _is_total(r)}
    groups = _groups(rows)
    partitions: list[Partition] = []
    declared: list[Declared] = []
    additive: dict[str, bool] = {}
    for (dimension, period), members in sorted(groups.items()):
        total = totals.get(period)
        parts = [cells[cell_key(period, dimension, g)] for g in members]
        adds_up = total is not None and _adds_up(total, parts)
        additive[dimension] = additive.get(dimension, True) and adds_up
        if adds_up and total is not None:
            partitions.append(Partition(total.key, tuple(p.key for p in parts)))
            declared.append(
                Declared(period, (OVERALL, ALL), tuple((dimension, g) for g in members))
            )
    for (period, dimension, group), crossed in margin_partitions(_places(rows)):
        total_key = cell_key(period, dimension, group)
        part_keys = [cell_key(*place) for place in crossed]
        if _adds_up(cells[total_key], [cells[p] for p in part_keys]):
            partitions.append(Partition(total_key, tuple(part_keys)))
            declared.append(Declared(period, (dimension, group), tuple(p[1:] for p in crossed)))
    return Plan(cells, partitions, declared, additive)


def _places(rows: Iterable[Computed]) -> list[tuple[str, str, str]]:
    return [(r.period, r.dimension, r.group) for r in rows]


def summary(cells: Iterable[tuple[str, bool]]) -> dict[str, int]:
    """Cells counted by what a reader sees, from each cell's (marker, complete): published,
    withheld by each kind of marker, or not yet available (a period not complete).

    >>> summary([("", True), ("*", True), ("‡", True), (">=95%", True), ("", False)])
    {'cells': 5, 'published': 1, 'primary': 1, 'complementary': 1, 'coded': 1, 'not_available': 1}
    """
    counts = dict.fromkeys(
        ("cells", "published", "primary", "complementary", "coded", "not_available"), 0
    )
    names = {"": "published", "*": "primary", "‡": "complementary"}
    for marker, complete in cells:
        counts["cells"] += 1
        counts[names.get(marker, "coded") if complete else "not_available"] += 1
    return counts


def _is_total(row: Computed) -> bool:
    return row.dimension == OVERALL and row.group == ALL


def _groups(rows: Iterable[Computed]) -> dict[tuple[str, str], list[str]]:
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in rows:
        if row.dimension != OVERALL:
            groups[(row.dimension, row.period)].append(row.group)
    return {key: sorted(members) for key, members in groups.items()}


def _adds_up(total: Cell, parts: Sequence[Cell]) -> bool:
    sizes = sum(p.denominator for p in parts) == total.denominator
    if total.numerator is None:
        return sizes
    counts = sum(p.numerator or 0 for p in parts) == total.numerator
    return sizes and counts
