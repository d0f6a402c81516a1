"""Generic CSV/XLSX files: column mappings, value crosswalks, dates, and where problems are."""

from __future__ import annotations

from openpyxl import Workbook

from backbone.intake.importers import tabular, ui_wages
from backbone.warehouse.records import ImportOptions, Problem, RowBatch, StagedRows
from tests.fixtures import write_csv

ROSTER_HEADER = ["Student ID", "First", "Last", "DOB", "Program", "Start", "Hours"]
ROSTER = [
    ["S-1", "Jon", "Smyth", "03/15/2014", "Reading Buddies", "09/05/2023", "12.5"],
    ["S-2", "Ana", "Ruiz", "11/30/2013", "Reading Buddies", "09/05/2023", "8"],
    ["S-1", "Jon", "Smyth", "03/15/2014", "Math Club", "01/10/2024", ""],
]
MAPPING = {
    "local_id": "Student ID", "first_name": "First", "last_name": "Last", "birth_date": "DOB",
    "program": "Program", "start_date": "Start", "hours": "Hours",
}  # fmt: skip
OPTIONS = ImportOptions(
    partner="tutoring",
    target_table="program_participation",
    column_mapping=MAPPING,
    date_format="%m/%d/%Y",
)


def collect(stream) -> tuple[dict[str, list[dict]], list[Problem]]:
    rows: dict[str, list[dict]] = {}
    problems = []
    for item in stream:
        if isinstance(item, RowBatch | StagedRows):
            rows.setdefault(item.table, []).extend(item.as_rows())
        else:
            problems.append(item)
    return rows, problems


def test_roster_maps_onto_participation_and_one_identity_per_person(tmp_path):
    rows, problems = collect(
        tabular.read(write_csv(tmp_path / "roster.csv", ROSTER_HEADER, ROSTER), OPTIONS)
    )
    assert problems == []
    participation = rows["program_participation"]
    assert [
        (r["local_id"], r["program"], r["start_date"], r.get("hours")) for r in participation
    ] == [
        ("S-1", "Reading Buddies", "2023-09-05", "12.5"),
        ("S-2", "Reading Buddies", "2023-09-05", "8"),
        ("S-1", "Math Club", "2024-01-10", None),
    ]
    assert [r["source_row"] for r in participation] == [2, 3, 4]
    people = rows["identity_record"]
    assert [(r["local_id"], r["first_name"], r["birth_date"]) for r in people] == [
        ("S-1", "Jon", "2014-03-15"),
        ("S-2", "Ana", "2013-11-30"),
    ]


def test_value_crosswalk_turns_local_labels_into_federal_categories(tmp_path):
    path = write_csv(
        tmp_path / "people.csv",
        ["id", "as_of", "race"],
        [["1", "2024-10-01", "AA"], ["2", "2024-10-01", "W"]],
    )
    options = ImportOptions(
        target_table="person_demographics",
        column_mapping={"local_id": "id", "race_ethnicity": "race"},
        value_crosswalks={"race_ethnicity": {"AA": "Black or African American", "W": "White"}},
    )
    rows, _ = collect(tabular.read(path, options))
    assert [r["race_ethnicity"] for r in rows["person_demographics"]] == [
        "Black or African American",
        "White",
    ]


def test_missing_mapped_column_is_named_with_file_and_row_one(tmp_path):
    path = write_csv(
        tmp_path / "roster.csv",
        [h for h in ROSTER_HEADER if h != "Program"],
        [r[:4] + r[5:] for r in ROSTER],
    )
    rows, problems = collect(tabular.read(path, OPTIONS))
    assert rows == {}
    assert [(p.file, p.row, p.field, p.rule) for p in problems] == [
        ("roster.csv", 1, "Program", "required_column")
    ]


def test_required_column_nobody_mapped_is_named(tmp_path):
    options = ImportOptions(
        target_table="program_participation", column_mapping={"local_id": "Student ID"}
    )
    _, problems = collect(
        tabular.read(write_csv(tmp_path / "r.csv", ROSTER_HEADER, ROSTER), options)
    )
    assert {p.field for p in problems} == {"program", "start_date"}


def test_row_numbers_are_file_lines_even_across_quoted_newlines(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(
        "Student ID,First,Last,DOB,Program,Start,Hours\n"
        'S-1,Jon,Smyth,03/15/2014,"Reading\nBuddies",09/05/2023,1\n'
        "\n"
        "S-2,Ana,Ruiz,11/30/2013,Math Club,09/05/2023,2\n"
    )
    rows, _ = collect(tabular.read(path, OPTIONS))
    assert [r["source_row"] for r in rows["program_participation"]] == [2, 5]


def test_byte_order_mark_from_spreadsheet_export_is_ignored(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes("\ufeff".encode() + b"Student ID,Program,Start\nS-1,Math Club,2023-09-05\n")
    options = ImportOptions(
        target_table="program_participation",
        column_mapping={"local_id": "Student ID", "program": "Program", "start_date": "Start"},
    )
    rows, problems = collect(tabular.read(path, options))
    assert problems == [] and rows["program_participation"][0]["local_id"] == "S-1"


def test_xlsx_gives_the_same_rows_as_csv(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(ROSTER_HEADER)
    for row in ROSTER:
        sheet.append([float(v) if v.replace(".", "").isdigit() else v for v in row])
    workbook.save(tmp_path / "roster.xlsx")
    from_xlsx, _ = collect(tabular.read(tmp_path / "roster.xlsx", OPTIONS))
    from_csv, _ = collect(
        tabular.read(write_csv(tmp_path / "roster.csv", ROSTER_HEADER, ROSTER), OPTIONS)
    )
    assert from_xlsx == from_csv


def test_wage_file_accepts_alternative_headers(tmp_path):
    path = write_csv(
        tmp_path / "w.csv",
        ["ssn_hash", "employer_fein", "year", "quarter", "wages"],
        [["ab12", "12-3456789", "2024", "3", "4100.25"]],
    )
    rows, problems = collect(ui_wages.read(path, ImportOptions(partner="ui")))
    assert problems == []
    assert rows["wages"][0] == {
        "source_row": 2,
        "local_id": "ab12",
        "employer_id": "12-3456789",
        "year": "2024",
        "quarter": "3",
        "wages": "4100.25",
    }
    assert rows["identity_record"] == [{"source_row": 2, "local_id": "ab12", "ssn": "ab12"}]
