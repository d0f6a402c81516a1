"""Derived tables (the crosswalk): a rewrite replaces the previous file, quietly, and leaves the
submissions as they were."""

from __future__ import annotations

import logging

import pyarrow as pa
import pyarrow.parquet as pq

from backbone.warehouse.store import Warehouse


def test_rewriting_a_derived_table_removes_the_old_file_without_a_warning(tmp_path, caplog):
    store = Warehouse(tmp_path / "warehouse")
    store.write_derived(
        "crosswalk", "analytic", pa.table({"record_id": ["a"], "person_key": ["K1"]})
    )
    with caplog.at_level(logging.INFO, logger="backbone.warehouse.store"):
        store.write_derived(
            "crosswalk", "analytic", pa.table({"record_id": ["a", "b"], "person_key": ["K1", "K1"]})
        )
    files = list((tmp_path / "warehouse" / "analytic" / "crosswalk").glob("*.parquet"))
    assert len(files) == 1 and store.read_derived("crosswalk").num_rows == 2
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_derived_table_replaces_its_previous_version_and_leaves_submissions_alone(tmp_path):
    store = Warehouse(tmp_path / "warehouse")
    staged = tmp_path / "wages.parquet"
    pq.write_table(pa.table({"record_id": ["a", "b"], "wages": [1.0, 2.0]}), staged)
    store.commit(1, {"wages": (staged, 2)})
    first = store.write_derived(
        "crosswalk", "analytic", pa.table({"record_id": ["a"], "person_key": ["P1"]})
    )
    second = store.write_derived(
        "crosswalk", "analytic", pa.table({"record_id": ["a", "b"], "person_key": ["P1", "P2"]})
    )
    assert not first.exists() and second.exists()
    assert store.query("SELECT count(*) FROM crosswalk") == [(2,)]
    assert store.query("SELECT count(*) FROM wages") == [(2,)]  # submissions untouched
