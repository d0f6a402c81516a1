"""The measurement plan: for each indicator, whose files it reads, on which schedule, under which
agreement, and where that chain is broken.

An indicator reads partners' data through its tables (``IndicatorDefinition.tables``). Its base
table's rows may come from any partner, and so may the rows of a table joined on ``person_key``
(across partners, through the crosswalk). A table joined on ``record_id`` adds no partner: it
holds the same partner's rows for the same record. So a partner *feeds* an indicator when its
files delivered rows to one of :func:`partner_tables`.

A gap is a feed no active agreement covers, or a table the indicator needs that no partner's
files fed:

>>> from backbone.indicators.definitions import IndicatorDefinition
>>> absence = IndicatorDefinition.model_validate({
...     "slug": "absence_housing", "name": "Absence of housed students", "table": "attendance",
...     "joins": [{"table": "housing", "on": "person_key"}],
...     "denominator": "TRUE", "numerator": "attendance.days_absent > 0",
...     "period": {"column": "attendance.school_year"}})
>>> sorted(partner_tables(absence))
['attendance', 'housing']
>>> district = Feed("district", "District", "edfi", frozenset({"attendance"}), agreement="d-dsa")
>>> row = plan_row(Planned(absence, owner="District"), [district])
>>> row.partners, row.gaps
(('District',), ("no partner's files feed the housing table",))
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from backbone.indicators.definitions import IndicatorDefinition, dimension_names


@dataclass(frozen=True)
class Feed:
    """One partner's files for one contract: the tables they delivered rows to, the schedule
    they are due on, and the agreement that covers them now (``gap`` says why none does)."""

    partner: str  # slug
    partner_name: str
    contract: str
    tables: frozenset[str]
    schedule: str = ""
    agreement: str = ""
    gap: str = ""


@dataclass(frozen=True)
class Planned:
    """An indicator as the plan sees it: its definition and who in the partnership owns it."""

    definition: IndicatorDefinition
    owner: str = ""


@dataclass(frozen=True)
class PlanRow:
    """One indicator's line in the plan."""

    slug: str
    name: str
    tables: tuple[str, ...]
    feeds: tuple[Feed, ...]
    dimensions: tuple[str, ...]
    owner: str
    gaps: tuple[str, ...] = field(default=())

    @property
    def partners(self) -> tuple[str, ...]:
        return tuple(sorted({f.partner_name for f in self.feeds}))

    @property
    def agreements(self) -> tuple[str, ...]:
        return tuple(sorted({f.agreement for f in self.feeds if f.agreement}))


def partner_tables(definition: IndicatorDefinition) -> frozenset[str]:
    """The tables whose rows may come from any partner: the base table and those joined on
    ``person_key``."""
    joined = {join.table for join in definition.joins if join.on == "person_key"}
    return frozenset({definition.table, *joined})


def plan_row(planned: Planned, feeds: Iterable[Feed]) -> PlanRow:
    """The plan's line for ``planned``, given the feeds that fed its last run."""
    definition = planned.definition
    read = partner_tables(definition)
    used = tuple(sorted((f for f in feeds if f.tables & read), key=_feed_order))
    unfed = sorted(read - {t for f in used for t in f.tables})
    gaps = [f.gap for f in used if f.gap]
    gaps += [f"no partner's files feed the {table} table" for table in unfed]
    return PlanRow(
        slug=definition.slug,
        name=definition.name,
        tables=definition.tables,
        feeds=used,
        dimensions=tuple(dimension_names(definition)),
        owner=planned.owner,
        gaps=tuple(gaps),
    )


def _feed_order(feed: Feed) -> tuple[str, str]:
    return (feed.partner_name, feed.contract)


def uncovered(partner_name: str, contract: str, reason: str) -> str:
    """The gap a feed without an agreement shows, e.g. "no agreement covers Riverton Area
    Homeless Coalition's hmis files (agreement 'rahc-dsa' has ended)"."""
    return f"no agreement covers {partner_name}'s {contract} files ({reason})"


UNREADABLE = "its stored definition does not load: open it in the editor to fix it"

CSV_COLUMNS = (
    "indicator", "name", "tables", "partners", "contracts", "schedules", "agreements",
    "dimensions", "owner", "gaps",
)  # fmt: skip


def csv_rows(rows: Sequence[PlanRow]) -> list[list[str]]:
    """The plan as CSV rows under ``CSV_COLUMNS``; lists are joined with "; "."""
    return [
        [
            row.slug,
            row.name,
            "; ".join(row.tables),
            "; ".join(row.partners),
            "; ".join(f"{f.partner}:{f.contract}" for f in row.feeds),
            "; ".join(f"{f.partner}:{f.contract}: {f.schedule or 'none'}" for f in row.feeds),
            "; ".join(row.agreements),
            "; ".join(row.dimensions),
            row.owner,
            "; ".join(row.gaps),
        ]
        for row in rows
    ]
