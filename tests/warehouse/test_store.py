"""The store's commit: staged files move in and are published in one manifest replace, and files
a killed commit left behind are removed by the next one."""

from __future__ import annotations

import threading
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from backbone.warehouse.store import Warehouse


def stage(tmp_path: Path, submission_id: int, wages: list[float]) -> dict[str, tuple[Path, int]]:
    """A staged ``wages`` file of one submission, as a load leaves it for the commit."""
    path = tmp_path / "staging" / f"submission-{submission_id}" / "wages.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    records = [f"r{i}" for i in range(len(wages))]
    pq.write_table(pa.table({"record_id": records, "wages": wages}), path)
    return {"wages": (path, len(wages))}


def test_a_commit_publishes_its_files_and_a_replacing_one_takes_the_old_out(tmp_path):
    store = Warehouse(tmp_path / "warehouse")
    store.commit(1, stage(tmp_path, 1, [100.0, 200.0]))
    assert store.submissions() == {1}
    assert store.query("SELECT count(*), sum(wages) FROM wages") == [(2, 300.0)]
    store.commit(2, stage(tmp_path, 2, [250.0]), replaces={1})
    assert store.submissions() == {2}
    assert store.query("SELECT sum(wages) FROM wages") == [(250.0,)]
    assert not (tmp_path / "warehouse" / "analytic" / "wages" / "1.parquet").exists()


def test_files_a_killed_commit_left_behind_are_removed_by_the_next_commit(tmp_path):
    store = Warehouse(tmp_path / "warehouse")
    store.commit(1, stage(tmp_path, 1, [1.0, 2.0, 3.0, 4.0]))
    stray = tmp_path / "warehouse" / "analytic" / "wages" / "99.parquet"
    stray.write_bytes(b"half written")
    assert store.query("SELECT count(*) FROM wages") == [(4,)]  # readers never see it
    store.commit(2, stage(tmp_path, 2, [5.0]))
    assert not stray.exists()
    assert store.query("SELECT count(*) FROM wages") == [(5,)]


def test_commits_to_one_table_at_once_are_serialised_and_all_kept(tmp_path):
    # Loads of different periods commit side by side: each commit reads the manifest, adds its
    # files and replaces it, so without the store's own lock one would drop another's files.
    store = Warehouse(tmp_path / "warehouse")
    staged = {n: stage(tmp_path, n, [float(n)] * n) for n in range(1, 13)}
    threads = [
        threading.Thread(target=store.commit, args=(n, files)) for n, files in staged.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.submissions() == set(range(1, 13))
    # 1 + 2 + … + 12 rows; each submission's rows are worth its number: 1² + 2² + … + 12².
    assert store.query("SELECT count(*), sum(wages) FROM wages") == [(78, 650.0)]


def stage_training(tmp_path: Path, submission_id: int, columns: dict[str, list]) -> dict:
    path = tmp_path / "staging" / f"submission-{submission_id}" / "training.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path)
    return {"training": (path, len(next(iter(columns.values()))))}


def test_a_file_loaded_before_a_column_was_added_reads_it_as_null(tmp_path):
    """Training rows loaded before ``exit_reason`` joined the contract sit next to new ones: the
    view reads columns by name, whichever file comes first (it used to take the first file's
    columns and drop ``exit_reason`` from the later file)."""
    store = Warehouse(tmp_path / "warehouse")
    store.commit(1, stage_training(tmp_path, 1, {"record_id": ["old"], "program": ["Welding"]}))
    new = {"record_id": ["new"], "program": ["Welding"], "exit_reason": ["deceased"]}
    store.commit(2, stage_training(tmp_path, 2, new))
    rows = store.query("SELECT record_id, exit_reason FROM training ORDER BY record_id")
    assert rows == [("new", "deceased"), ("old", None)]
    assert store.query("SELECT count(low_income) FROM training") == [(0,)]  # in no file yet
