"""Derived tables (the crosswalk): a rewrite replaces the previous file, quietly."""

from __future__ import annotations

import logging

import pyarrow as pa

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
