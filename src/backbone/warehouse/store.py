"""The warehouse on disk and the one executor that reads it.

Layout under ``<workspace>/warehouse``::

    manifest.json                              what is loaded: the single commit point
    identity/<table>/<submission_id>.parquet   identity tier (names, birth dates, identifiers)
    analytic/<table>/<submission_id>.parquet   analytic tier (pseudonymous record_id only)

A load writes its Parquet files elsewhere (the workspace's ``staging`` folder), then ``commit``
moves them in and atomically replaces the manifest. Readers see only files the manifest lists,
so a load that is refused or killed before that replace leaves what readers see unchanged; files
a killed commit left behind are removed by the next commit.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from backbone.warehouse.engines import DuckDBEngine
from backbone.warehouse.sql import identifier, literal, literals
from backbone.warehouse.tables import LINEAGE_COLUMNS, TABLES, Table

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class TableFile:
    """One submission's rows of one table, as listed in the manifest."""

    table: str
    submission_id: int
    path: str  # relative to the warehouse directory
    rows: int


def stored_columns(table: Table) -> list[tuple[str, str]]:
    """The columns as stored: the person id replaced by ``record_id`` (kept too in identity)."""
    columns = [("record_id", "VARCHAR")]
    for column in table.columns:
        if column.name != table.person_column or table.tier == "identity":
            columns.append((column.name, column.type))
    lineage_types = {"submission_id": "BIGINT", "source_row": "BIGINT"}
    columns += [(name, lineage_types.get(name, "VARCHAR")) for name in LINEAGE_COLUMNS]
    return columns


def empty_relation_sql(table: Table) -> str:
    """A typed, empty SELECT for a table nothing has been loaded into yet."""
    columns = ", ".join(
        f"CAST(NULL AS {kind}) AS {identifier(name)}" for name, kind in stored_columns(table)
    )
    return f"SELECT {columns} WHERE false"


def table_view_sql(table: Table, files: list[str]) -> str:
    """``CREATE VIEW`` over the table's listed Parquet files (or an empty typed relation).

    Files are read by column name, over the empty relation: a file loaded before a column was
    added to the contract reads that column as NULL, instead of the view silently taking the
    first file's columns.
    """
    empty = empty_relation_sql(table)
    if not files:
        return f"CREATE OR REPLACE VIEW {identifier(table.name)} AS {empty}"
    return (
        f"CREATE OR REPLACE VIEW {identifier(table.name)} AS {empty} UNION ALL BY NAME "
        f"SELECT * FROM read_parquet([{literals(files)}], union_by_name = true)"
    )


class Warehouse:
    """The workspace's warehouse: its manifest, its files, and DuckDB connections to read them.

    >>> warehouse = Warehouse(Path("/srv/riverton/warehouse"))  # doctest: +SKIP
    >>> warehouse.query("SELECT count(*) FROM wages")  # doctest: +SKIP
    [(2000000,)]
    """

    def __init__(self, directory: Path):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    # --- the manifest -------------------------------------------------------------------------

    def _manifest(self) -> dict[str, Any]:
        path = self.directory / MANIFEST
        if not path.exists():
            return {"format": 1, "files": [], "derived": {}}
        return json.loads(path.read_text())  # type: ignore[no-any-return]

    def files(self) -> list[TableFile]:
        return [TableFile(**entry) for entry in self._manifest()["files"]]

    def derived(self) -> dict[str, str]:
        """Derived tables (e.g. the crosswalk) → their current file, relative to the warehouse."""
        return dict(self._manifest().get("derived", {}))

    def files_of(self, table: str) -> list[TableFile]:
        return [f for f in self.files() if f.table == table]

    def submissions(self) -> set[int]:
        return {f.submission_id for f in self.files()}

    def _write_manifest(
        self, files: list[TableFile], derived: dict[str, str] | None = None
    ) -> None:
        data = {
            "format": 1,
            "files": [f.__dict__ for f in sorted(files, key=_file_order)],
            "derived": self.derived() if derived is None else derived,
        }
        temporary = self.directory / f".{MANIFEST}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps(data, indent=1))
        with temporary.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, self.directory / MANIFEST)  # atomic: the commit point

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Serialise commits: one writer at a time across processes."""
        with (self.directory / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    # --- writing --------------------------------------------------------------------------------

    def commit(
        self,
        submission_id: int,
        staged: dict[str, tuple[Path, int]],
        replaces: frozenset[int] | set[int] = frozenset(),
    ) -> list[TableFile]:
        """Move a submission's staged Parquet files in and publish them in one manifest replace.

        ``staged`` maps table name → (staged file, row count); ``replaces`` names submissions this
        one supersedes, whose files leave the manifest in the same replace.
        """
        with self.locked():
            self.remove_unlisted()
            kept = [f for f in self.files() if f.submission_id not in replaces | {submission_id}]
            added = [
                self._move_in(submission_id, table, path, rows)
                for table, (path, rows) in staged.items()
            ]
            self._write_manifest(kept + added)
            self.remove_unlisted()
        logger.info("committed submission %s: %s", submission_id, {f.table: f.rows for f in added})
        return added

    def _move_in(self, submission_id: int, table: str, source: Path, rows: int) -> TableFile:
        relative = Path(TABLES[table].tier) / table / f"{submission_id}.parquet"
        (self.directory / relative).parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, self.directory / relative)
        return TableFile(table, submission_id, str(relative), rows)

    def remove(self, submission_ids: set[int]) -> None:
        """Take submissions out of the warehouse (destruction, or undoing a load)."""
        with self.locked():
            files = self.files()
            self._write_manifest([f for f in files if f.submission_id not in submission_ids])
            for entry in files:
                if entry.submission_id in submission_ids:
                    (self.directory / entry.path).unlink(missing_ok=True)
            logger.info("removed submissions %s from the warehouse", sorted(submission_ids))

    def write_derived(self, name: str, tier: str, rows: pa.Table) -> Path:
        """Replace derived table ``name`` with ``rows`` in one manifest replace (e.g. the
        crosswalk after a linkage run); the previous version's file is then removed."""
        with self.locked():
            relative = Path(tier) / name / f"{name}-{time.time_ns()}.parquet"
            target = self.directory / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_suffix(".tmp")
            pq.write_table(rows, temporary)
            os.replace(temporary, target)
            previous = self.derived().get(name)
            self._write_manifest(self.files(), {**self.derived(), name: str(relative)})
            if previous is not None:  # replaced, not stray: no warning
                (self.directory / previous).unlink(missing_ok=True)
            self.remove_unlisted()
        return target

    def read_derived(self, name: str) -> pa.Table | None:
        relative = self.derived().get(name)
        return pq.read_table(self.directory / relative) if relative else None

    def remove_unlisted(self) -> list[Path]:
        """Delete Parquet files the manifest does not list (left by a commit that was killed)."""
        listed = {self.directory / f.path for f in self.files()}
        listed |= {self.directory / path for path in self.derived().values()}
        stray = [p for p in self.directory.glob("*/*/*.parquet") if p not in listed]
        for path in stray:
            path.unlink()
            logger.warning("removed %s: not in the manifest", path)
        return stray

    # --- reading --------------------------------------------------------------------------------

    @contextmanager
    def engine(
        self,
        tier: str = "analytic",
        *,
        bounded: bool = False,
        memory_limit: str | None = None,
        temp_directory: str | None = None,
    ) -> Iterator[DuckDBEngine]:
        """An in-memory DuckDB engine with one view per table of ``tier`` (or ``"all"``).

        The views read only the files the manifest lists, as it was when the block began.
        ``bounded`` (for work that may outgrow memory, like linkage) keeps the engine to
        ``memory_limit`` and spills to ``temp_directory``, or their defaults (``bounded``).
        """
        engine = DuckDBEngine.bounded(memory_limit, temp_directory) if bounded else DuckDBEngine()
        try:
            for table in TABLES.values():
                if tier in ("all", table.tier):
                    files = [str(self.directory / f.path) for f in self.files_of(table.name)]
                    engine.run(table_view_sql(table, files), label=f"view {table.name}")
            for name, relative in self.derived().items():
                if tier == "all" or relative.startswith(f"{tier}/"):
                    path = literal(str(self.directory / relative))
                    engine.run(
                        f"CREATE OR REPLACE VIEW {identifier(name)} AS "
                        f"SELECT * FROM read_parquet({path})",
                        label=f"view {name}",
                    )
            yield engine
        finally:
            engine.close()

    def query(
        self,
        sql: str,
        parameters: list[Any] | None = None,
        tier: str = "analytic",
        label: str = "",
    ) -> list[tuple[Any, ...]]:
        """Run one read-only query against the warehouse and return its rows (timed, logged)."""
        with self.engine(tier) as engine:
            return engine.run(sql, parameters, label)

    def table_counts(self) -> dict[str, dict[str, Any]]:
        """Per table: rows and the submissions holding them (for ``backbone status``)."""
        counts: dict[str, dict[str, Any]] = {}
        for name in TABLES:
            files = self.files_of(name)
            counts[name] = {
                "rows": sum(f.rows for f in files),
                "submissions": sorted(f.submission_id for f in files),
            }
        return counts


def _file_order(entry: TableFile) -> tuple[str, int]:
    return (entry.table, entry.submission_id)
