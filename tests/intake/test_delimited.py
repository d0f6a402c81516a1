"""The fast CSV path (DuckDB's reader, SQL conversions) loads exactly what the row-by-row reader
loads: the same rows and record ids, the same problems with file, row and field, and nothing
stored on rejection. Files it cannot prove it reads the same way go row by row."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

import pytest

from backbone.intake.importers import delimited, tabular, ui_wages
from backbone.intake.loading import LoadRequest, load
from backbone.warehouse.engines import DuckDBEngine
from backbone.warehouse.records import ImportOptions, IntakeLimits, StagedRows
from backbone.warehouse.store import Warehouse
from backbone.warehouse.tables import TABLES
from tests.fixtures import tree_checksums

TODAY = dt.date(2026, 11, 23)
HEADER = b"ssn,employer_id,year,quarter,wages\n"
GOOD = b"123456789,E1,2024,1,5000.50\n123456789,E1,2024,2,5100\n987654321,E2,2024,1,300\n"
WAGES = ImportOptions(partner="state-ui", limits=IntakeLimits(max_field_chars=100))

# name → (file bytes, whether the fast path takes it)
WAGE_FILES = {
    "valid": (HEADER + GOOD, True),
    "crlf, bom, trailing blank lines": (
        b"\xef\xbb\xbf" + (HEADER + GOOD).replace(b"\n", b"\r\n") + b"\r\n\r\n",
        True,
    ),
    "quoted, padded, no final newline": (
        HEADER + b'"123456789","\xc2\xa0E1\xc2\xa0",2024,1,"5,000"\n\t987654321\t, E2 ,2024,1,300',
        True,
    ),
    "unicode spaces only": (HEADER + b"123456789 ,\xc2\xa0E1\xe3\x80\x80,2024,1,5\n" + GOOD, True),
    "short row": (HEADER + GOOD + b"555,E3,2024\n", True),
    "missing ssn": (HEADER + GOOD + b",E1,2024,1,10\n", True),
    "year not a number": (HEADER + GOOD + b"1,E1,twenty,1,10\n", True),
    "quarter out of range": (HEADER + GOOD + b"1,E1,2024,5,10\n", True),
    "negative wages": (HEADER + GOOD + b"1,E1,2024,1,-3\n", True),
    "duplicate key": (HEADER + GOOD + b"123456789,E1,2024,1,10\n", True),
    "empty after header": (HEADER, False),  # nothing to stage either way
    "field over the limit": (HEADER + GOOD + b"1," + b"E" * 101 + b",2024,1,10\n", False),
    "field over the limit, unmapped": (
        HEADER.replace(b"\n", b",note\n") + b"1,E1,2024,1,10," + b"n" * 101 + b"\n",
        False,
    ),
    "nul byte": (HEADER + GOOD + b"1,E\x001,2024,1,10\n", False),
    "not utf-8": (HEADER + GOOD + b"1,Caf\xe9,2024,1,10\n", False),
    "utf-8 cut short at the end": (HEADER + GOOD + b"1,E\xc3", False),
    "blank line": (HEADER + b"\n" + GOOD, False),
    "quoted line break": (HEADER + b'1,"E\n1",2024,1,10\n' + GOOD, False),
    "row wider than the header": (HEADER + GOOD + b"1,E1,2024,1,10,extra\n", False),
    "quote beside a blank": (HEADER + b'1, "E1",2024,1,10\n' + GOOD, False),
    "text after a closing quote": (HEADER + b'1,"E"1,2024,1,10\n' + GOOD, False),
    "lone carriage return": (HEADER + b"1,E1,2024,1,10\r" + GOOD, False),
}


def load_both(tmp_path: Path, read, path: Path, options: ImportOptions):
    """The same file loaded through each path, each into its own warehouse."""
    results = []
    for fast in (True, False):
        root = tmp_path / ("fast" if fast else "slow")
        request = LoadRequest(1, options.partner, "secret", root / "staging", today=TODAY)
        warehouse = Warehouse(root / "warehouse")
        stream = read(path, dataclasses.replace(options, fast_csv=fast))
        results.append((load(stream, request, warehouse), warehouse, root / "warehouse"))
    return results


def contents(warehouse: Warehouse, result) -> dict[str, list[tuple]]:
    """Every loaded row of every table, in a fixed order."""
    return {
        table: warehouse.query(f"SELECT * FROM {table} ORDER BY ALL", tier=TABLES[table].tier)
        for table in result.rows
    }


def took_fast_path(read, path: Path, options: ImportOptions) -> bool:
    return any(isinstance(item, StagedRows) for item in read(path, options))


def assert_same_load(fast, slow):
    (fast_result, fast_house, fast_dir), (slow_result, slow_house, slow_dir) = fast, slow
    assert fast_result == slow_result
    if slow_result.loaded:
        assert contents(fast_house, fast_result) == contents(slow_house, slow_result)
    else:
        assert tree_checksums(fast_dir) == tree_checksums(slow_dir) == {}


@pytest.mark.parametrize("name", WAGE_FILES)
def test_a_wage_file_loads_the_same_through_both_paths(tmp_path, name):
    data, fast = WAGE_FILES[name]
    path = tmp_path / "wages.csv"
    path.write_bytes(data)
    assert took_fast_path(ui_wages.read, path, WAGES) == fast
    assert_same_load(*load_both(tmp_path, ui_wages.read, path, WAGES))


def test_a_file_over_the_size_limit_is_refused_before_either_path(tmp_path):
    path = tmp_path / "wages.csv"
    path.write_bytes(HEADER + GOOD)
    options = dataclasses.replace(WAGES, limits=IntakeLimits(max_file_bytes=len(HEADER)))
    fast, slow = load_both(tmp_path, ui_wages.read, path, options)
    assert [(p.file, p.row, p.rule) for p in fast[0].problems] == [("wages.csv", None, "too_large")]
    assert_same_load(fast, slow)


def test_the_fast_path_keeps_the_line_numbers_and_values_python_reads(tmp_path):
    path = tmp_path / "wages.csv"
    path.write_bytes(WAGE_FILES["quoted, padded, no final newline"][0])
    [(result, warehouse, _), _] = load_both(tmp_path, ui_wages.read, path, WAGES)
    # By hand: "5,000" is one quoted field (not a number); no-break spaces and tabs are trimmed.
    assert [(p.row, p.field, p.rule, p.value) for p in result.problems] == [
        (2, "wages", "type", "5,000")
    ]
    path.write_bytes(
        HEADER + b'"123456789","\xc2\xa0E1\xc2\xa0",2024,1,"5000"\n\t9\t, E2 ,2024,1,3'
    )
    [(result, warehouse, _), _] = load_both(tmp_path / "again", ui_wages.read, path, WAGES)
    assert result.loaded
    rows = warehouse.query("SELECT employer_id, source_row FROM wages ORDER BY source_row")
    assert rows == [("E1", 2), ("E2", 3)]
    assert warehouse.query("SELECT ssn FROM identity_record ORDER BY 1", tier="identity") == [
        ("123456789",),
        ("9",),
    ]


ROSTER_HEADER = b"Student ID,First,DOB,Program,Start,Hours\n"
ROSTER_ROWS = (
    b"S-1,Jon,2014-03-15,RB,2023-09-05,12.5\n"
    b"S-2,Ana,2013-11-30,RB,2023-09-05,8\n"
    b"S-1,Jonathan,2014-03-15,MC,2024-01-10,\n"
)
ROSTER = ImportOptions(
    partner="tutoring",
    target_table="program_participation",
    column_mapping={
        "local_id": "Student ID", "first_name": "First", "birth_date": "DOB",
        "program": "Program", "start_date": "Start", "hours": "Hours",
    },
    value_crosswalks={"program": {"RB": "Reading Buddies", "MC": "Math Club"}},
)  # fmt: skip
ROSTER_FILES = {
    "iso dates, crosswalk, a person's second row": (ROSTER_ROWS, ROSTER, True),
    "a date not yet iso": (ROSTER_ROWS + b"S-3,Kim,2014-3-1,RB,2023-09-05,1\n", ROSTER, False),
    "a day that does not exist": (
        ROSTER_ROWS + b"S-3,Kim,2014-02-30,RB,2023-09-05,1\n",
        ROSTER,
        True,
    ),
    "the partner's date format": (
        ROSTER_ROWS.replace(b"2014-03-15", b"03/15/2014"),
        dataclasses.replace(ROSTER, date_format="%m/%d/%Y"),
        False,
    ),
}


@pytest.mark.parametrize("name", ROSTER_FILES)
def test_a_roster_loads_the_same_through_both_paths(tmp_path, name):
    rows, options, fast = ROSTER_FILES[name]
    path = tmp_path / "roster.csv"
    path.write_bytes(ROSTER_HEADER + rows)
    assert took_fast_path(tabular.read, path, options) == fast
    assert_same_load(*load_both(tmp_path, tabular.read, path, options))


def test_the_identity_tier_takes_each_persons_first_row(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(ROSTER_HEADER + ROSTER_ROWS)
    [(result, warehouse, _), _] = load_both(tmp_path, tabular.read, path, ROSTER)
    assert result.rows == {"program_participation": 3, "identity_record": 2}
    people = warehouse.query(
        "SELECT local_id, first_name, source_row FROM identity_record ORDER BY 1", tier="identity"
    )
    assert people == [("S-1", "Jon", 2), ("S-2", "Ana", 3)]


def test_whitespace_is_what_str_strip_removes():
    assert set(delimited.WHITESPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}


def test_duckdbs_own_trim_keeps_only_the_blanks_the_prescan_looks_for():
    engine = DuckDBEngine()
    trimmed = engine.run(  # every code point but the surrogates, after an "a"
        "SELECT range::INTEGER FROM range(1, 1114112) WHERE (range < 55296 OR range > 57343) "
        "AND length(trim('a' || chr(range::INTEGER))) = 1"
    )
    engine.close()
    looked_for = {b.decode() for b in delimited.OTHER_BLANKS} | {"\n", "\r"}
    assert {chr(c) for (c,) in trimmed} == set(delimited.WHITESPACE) - looked_for


@pytest.mark.parametrize(
    ("chunks", "lines", "safe"),
    [
        ([b"a\n1\n2"], 3, True),
        ([b"a\n1\n2\n\n\n"], 3, True),
        ([b"a\n1\r", b"\n2\r\n"], 3, True),  # a \r\n split between chunks
        ([b"a\n1\n", b"\n", b"\n"], 2, True),  # the blank tail spans chunks
        ([b"a\n1\r2\n"], 0, False),
        ([b"a\n1 ", b'"x"\n'], 0, False),  # a blank and a quote split between chunks
        ([b"a\n\xc3", b"\xa9\n"], 2, True),  # a character split between chunks
        ([b"a\n\xc3", b"a\n"], 0, False),  # a character cut short by an ASCII chunk
        ([b"a\n1\r", b"2\n"], 0, False),  # a lone \r at a chunk's end
    ],
)
def test_the_prescan_counts_lines_and_refuses_what_duckdb_reads_differently(chunks, lines, safe):
    assert delimited.scan(iter(chunks)) == delimited.Scan(lines, safe)


@pytest.mark.parametrize(
    ("chunks", "other_blanks"),
    [
        ([b"a\n 1\xc2\xa0\n"], False),  # spaces DuckDB's trim removes too
        ([b"a\n1\t\n"], True),
        ([b"a\n1\xe2", b"\x80\xa8\n"], True),  # a line separator split between chunks
    ],
)
def test_the_prescan_notes_blanks_duckdbs_trim_keeps(chunks, other_blanks):
    assert delimited.scan(iter(chunks)).other_blanks == other_blanks


def test_record_id_is_the_keyed_hash_computed_by_hand(tmp_path):
    path = tmp_path / "wages.csv"
    path.write_bytes(HEADER + GOOD)
    for result, warehouse, _ in load_both(tmp_path, ui_wages.read, path, WAGES):
        assert result.loaded
        expected = {
            hashlib.sha256(f"secret|state-ui|{ssn}".encode()).hexdigest()[:32]: rows
            for ssn, rows in (("123456789", 2), ("987654321", 1))
        }
        found = warehouse.query("SELECT record_id, count(*) FROM wages GROUP BY 1")
        assert dict(found) == expected
