"""A bad HMIS export is refused with row-level errors and leaves the warehouse byte-for-byte as
it was (checksums of every file before and after)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from backbone.intake.importers import hmis
from backbone.intake.loading import LoadRequest, load
from backbone.warehouse.records import ImportOptions
from backbone.warehouse.store import Warehouse
from tests.fixtures import tree_checksums
from tests.intake.hmis_files import (
    drop_column,
    duplicate_row,
    set_cell,
    write_hmis_export,
    zip_export,
)


def load_export(root: Path, source: Path, submission_id: int):
    request = LoadRequest(
        submission_id, "coc", "secret", root / "staging", {1}, dt.date(2026, 11, 23)
    )
    return load(
        hmis.read(source, ImportOptions(partner="coc")), request, Warehouse(root / "warehouse")
    )


@pytest.fixture
def loaded(tmp_path) -> Path:
    result = load_export(
        tmp_path, zip_export(write_hmis_export(tmp_path / "good"), tmp_path / "good.zip"), 1
    )
    assert result.loaded, result.problems
    return tmp_path


def break_export(directory: Path, how: str) -> None:
    """Client.csv record 2 (after the header) is C1; record 3 is C2."""
    client = directory / "Client.csv"
    if how == "missing required column":
        drop_column(client, "DOB")
    elif how == "impossible date":
        set_cell(client, 3, "DOB", "1979-02-30")
    elif how == "duplicated PersonalID":
        duplicate_row(client, 2)


@pytest.mark.parametrize(
    ("how", "row", "field", "rule"),
    [
        ("missing required column", 1, "DOB", "required_column"),
        ("impossible date", 3, "DOB", "type"),
        (
            "duplicated PersonalID",
            7,
            "PersonalID",
            "duplicate_key",
        ),  # 5 clients, the copy is line 7
    ],
)
def test_bad_export_is_rejected_with_row_level_errors_and_the_warehouse_unchanged(
    loaded, how, row, field, rule
):
    before = tree_checksums(loaded / "warehouse")
    broken = write_hmis_export(loaded / f"bad-{rule}")
    break_export(broken, how)
    result = load_export(loaded, zip_export(broken, loaded / f"bad-{rule}.zip"), 2)
    assert not result.loaded
    assert ("Client.csv", row, field, rule) in [
        (p.file, p.row, p.field, p.rule) for p in result.problems
    ]
    assert tree_checksums(loaded / "warehouse") == before
