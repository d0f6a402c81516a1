"""The XLSX reader: cells as openpyxl writes them, and spreadsheets that lie or attack."""

from __future__ import annotations

import datetime as dt
import time
import zipfile

import pytest
from openpyxl import Workbook

from backbone.intake.importers import bounded, xlsx
from backbone.warehouse.records import IntakeLimits
from tests.intake import hostile_files as hostile


def rows(path, limits: IntakeLimits | None = None) -> list[tuple[int, list[str]]]:
    return [(n, values) for n, values, _ in xlsx.read_rows(path, limits or IntakeLimits())]


def refusal(path, limits: IntakeLimits | None = None) -> bounded.Refused:
    with pytest.raises(bounded.Refused) as caught:
        rows(path, limits)
    return caught.value


def test_cells_come_as_openpyxl_would_give_them(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "born", "seen", "hours", "count", "ok", "note"])
    sheet.append(
        ["S-1", dt.date(2014, 3, 15), dt.datetime(2024, 9, 5, 10, 30), 12.5, 8.0, True, "a"]
    )
    sheet.append([])  # an empty row is skipped
    sheet.append(["S-2", None, None, 0.25, 7, False, None])
    book.save(tmp_path / "book.xlsx")
    assert rows(tmp_path / "book.xlsx") == [
        (1, ["id", "born", "seen", "hours", "count", "ok", "note"]),
        (2, ["S-1", "2014-03-15", "2024-09-05 10:30:00", "12.5", "8", "True", "a"]),
        (4, ["S-2", "", "", "0.25", "7", "False", ""]),
    ]


def test_dates_of_a_1904_workbook_count_from_1904(tmp_path):
    book = Workbook()
    book.epoch = dt.datetime(1904, 1, 1)
    book.active.append(["id", "born"])
    book.active.append(["S-1", dt.date(2014, 3, 15)])
    book.save(tmp_path / "mac.xlsx")
    assert rows(tmp_path / "mac.xlsx")[1] == (2, ["S-1", "2014-03-15"])


def test_rich_text_runs_are_joined_and_phonetic_guides_left_out(tmp_path):
    cell = (
        '<c r="A2" t="inlineStr"><is><r><t>Math </t></r><r><t>Club</t></r>'
        "<rPh><t>まーす</t></rPh></is></c>"
    )
    sheet = hostile.sheet_xml([["program"]]).replace(
        "</sheetData>", f'<row r="2">{cell}</row></sheetData>'
    )
    assert rows(hostile.write_xlsx(tmp_path / "r.xlsx", sheet))[1] == (2, ["Math Club"])


def test_a_sheet_claiming_every_cell_is_read_by_the_cells_it_has(tmp_path):
    path = hostile.xlsx_claiming_every_cell(tmp_path / "claims.xlsx")
    assert path.stat().st_size < 2000
    started = time.monotonic()
    # The cell at XFD1048576 lies beyond the header's three columns: it is not part of a row.
    assert rows(path) == [
        (1, ["local_id", "program", "start_date"]),
        (2, ["S-1", "Math Club", "2024-09-05"]),
    ]
    assert time.monotonic() - started < 1


def test_a_dtd_in_any_part_is_refused(tmp_path):
    problem = refusal(hostile.xlsx_with_dtd(tmp_path / "laughs.xlsx")).problem
    assert (problem.file, problem.rule) == ("laughs.xlsx", "dtd")
    assert "xl/worksheets/sheet1.xml in the file declares a DTD" in problem.message


def test_a_huge_shared_string_is_refused_as_a_zip_bomb(tmp_path):
    path = hostile.xlsx_with_huge_shared_string(tmp_path / "shared.xlsx", 16 * 1024 * 1024)
    problem = refusal(path).problem
    assert (problem.file, problem.rule) == ("shared.xlsx", "zip_bomb")
    assert "xl/sharedStrings.xml in the zip is compressed" in problem.message


def test_a_shared_string_over_the_limit_is_refused_at_the_cell_that_uses_it(tmp_path):
    path = hostile.xlsx_with_huge_shared_string(tmp_path / "shared.xlsx", 2 * 1024 * 1024)
    limits = IntakeLimits(max_zip_ratio=10_000, max_field_chars=1000)
    problem = refusal(path, limits).problem
    assert (problem.file, problem.row, problem.field, problem.rule) == (
        "shared.xlsx",
        2,
        "program",
        "too_long",
    )


def test_shared_strings_over_their_own_limit_are_refused(tmp_path):
    path = hostile.xlsx_with_huge_shared_string(tmp_path / "shared.xlsx", 2 * 1024 * 1024)
    limits = IntakeLimits(max_zip_ratio=10_000, max_shared_strings_bytes=1024 * 1024)
    assert refusal(path, limits).problem.rule == "too_large"


def test_an_inline_string_over_the_limit_is_refused_naming_row_and_column(tmp_path):
    sheet = hostile.sheet_xml([["local_id", "program"], ["S-1", "x" * 101]])
    path = hostile.write_xlsx(tmp_path / "long.xlsx", sheet)
    problem = refusal(path, IntakeLimits(max_field_chars=100)).problem
    assert (problem.row, problem.field, problem.rule) == (2, "program", "too_long")


def test_broken_spreadsheets_are_refused_not_raised(tmp_path):
    not_zip = tmp_path / "not.xlsx"
    not_zip.write_bytes(b"local_id,program\n")
    assert refusal(not_zip).problem.rule == "bad_zip"
    broken = hostile.write_xlsx(tmp_path / "broken.xlsx", "<worksheet><sheetData><row>")
    assert refusal(broken).problem.rule == "malformed_xlsx"
    missing = hostile.sheet_xml([["a"]]).replace(
        "</sheetData>", '<row r="2"><c r="A2" t="s"><v>7</v></c></row></sheetData>'
    )
    problem = refusal(hostile.write_xlsx(tmp_path / "missing.xlsx", missing)).problem
    assert (problem.row, problem.field, problem.rule) == (2, "a", "malformed_xlsx")


def test_a_deeply_nested_sheet_is_refused(tmp_path):
    sheet = hostile.sheet_xml([["a"]]).replace("<sheetData>", "<x>" * 40 + "<sheetData>")
    sheet = sheet.replace("</sheetData>", "</sheetData>" + "</x>" * 40)
    problem = refusal(hostile.write_xlsx(tmp_path / "deep.xlsx", sheet)).problem
    assert problem.rule == "too_deep"


def test_a_damaged_member_is_refused(tmp_path):
    path = hostile.write_xlsx(tmp_path / "ok.xlsx", hostile.sheet_xml(hostile.ROSTER * 50))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + 10
    data[start : start + 20] = b"\x00" * 20  # corrupt the deflated sheet
    path.write_bytes(bytes(data))
    assert refusal(path).problem.rule in {"bad_zip", "malformed_xlsx"}
