"""Data contracts: what a partner agrees to submit, in which format, feeding which tables.

A contract is named in the submission calendar, on the upload page and in
``backbone ingest --contract NAME``. Multi-table formats (Ed-Fi, HMIS) have one contract each;
generic CSV/XLSX contracts feed one canonical table (plus the identity tier from the same file).
The column rules themselves live with the tables (``backbone.warehouse.tables``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from backbone.warehouse.records import ImportOptions, ImportStream

Importer = Callable[[Path, ImportOptions], ImportStream]

GENERIC_READER = "backbone.intake.importers.tabular:read"


@dataclass(frozen=True)
class Contract:
    """A contract and the importer that reads its files, named by dotted path so that the
    warehouse never imports a format's module and a new format needs no migration."""

    name: str
    title: str
    tables: tuple[str, ...]
    formats: str  # what files it accepts, in words
    target_table: str = ""  # for generic CSV/XLSX contracts
    mappable: bool = False  # takes a per-partner column mapping and value crosswalks
    reader: str = GENERIC_READER  # "package.module:function"

    def importer(self) -> Importer:
        """The reader function, imported on first use (each format's module loads lazily)."""
        module, _, function = self.reader.partition(":")
        return getattr(importlib.import_module(module), function)  # type: ignore[no-any-return]


EDFI_TABLES = (
    "identity_record", "person_demographics", "school_enrollment", "attendance",
    "attendance_monthly", "assessment", "discipline", "program_participation",
)  # fmt: skip


def _generic(table: str, title: str) -> Contract:
    return Contract(
        table,
        title,
        ("identity_record", table),
        "CSV or XLSX with a column mapping",
        table,
        mappable=True,
    )


CONTRACTS: dict[str, Contract] = {
    c.name: c
    for c in (
        Contract(
            "edfi",
            "Ed-Fi student data (school district)",
            EDFI_TABLES,
            "Ed-Fi XML interchange files (Data Standard 5.2 or 6.1) or API JSON resources; "
            "a folder or a zip",
            reader="backbone.intake.importers.edfi:read",
        ),
        Contract(
            "hmis",
            "HUD HMIS CSV export (homeless services)",
            ("identity_record", "person_demographics", "housing"),
            "HMIS CSV export FY2024 or FY2026, as a zip or a folder",
            reader="backbone.intake.importers.hmis:read",
        ),
        Contract(
            "ui_wages",
            "UI quarterly wage records (state workforce agency)",
            ("identity_record", "wages"),
            "CSV: ssn or ssn_hash, employer_id, year, quarter, wages (first_name, last_name too)",
            "wages",
            reader="backbone.intake.importers.ui_wages:read",
        ),
        _generic("person_demographics", "People and their demographics"),
        _generic("program_participation", "Program participation (community organizations)"),
        _generic("program_assessment", "Program pre/post assessments (community organizations)"),
        _generic("postsecondary", "Postsecondary enrollment and awards (college)"),
        _generic("training", "Training enrollment and credentials (workforce)"),
        _generic("skill_gain", "Measurable skill gains per program year (workforce)"),
        _generic("employer_event", "Employer interviews, offers and hires"),
        _generic("graduation", "Graduation cohort outcomes"),
    )
}


def contract(name: str) -> Contract:
    """The contract called ``name``; the error lists the known ones."""
    try:
        return CONTRACTS[name]
    except KeyError:
        raise KeyError(f"no contract {name!r}; known contracts: {', '.join(CONTRACTS)}") from None
