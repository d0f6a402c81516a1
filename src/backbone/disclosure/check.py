"""``backbone check-disclosure``: audit a published export before it is released.

Reads the export, adds a partition of the overall row for every dimension the export marks
additive (so a partition the publisher forgot to declare is still checked), and runs the audit
indicator by indicator (each indicator's periods together, so quarters within a year count).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from backbone.disclosure.audit import Figure, Finding, recoverable
from backbone.disclosure.cells import Partition
from backbone.disclosure.derivation import InconsistentData
from backbone.disclosure.export import (
    OVERALL,
    PARTITIONS,
    DeclaredPartition,
    Export,
    ExportError,
    ResultRow,
    RowKey,
    read_export,
)


@dataclass(frozen=True)
class ExportFinding:
    """A recoverable small figure, named the way the export names its cell."""

    indicator: str
    period: str
    dimension: str
    group: str
    quantity: str
    value: int
    threshold: int
    how: str


@dataclass
class CheckReport:
    cells_checked: int = 0
    findings: list[ExportFinding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check_export(directory: Path) -> CheckReport:
    """Audit the export in ``directory``; raises ExportError when it is missing or malformed.

    Example: ``check_export(Path("site")).findings == []`` for a safe release.
    """
    export = read_export(directory)
    report = CheckReport(cells_checked=len(export.rows))
    rows_by_indicator: dict[str, list[ResultRow]] = defaultdict(list)
    for row in export.rows:
        rows_by_indicator[row.indicator].append(row)
    for indicator, rows in rows_by_indicator.items():
        report.findings += check_indicator(indicator, rows, export, report.notes)
    return report


def check_indicator(
    indicator: str, rows: list[ResultRow], export: Export, notes: list[str]
) -> list[ExportFinding]:
    figures = [figure(row) for row in rows]
    declared = [as_partition(p) for p in export.partitions if p.indicator == indicator]
    additive = additive_partitions(rows, export.additive.get(indicator, {}))
    try:
        findings = recoverable(figures, unique(declared + additive))
    except InconsistentData:
        notes.append(
            f"{indicator}: the groups of its additive dimensions do not add up to the overall "
            "row; checked with the declared partitions only"
        )
        try:
            findings = recoverable(figures, unique(declared))
        except InconsistentData as error:
            message = f"the published numbers of {indicator} contradict its partitions ({error})"
            raise ExportError(PARTITIONS, message) from None
    by_key = {cell_key(row.key): row for row in rows}
    return [named(indicator, by_key[f.key], f) for f in findings]


def cell_key(key: RowKey) -> str:
    return "\x1f".join(key)


def figure(row: ResultRow) -> Figure:
    return Figure(
        cell_key(row.key),
        row.unit,
        row.numerator,
        row.denominator,
        row.value,
        row.display,
        row.threshold,
    )


def as_partition(declared: DeclaredPartition) -> Partition:
    return Partition(cell_key(declared.total), tuple(cell_key(part) for part in declared.parts))


def additive_partitions(rows: list[ResultRow], additive: dict[str, bool]) -> list[Partition]:
    """Each additive dimension's groups as a partition of the overall row of the same period."""
    keys = {row.key for row in rows}
    groups: dict[tuple[str, str], list[RowKey]] = defaultdict(list)
    for row in rows:
        if additive.get(row.dimension) and (row.dimension, row.group) != OVERALL:
            groups[(row.period, row.dimension)].append(row.key)
    partitions = []
    for (period, _), parts in sorted(groups.items()):
        total = (period, *OVERALL)
        if total in keys:
            partitions.append(Partition(cell_key(total), tuple(cell_key(p) for p in sorted(parts))))
    return partitions


def unique(partitions: Iterable[Partition]) -> list[Partition]:
    seen: dict[tuple[str, frozenset[str]], Partition] = {}
    for partition in partitions:
        seen.setdefault((partition.total, frozenset(partition.parts)), partition)
    return list(seen.values())


def named(indicator: str, row: ResultRow, finding: Finding) -> ExportFinding:
    return ExportFinding(
        indicator,
        row.period,
        row.dimension,
        row.group,
        finding.quantity,
        finding.value,
        finding.threshold,
        finding.how,
    )
