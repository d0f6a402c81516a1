"""UI quarterly wage records (state workforce agency) → ``wages`` and ``identity_record`` rows.

A wage file is a CSV read by the generic importer (``tabular``) with a preset mapping: each
canonical column is taken from the first of its accepted headers (``WAGE_COLUMNS``) that the
file has, and the SSN (or its hash) also goes to the identity tier for linkage. The partner's
value crosswalks still apply.

>>> for item in read(Path("wages.csv"), ImportOptions(partner="state-ui")): ...  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from backbone.intake.importers import bounded, tabular
from backbone.warehouse.records import ImportOptions, ImportStream, IntakeLimits

# Accepted headers for UI wage records, in order of preference (standards §3.4).
WAGE_COLUMNS: dict[str, tuple[str, ...]] = {
    "local_id": ("ssn", "ssn_hash", "SSN"),
    "employer_id": ("employer_id", "employer_ui_account", "employer_fein", "fein"),
    "year": ("year",),
    "quarter": ("quarter",),
    "wages": ("wages", "quarterly_wages"),
}


def read(source: Path, options: ImportOptions) -> ImportStream:
    """UI quarterly wage records: ``ssn`` (or ``ssn_hash``), ``employer_id``, ``year``,
    ``quarter``, ``wages`` — header names as in ``WAGE_COLUMNS``."""
    try:
        header = _header(source, options.limits)
    except bounded.Refused as refusal:
        yield refusal.problem
        return
    mapping = {
        column: next((h for h in names if h in header), names[0])
        for column, names in WAGE_COLUMNS.items()
    }
    mapping["ssn"] = mapping["local_id"]  # the identity tier keeps the SSN for linkage
    wage_options = ImportOptions(
        partner=options.partner,
        target_table="wages",
        column_mapping=mapping,
        value_crosswalks=options.value_crosswalks,
        limits=options.limits,
        fast_csv=options.fast_csv,
    )
    yield from tabular.read(source, wage_options)


def _header(source: Path, limits: IntakeLimits) -> list[str]:
    with contextlib.closing(tabular.read_rows(source, limits)) as rows:
        return next(rows, (1, [], 0.0))[1]
