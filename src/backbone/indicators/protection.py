"""What a staff reader sees of an indicator's results: exact values for those with person-level
rights, otherwise the same protection as the public scorecard (pure: no Django).

Every staff reader of results — the indicator pages, their CSV, the API — goes through
``services.gated_results``, which picks :func:`exact` or :func:`protected`. Protection is the
scorecard's: each period's total and every dimension whose groups add up to it as a partition,
primary and complementary suppression by ``backbone.disclosure.protect``, markers shown.

The editor's preview shows numbers of a definition nobody has reviewed yet (a population of
one person is a few keystrokes away), so it follows a plainer rule: :func:`preview_refusal`
withholds a period whose numerator, denominator or complement is under the threshold, zero
included (a complement of 0 says that everyone in the population had the outcome).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from backbone.disclosure import CannotProtect, Cell, Partition, Policy, protect
from backbone.indicators.crossed import margin_partitions
from backbone.indicators.presentation import not_available

OVERALL, ALL = "overall", "all"
WITHHELD_WHOLE = "cannot protect: every figure withheld"
INCOMPLETE = "period not complete"


@dataclass(frozen=True)
class Computed:
    """One computed result of an indicator (a period, a group, its counts and value)."""

    period: str
    dimension: str
    group: str
    numerator: int
    denominator: int
    value: float | None
    complete: bool = True  # False while the period's follow-up window is open
    data_through: dt.date | None = None


@dataclass(frozen=True)
class Shown:
    """One result as a staff reader sees it: counts and value are None when withheld, ``display``
    is the value as shown (``42%``, ``*``), ``marker`` why it is withheld (``""`` when shown),
    ``rule`` the disclosure rule that decided (``exact`` for an exact view)."""

    period: str
    dimension: str
    group: str
    numerator: int | None
    denominator: int | None
    value: float | None
    display: str
    marker: str
    rule: str
    complete: bool = True
    data_through: dt.date | None = None


def prefix_of(unit: str) -> str:
    """What goes before a shown median: every median in the library is pay.

    >>> prefix_of("median"), prefix_of("percent")
    ('$', '')
    """
    return "$" if unit == "median" else ""


def exact(rows: Iterable[Computed], unit: str) -> list[Shown]:
    """The results as computed, for a reader with person-level rights.

    >>> exact([Computed("2024", "overall", "all", 7, 10, 70.0)], "percent")[0].display
    '70.0%'
    """
    return [
        Shown(r.period, r.dimension, r.group, r.numerator, r.denominator, r.value,
              _exact_display(r.value, unit), "", "exact", True, r.data_through)
        if r.complete else not_yet_available(r)
        for r in rows
    ]  # fmt: skip


def not_yet_available(row: Computed) -> Shown:
    """A period whose follow-up window has not closed: no figures, for anyone.

    >>> not_yet_available(Computed("2026", "overall", "all", 1, 40, 2.5, False,
    ...                            dt.date(2026, 6, 30))).display
    'not yet available (data through 2026-06-30)'
    """
    return Shown(row.period, row.dimension, row.group, None, None, None,
                 not_available(row.data_through), "", INCOMPLETE, False,
                 row.data_through)  # fmt: skip


def _exact_display(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "median":
        return f"${value:,.0f}"
    return f"{value:,.1f}" if unit == "rate" else f"{value:,g}"


def key(period: str, dimension: str, group: str) -> str:
    """A result's key within one indicator's protection.

    >>> key("2024", "race_ethnicity", "Asian")
    '2024|race_ethnicity|Asian'
    """
    return f"{period}|{dimension}|{group}"


def cells_and_partitions(rows: Sequence[Computed], unit: str) -> tuple[list[Cell], list[Partition]]:
    """The disclosure cell of every result and, per period, a partition of the total by every
    dimension whose groups add up to it (numerators and sizes alike), as the scorecard declares
    them, and of each margin row by its crossed cells (``crossed.margin_partitions``). A
    median's cell size is its numerator: the people it is the median of.

    >>> rows = [Computed("2024", "overall", "all", 5, 12, None),
    ...         Computed("2024", "sex", "F", 2, 4, None), Computed("2024", "sex", "M", 3, 8, None)]
    >>> cells_and_partitions(rows, "percent")[1]
    [Partition(total='2024|overall|all', parts=('2024|sex|F', '2024|sex|M'))]
    """
    prefix = prefix_of(unit)
    cells = {key(r.period, r.dimension, r.group): _cell(r, unit, prefix) for r in rows}
    totals = {r.period: cells[key(r.period, r.dimension, r.group)] for r in rows if _is_total(r)}
    members: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in rows:
        if r.dimension != OVERALL:
            members[(r.period, r.dimension)].append(key(r.period, r.dimension, r.group))
    partitions = []
    for (period, _), parts in sorted(members.items()):
        total = totals.get(period)
        if total is not None and _adds_up(total, [cells[p] for p in parts]):
            partitions.append(Partition(total.key, tuple(sorted(parts))))
    for margin, crossed in margin_partitions((r.period, r.dimension, r.group) for r in rows):
        parts = [key(*place) for place in crossed]
        if _adds_up(cells[key(*margin)], [cells[p] for p in parts]):
            partitions.append(Partition(key(*margin), tuple(parts)))
    return list(cells.values()), partitions


def _cell(row: Computed, unit: str, prefix: str) -> Cell:
    name = key(row.period, row.dimension, row.group)
    if unit == "median":
        return Cell(name, None, row.numerator, row.value, unit, prefix)
    return Cell(name, row.numerator, row.denominator, row.value, unit, prefix)


def _is_total(row: Computed) -> bool:
    return row.dimension == OVERALL and row.group == ALL


def _adds_up(total: Cell, parts: Sequence[Cell]) -> bool:
    sizes = sum(p.denominator for p in parts) == total.denominator
    if total.numerator is None:
        return sizes
    return sizes and sum(p.numerator or 0 for p in parts) == total.numerator


def protected(rows: Sequence[Computed], unit: str, policy: Policy) -> list[Shown]:
    """The results after primary and complementary suppression under ``policy``, in the order
    given. A table that cannot be protected is withheld whole.

    >>> rows = [Computed("2024", "overall", "all", 30, 60, 50.0),
    ...         Computed("2024", "sex", "F", 2, 5, 40.0),
    ...         Computed("2024", "sex", "M", 28, 55, 50.9)]
    >>> [(s.group, s.display, s.marker) for s in protected(rows, "percent", Policy())]
    [('all', '50%', ''), ('F', '*', '*'), ('M', '‡', '‡')]
    """
    complete = [r for r in rows if r.complete]  # incomplete periods are never published
    cells, partitions = cells_and_partitions(complete, unit)
    try:
        published = protect(cells, partitions, policy)
    except CannotProtect:
        return [_withheld(r) if r.complete else not_yet_available(r) for r in rows]
    shown = []
    for r in rows:
        if not r.complete:
            shown.append(not_yet_available(r))
            continue
        out = published[key(r.period, r.dimension, r.group)]
        # A median's published size is its numerator; the other count is never shown.
        numerator, denominator = (
            (out.denominator, None) if unit == "median" else (out.numerator, out.denominator)
        )
        shown.append(
            Shown(r.period, r.dimension, r.group, numerator, denominator, out.value,
                  out.display, out.marker, out.rule, True, r.data_through)
        )  # fmt: skip
    return shown


def _withheld(row: Computed) -> Shown:
    return Shown(row.period, row.dimension, row.group, None, None, None, "*", "*", WITHHELD_WHOLE)


def preview_refusal(numerator: int, denominator: int, threshold: int, unit: str = "") -> str:
    """Why a preview may not show a period's counts, or "" when it may: the numerator, the
    denominator or the complement is under ``threshold`` (zero included). A rate counts events,
    not people, so it has no complement.

    >>> preview_refusal(1, 1, 10)
    'the population has fewer than 10 people'
    >>> preview_refusal(20, 25, 10)
    'fewer than 10 people in the population did not have the outcome'
    >>> preview_refusal(30, 60, 10)
    ''
    """
    if denominator < threshold:
        return f"the population has fewer than {threshold} people"
    if numerator < threshold:
        return f"fewer than {threshold} people in the population had the outcome"
    if unit != "rate" and denominator - numerator < threshold:
        return f"fewer than {threshold} people in the population did not have the outcome"
    return ""
