"""``backbone check-disclosure``: audit a published export before it is released.

Reads only the published files and reads the whole release at once, as a determined reader
would (:mod:`backbone.disclosure.reader`): every indicator, period and dimension together, the
declared partitions and one per dimension the export marks additive (so a partition the
publisher forgot to declare is still checked), every group within its overall row, what each
marker says, and the equalities between indicators the published figures suggest. For each
withheld count it finds, by integer programming, every whole value the figures allow; a
**finding** is a count that can be small (1 to threshold − 1) and has fewer than four possible
values, or a small count published outright.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from backbone.disclosure.export import PARTITIONS, Export, ExportError, read_export
from backbone.disclosure.intervals import Infeasible
from backbone.disclosure.reader import Leak, Relations, leaks


@dataclass(frozen=True)
class ExportFinding:
    """A small count a reader can learn or narrow, named the way the export names its cell:
    ``low``..``high`` are the values it can take (equal when it is learnt exactly)."""

    indicator: str
    period: str
    dimension: str
    group: str
    quantity: str
    low: int
    high: int
    threshold: int
    how: str

    @property
    def values(self) -> str:
        """``3`` or ``2–4``, for reports."""
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"


@dataclass
class CheckReport:
    cells_checked: int = 0
    findings: list[ExportFinding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def check_export(directory: Path) -> CheckReport:
    """Audit the export in ``directory``; raises ExportError when it is missing or malformed.

    Example: ``check_export(Path("site")).findings == []`` for a safe release.
    """
    started = time.perf_counter()
    export = read_export(directory)
    report = CheckReport(cells_checked=len(export.rows))
    report.findings = [named(leak) for leak in release_leaks(export, report.notes)]
    report.seconds = time.perf_counter() - started
    return report


def release_leaks(export: Export, notes: list[str]) -> list[Leak]:
    """What a reader of the whole export can narrow; falls back to the declared partitions
    when the groups of a dimension marked additive do not add up to the overall row."""
    declared = [(p.indicator, p.total, p.parts) for p in export.partitions]
    try:
        return leaks(export.rows, Relations(declared, export.additive))
    except Infeasible:
        notes.append(
            "the groups of the dimensions marked additive do not add up to the overall rows; "
            "checked with the declared partitions only"
        )
    try:
        return leaks(export.rows, Relations(declared, {}))
    except Infeasible as error:
        message = f"the published numbers contradict the declared partitions ({error})"
        raise ExportError(PARTITIONS, message) from None


def named(leak: Leak) -> ExportFinding:
    indicator, period, dimension, group = leak.place
    return ExportFinding(
        indicator, period, dimension, group, leak.quantity, leak.low, leak.high,
        leak.threshold, leak.how,
    )  # fmt: skip
