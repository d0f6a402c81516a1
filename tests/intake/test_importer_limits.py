"""Each importer refuses hostile and broken files with one problem naming file, row and field,
instead of raising, hanging or filling memory (the importers run in this process here; the
same files through ``backbone ingest`` are in ``test_hostile_ingest``)."""

from __future__ import annotations

import zipfile

import pytest

from backbone.intake.importers import edfi, hmis, tabular, ui_wages
from backbone.warehouse.records import ImportOptions, IntakeLimits, Problem
from tests.intake import hostile_files as hostile
from tests.intake.hmis_files import write_hmis_export, zip_export

SMALL = IntakeLimits(max_field_chars=100)


def problems(stream) -> list[tuple]:
    return [
        (p.file, p.row, p.field, p.rule) for p in stream if isinstance(p, Problem)
    ]  # fmt: skip


# --- Ed-Fi ------------------------------------------------------------------------------------


def edfi_problems(source, limits: IntakeLimits = SMALL) -> list[tuple]:
    return problems(edfi.read(source, ImportOptions(partner="district", limits=limits)))


def test_edfi_element_text_over_the_limit_is_refused_at_its_line(tmp_path):
    path = hostile.edfi_zip_with_huge_student_id(tmp_path / "students.zip", 10_000, level=1)
    assert edfi_problems(path, IntakeLimits(max_field_chars=9_999)) == [
        ("Student.xml", 4, "StudentUniqueId", "too_long")
    ]


def test_edfi_zip_member_compressed_like_a_bomb_is_refused_before_reading(tmp_path):
    path = hostile.edfi_zip_with_huge_student_id(tmp_path / "bomb.zip", 8 * 1024 * 1024)
    assert edfi_problems(path) == [("bomb.zip", None, "", "zip_bomb")]


def test_edfi_dtd_is_refused_and_its_entity_never_becomes_a_student(tmp_path):
    path = hostile.edfi_with_dtd(tmp_path / "Student.xml")
    items = list(edfi.read(path, ImportOptions(partner="district")))
    assert problems(items) == [("Student.xml", 2, "", "dtd")]
    assert [i for i in items if not isinstance(i, Problem)] == []


def test_edfi_nesting_deeper_than_the_limit_is_refused(tmp_path):
    path = hostile.edfi_nested_deeply(tmp_path / "Student.xml", 40)
    assert edfi_problems(path, IntakeLimits(max_xml_depth=32)) == [
        ("Student.xml", 3, "x", "too_deep")
    ]


def test_edfi_file_over_the_size_limit_is_refused(tmp_path):
    path = hostile.edfi_with_dtd(tmp_path / "Student.xml")
    size = path.stat().st_size
    assert edfi_problems(path, IntakeLimits(max_file_bytes=size - 1)) == [
        ("Student.xml", None, "", "too_large")
    ]


def test_edfi_damaged_zip_member_is_a_problem(tmp_path):
    path = hostile.edfi_zip_with_huge_student_id(tmp_path / "damaged.zip", 200_000, level=1)
    data = bytearray(path.read_bytes())
    data[200:220] = b"\xff" * 20  # inside the deflated Student.xml
    path.write_bytes(bytes(data))
    [(file, _, _, rule)] = edfi_problems(path, IntakeLimits(max_field_chars=1_000_000))
    assert (file, rule) in {("Student.xml", "bad_zip"), ("Student.xml", "malformed_xml")}


def test_edfi_json_string_over_the_limit_is_refused_naming_resource_and_key(tmp_path):
    path = hostile.edfi_json_zip_with_huge_student_id(tmp_path / "api.zip", 10_000, level=1)
    assert edfi_problems(path, IntakeLimits(max_field_chars=9_999)) == [
        ("students.json", 1, "studentUniqueId", "too_long")
    ]


def test_edfi_json_string_of_exactly_the_limit_is_read(tmp_path):
    path = hostile.edfi_json_zip_with_huge_student_id(tmp_path / "api.zip", 10_000, level=1)
    assert edfi_problems(path, IntakeLimits(max_field_chars=10_000)) == []


def test_edfi_json_nesting_deeper_than_the_limit_is_refused(tmp_path):
    path = hostile.edfi_json_zip_nested_deeply(tmp_path / "api.zip", 40)
    assert edfi_problems(path, IntakeLimits(max_xml_depth=32)) == [
        ("students.json", 1, "addresses", "too_deep")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b'[{"studentUniqueId": "1"}, 7]', [("students.json", 2, "", "not_edfi_resource")]),
        (b'{"studentUniqueId": "1"}', [("students.json", None, "", "not_edfi_resource")]),
        (b'[{"studentUniqueId": }]', [("students.json", None, "", "malformed_json")]),
        (b'[{"studentUniqueId": "\xff"}]', [("students.json", None, "", "malformed_json")]),
    ],
    ids=["not an object", "not an array", "malformed", "not UTF-8"],
)
def test_edfi_json_that_is_not_a_resource_array_is_a_problem(tmp_path, text, expected):
    (tmp_path / "students.json").write_bytes(text)
    assert edfi_problems(tmp_path / "students.json") == expected


def test_edfi_jsonl_numbers_each_resource(tmp_path):
    long = "x" * 101
    (tmp_path / "students.jsonl").write_text(
        '{"studentUniqueId": "1"}\n{"studentUniqueId": "2", "firstName": "' + long + '"}\n'
    )
    assert edfi_problems(tmp_path / "students.jsonl") == [
        ("students.jsonl", 2, "firstName", "too_long")
    ]


# --- CSV and XLSX (tabular, UI wages) ---------------------------------------------------------

ROSTER = ImportOptions(partner="cbo", target_table="program_participation", limits=SMALL)
HEADER = b"local_id,program,start_date\n"


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        (b"S-1," + b"x" * 101 + b",2024-09-05\n", "program", "too_long"),
        (b"S-1," + b"x" * 200_000 + b",2024-09-05\n", "program", "too_long"),  # csv's own limit
        (b"S-1,Caf\xe9,2024-09-05\n", "program", "encoding"),
        (b"S-1,Math,2024-09\x00-05\n", "start_date", "nul_byte"),
    ],
)
def test_csv_row_that_breaks_a_rule_is_refused_naming_row_and_field(tmp_path, body, field, rule):
    path = tmp_path / "roster.csv"
    path.write_bytes(HEADER + b"S-0,Chess,2024-09-05\n" + body)
    assert problems(tabular.read(path, ROSTER)) == [("roster.csv", 3, field, rule)]


def test_xlsx_that_breaks_a_rule_is_refused_through_the_generic_importer(tmp_path):
    path = hostile.xlsx_with_dtd(tmp_path / "roster.xlsx")
    assert problems(tabular.read(path, ROSTER)) == [("roster.xlsx", 1, "", "dtd")]


def test_wage_file_field_limit_applies_from_the_header_on(tmp_path):
    path = tmp_path / "wages.csv"
    path.write_bytes(
        b"ssn,employer_id,year,quarter,wages\n123456789," + b"E" * 101 + b",2024,1,9\n"
    )
    stream = ui_wages.read(path, ImportOptions(partner="ui", limits=SMALL))
    assert problems(stream) == [("wages.csv", 2, "employer_id", "too_long")]
    path.write_bytes(b"ssn,employer\xff_id,year\n")
    stream = ui_wages.read(path, ImportOptions(partner="ui", limits=SMALL))
    assert problems(stream) == [("wages.csv", 1, "column 2", "encoding")]


# --- HMIS -------------------------------------------------------------------------------------


def test_hmis_field_over_the_limit_is_refused_naming_row_and_column(tmp_path):
    export = write_hmis_export(tmp_path / "export")
    client = export / "Client.csv"
    client.write_bytes(client.read_bytes().replace(b"Lopez", b"L" * 101))
    stream = hmis.read(export, ImportOptions(partner="coc", limits=SMALL))
    line = _line_of(client, b"L" * 101)
    assert problems(stream) == [("Client.csv", line, "LastName", "too_long")]


def test_hmis_nul_byte_is_refused_naming_row_and_column(tmp_path):
    export = write_hmis_export(tmp_path / "export")
    client = export / "Client.csv"
    client.write_bytes(client.read_bytes().replace(b"Lopez", b"Lo\x00pez"))
    line = _line_of(client, b"Lo\x00pez")
    assert problems(hmis.read(export, ImportOptions(partner="coc"))) == [
        ("Client.csv", line, "LastName", "nul_byte")
    ]


def test_hmis_zip_member_compressed_like_a_bomb_is_refused(tmp_path):
    export = write_hmis_export(tmp_path / "export")
    with (export / "Client.csv").open("ab") as client:
        client.write(b"\r\n" * 2 * 1024 * 1024)  # blank lines: 4 MiB that deflate to ~4 KB
    source = zip_export(export, tmp_path / "hmis.zip")
    with zipfile.ZipFile(source) as archive:
        assert archive.getinfo("Client.csv").compress_size < 10_000
    assert problems(hmis.read(source, ImportOptions(partner="coc"))) == [
        ("hmis.zip", None, "", "zip_bomb")
    ]


def _line_of(path, needle: bytes) -> int:
    return next(i for i, text in enumerate(path.read_bytes().splitlines(), 1) if needle in text)
