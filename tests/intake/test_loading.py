"""Loading: all or nothing, pseudonymous, and what every rule reports — on real files."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from backbone.intake.importers import tabular, ui_wages
from backbone.intake.loading import LoadRequest, load
from backbone.warehouse.records import ImportOptions, RowBatch
from backbone.warehouse.store import Warehouse
from tests.fixtures import PROJECT_ROOT, WAGE_HEADER, tree_checksums, write_csv, write_wage_file

TODAY = dt.date(2026, 11, 23)


def load_wages(
    tmp_path: Path, path: Path, submission_id: int, replaces=frozenset(), partner="state-ui"
):
    request = LoadRequest(
        submission_id, partner, "secret", tmp_path / "staging", set(replaces), TODAY
    )
    warehouse = Warehouse(tmp_path / "warehouse")
    return load(ui_wages.read(path, ImportOptions(partner=partner)), request, warehouse), warehouse


GOOD = [
    ["123456789", "E1", 2024, 1, "5000.50"],
    ["123456789", "E1", 2024, 2, "5100"],
    ["123456789", "E2", 2024, 2, "250.25"],
    ["987654321", "E2", 2024, 1, "300"],
]


def test_wages_load_with_typed_values_and_lineage(tmp_path):
    result, warehouse = load_wages(tmp_path, write_csv(tmp_path / "w.csv", WAGE_HEADER, GOOD), 1)
    assert result.loaded and result.rows == {"wages": 4, "identity_record": 2}
    # 2024 Q2 by hand: 5100 + 250.25 = 5350.25
    assert warehouse.query("SELECT quarter, sum(wages) FROM wages GROUP BY 1 ORDER BY 1") == [
        (1, pytest.approx(5300.50)),
        (2, pytest.approx(5350.25)),
    ]
    assert warehouse.query(
        "SELECT count(DISTINCT record_id), min(source_row), max(source_row) FROM wages"
    ) == [(2, 2, 5)]


def test_analytic_tier_holds_no_identifier(tmp_path):
    _, warehouse = load_wages(tmp_path, write_csv(tmp_path / "w.csv", WAGE_HEADER, GOOD), 1)
    analytic = (tmp_path / "warehouse" / "analytic" / "wages" / "1.parquet").read_bytes()
    assert b"123456789" not in analytic and b"987654321" not in analytic
    assert "local_id" not in [row[0] for row in warehouse.query("DESCRIBE wages")]
    identity = warehouse.query("SELECT ssn FROM identity_record ORDER BY 1", tier="identity")
    assert identity == [("123456789",), ("987654321",)]


def test_record_id_is_the_same_person_within_a_partner_and_differs_between_partners(tmp_path):
    path = write_csv(tmp_path / "w.csv", WAGE_HEADER, GOOD[:1])
    _, warehouse = load_wages(tmp_path, path, 1, partner="state-ui")
    load_wages(tmp_path, path, 2, partner="other-state")
    ids = warehouse.query("SELECT source_partner, record_id FROM wages ORDER BY 1")
    assert len({record_id for _, record_id in ids}) == 2


@pytest.mark.parametrize(
    ("bad_row", "field", "rule"),
    [
        (["", "E1", 2024, 1, "10"], "ssn", "required"),
        (["1", "E1", "twenty", 1, "10"], "year", "type"),
        (["1", "E1", 2024, 5, "10"], "quarter", "range"),
        (["1", "E1", 2024, 1, "-3"], "wages", "range"),
        (["1", "E1", 2024, 1, "ten"], "wages", "type"),
        (["123456789", "E1", 2024, 1, "10"], "ssn+employer_id+year+quarter", "duplicate_key"),
    ],
)
def test_each_rule_is_reported_with_file_row_and_partner_field_name(tmp_path, bad_row, field, rule):
    path = write_csv(tmp_path / "w.csv", WAGE_HEADER, [*GOOD, bad_row])
    result, _ = load_wages(tmp_path, path, 1)
    assert not result.loaded
    assert [(p.file, p.row, p.field, p.rule) for p in result.problems] == [
        ("w.csv", 6, field, rule)
    ]
    assert result.error_count == 1


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("2024-02-30", "type"),
        ("03/01/2024", "type"),
        ("1850-01-01", "plausible_date"),
        ("2031-01-01", "plausible_date"),
    ],
)
def test_dates_must_exist_be_iso_and_be_plausible(tmp_path, value, rule):
    path = write_csv(tmp_path / "p.csv", ["id", "program", "start"], [["1", "Tutoring", value]])
    options = ImportOptions(
        target_table="program_participation",
        column_mapping={"local_id": "id", "program": "program", "start_date": "start"},
    )
    request = LoadRequest(1, "cbo", "secret", tmp_path / "staging", today=TODAY)
    result = load(tabular.read(path, options), request, Warehouse(tmp_path / "warehouse"))
    assert [(p.row, p.field, p.rule, p.value) for p in result.problems] == [
        (2, "start", rule, value)
    ]


def test_rejected_load_leaves_every_warehouse_file_byte_for_byte_unchanged(tmp_path):
    load_wages(tmp_path, write_csv(tmp_path / "w.csv", WAGE_HEADER, GOOD), 1)
    before = tree_checksums(tmp_path / "warehouse")
    bad = write_csv(tmp_path / "bad.csv", WAGE_HEADER, [*GOOD[:2], ["1", "E1", 2024, 9, "1"]])
    result, _ = load_wages(tmp_path, bad, 2, replaces={1})
    assert not result.loaded
    assert tree_checksums(tmp_path / "warehouse") == before
    assert list((tmp_path / "staging").iterdir()) == []


def test_a_replacing_load_takes_the_old_rows_out_in_the_same_commit(tmp_path):
    load_wages(tmp_path, write_csv(tmp_path / "w.csv", WAGE_HEADER, GOOD), 1)
    corrected = write_csv(tmp_path / "w2.csv", WAGE_HEADER, [["123456789", "E1", 2024, 1, "6000"]])
    _, warehouse = load_wages(tmp_path, corrected, 2, replaces={1})
    assert warehouse.query("SELECT submission_id, sum(wages) FROM wages GROUP BY 1") == [(2, 6000)]
    assert not (tmp_path / "warehouse" / "analytic" / "wages" / "1.parquet").exists()


KILLABLE_LOAD = """
import sys
from pathlib import Path
from backbone.intake.importers import ui_wages
from backbone.intake.loading import LoadRequest, load
from backbone.warehouse.records import ImportOptions, RowBatch
from backbone.warehouse.store import Warehouse
root = Path(sys.argv[1])
request = LoadRequest(2, "state-ui", "secret", root / "staging", {1})
load(ui_wages.read(Path(sys.argv[2]), ImportOptions(partner="state-ui")), request, Warehouse(root / "warehouse"))
"""


def test_a_load_killed_part_way_leaves_the_warehouse_as_it_was_and_the_next_load_succeeds(tmp_path):
    load_wages(tmp_path, write_csv(tmp_path / "w.csv", WAGE_HEADER, GOOD), 1)
    before = tree_checksums(tmp_path / "warehouse")
    big = write_wage_file(tmp_path / "big.csv", people=150_000, quarters=4)
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "src")}
    process = subprocess.Popen(
        [sys.executable, "-c", KILLABLE_LOAD, str(tmp_path), str(big)], env=env
    )
    staged = tmp_path / "staging" / "submission-2" / "raw_wages.parquet"
    deadline = time.monotonic() + 60
    while not staged.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert process.poll() is None, "the load finished before it could be killed: use a bigger file"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert tree_checksums(tmp_path / "warehouse") == before
    result, warehouse = load_wages(tmp_path, big, 2, replaces={1})
    assert result.loaded
    assert warehouse.query("SELECT count(*), count(DISTINCT record_id) FROM wages") == [
        (600_000, 150_000)
    ]


def test_a_key_repeated_with_a_blank_part_is_reported_once_as_a_duplicate(tmp_path):
    rows = [*GOOD, ["1", "E1", "", 1, "10"], ["2", "E1", 2024, 1, "10"], ["1", "E1", "", 1, "10"]]
    result, _ = load_wages(tmp_path, write_csv(tmp_path / "w.csv", WAGE_HEADER, rows), 1)
    assert [(p.row, p.field, p.rule) for p in result.problems] == [
        (6, "year", "required"),
        (8, "ssn+employer_id+year+quarter", "duplicate_key"),
        (8, "year", "required"),
    ]
    assert result.error_count == 3


def _typed_lines(tmp_path: Path, table: str = "wages") -> list[int]:
    typed = tmp_path / "warehouse" / "analytic" / table / "1.parquet"
    return pq.read_table(typed, columns=["source_row"]).column(0).to_pylist()


@pytest.mark.parametrize("fast", [True, False])
def test_typed_rows_are_in_line_order(tmp_path, fast):
    rows = [[f"{i:09d}", "E1", 2024, 1, "10"] for i in range(120_000, 0, -1)]  # 3 batches
    path = write_csv(tmp_path / "w.csv", WAGE_HEADER, rows)
    request = LoadRequest(1, "state-ui", "secret", tmp_path / "staging", today=TODAY)
    options = ImportOptions(partner="state-ui", fast_csv=fast)
    assert load(ui_wages.read(path, options), request, Warehouse(tmp_path / "warehouse")).loaded
    assert _typed_lines(tmp_path) == list(range(2, 120_002))


def test_batches_out_of_line_order_are_sorted_when_typed(tmp_path):
    def batch(lines):
        ids = [str(line) for line in lines]
        columns = {"source_row": lines, "local_id": ids, "employer_id": ids}
        columns |= {"year": ["2024"] * len(lines), "quarter": ["1"] * len(lines)}
        return RowBatch("wages", "w.csv", columns={**columns, "wages": ["5"] * len(lines)})

    request = LoadRequest(1, "state-ui", "secret", tmp_path / "staging", today=TODAY)
    stream = [batch([5, 6]), batch([2, 4, 3])]
    assert load(stream, request, Warehouse(tmp_path / "warehouse")).loaded
    assert _typed_lines(tmp_path) == [2, 3, 4, 5, 6]
