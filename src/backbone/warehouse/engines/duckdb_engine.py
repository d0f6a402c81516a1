"""The DuckDB adapter: the embedded default engine, in memory, reading the warehouse's Parquet.

>>> engine = DuckDBEngine()
>>> engine.run("SELECT ? + 1 AS n", [41], label="answer")
[(42,)]
>>> engine.register("people", pa.table({"name": ["Ada", "Grace"]}))
>>> engine.arrow("SELECT count(*) AS n FROM people").to_pylist()
[{'n': 2}]
>>> with engine.scratch() as scratch:
...     pairs = scratch.name("pairs")
...     _ = engine.run(f"CREATE TABLE {pairs} AS SELECT 1 AS a")
>>> engine.run("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'scratch_%'")
[(0,)]
>>> engine.close()
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import duckdb
import pyarrow as pa

from backbone.warehouse.engines.base import Engine, Rows
from backbone.warehouse.sql import identifier, literal, literals

MEMORY_LIMIT_VARIABLE = "BACKBONE_DUCKDB_MEMORY_LIMIT"
TEMP_DIRECTORY_VARIABLE = "BACKBONE_DUCKDB_TEMP_DIRECTORY"
# DuckDB's own default is 80% of the machine, and its limit leaves out Python's objects and
# Arrow results: 40% leaves room for them and for others' work on a shared machine.
DEFAULT_MEMORY_SHARE = 0.4


def default_memory_limit(share: float = DEFAULT_MEMORY_SHARE) -> str:
    """``BACKBONE_DUCKDB_MEMORY_LIMIT`` when set, else ``share`` of the machine's memory.

    >>> default_memory_limit().endswith("MiB")
    True
    """
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return os.environ.get(MEMORY_LIMIT_VARIABLE) or f"{int(total * share) // 2**20}MiB"


def default_temp_directory() -> str:
    """``BACKBONE_DUCKDB_TEMP_DIRECTORY`` when set, else a folder under the system's temporary
    directory (DuckDB's own default, ``.tmp`` in the working directory, may not be writable)."""
    return os.environ.get(TEMP_DIRECTORY_VARIABLE) or str(
        Path(tempfile.gettempdir()) / "backbone-duckdb"
    )


class DuckDBEngine(Engine):
    """An in-memory DuckDB connection behind the ``Engine`` interface."""

    dialect: ClassVar[str] = "duckdb"
    errors: ClassVar[tuple[type[BaseException], ...]] = (duckdb.Error,)

    def __init__(self, memory_limit: str | None = None, temp_directory: str | None = None) -> None:
        """An in-memory database; ``memory_limit`` (DuckDB's, e.g. ``"6GB"``) makes large joins
        and sorts spill to ``temp_directory`` instead of growing (DuckDB's defaults: 80% of
        the machine's memory, ``.tmp`` under the working directory)."""
        config = {"memory_limit": memory_limit, "temp_directory": temp_directory}
        self.connection = duckdb.connect(config={k: v for k, v in config.items() if v})
        self.connection.execute("SET enable_progress_bar = false")  # a worker has no terminal
        self._registered: dict[str, pa.Table] = {}

    @classmethod
    def bounded(
        cls, memory_limit: str | None = None, temp_directory: str | None = None
    ) -> DuckDBEngine:
        """An engine for work that may outgrow memory (linking files): ``memory_limit`` and
        ``temp_directory``, or the environment's, or the defaults (``default_memory_limit``)."""
        return cls(
            memory_limit or default_memory_limit(), temp_directory or default_temp_directory()
        )

    def _rows(self, sql: str, params: list[Any]) -> Rows:
        cursor = self.connection.execute(sql, params)
        return cursor.fetchall() if cursor.description else []

    def _arrow(self, sql: str, params: list[Any]) -> pa.Table:
        return self.connection.execute(sql, params).to_arrow_table()

    def register(self, name: str, rows: pa.Table) -> None:
        self._registered[name] = rows  # DuckDB reads the Arrow table in place: keep it alive
        self.connection.register(name, rows)

    def parquet_reader(self, paths: Sequence[str]) -> str:
        return f"read_parquet([{literals(paths)}])"

    def text_csv_reader(self, path: str, width: int, max_line_bytes: int) -> str:
        """The FROM item reading the CSV at ``path`` after its header line as ``width`` text
        columns ``c0``, ``c1``…, strictly: comma-separated, ``"``-quoted, no type sniffing; a
        short row is padded with NULLs, and a row wider than ``width``, a line over
        ``max_line_bytes`` or a byte that is not UTF-8 makes the query fail."""
        columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
        return (
            f"read_csv({literal(path)}, header = true, auto_detect = false, delim = ',', "
            "quote = '\"', escape = '\"', null_padding = true, strict_mode = true, "
            f"max_line_size = {int(max_line_bytes)}, columns = {{{columns}}})"
        )

    def drop(self, name: str) -> None:
        if self._registered.pop(name, None) is not None:
            self.connection.unregister(name)
            return
        kind = self.connection.execute(
            "SELECT 'TABLE' FROM duckdb_tables() WHERE table_name = ? "
            "UNION ALL SELECT 'VIEW' FROM duckdb_views() WHERE view_name = ?",
            [name, name],
        ).fetchone()
        if kind:
            self.connection.execute(f"DROP {kind[0]} IF EXISTS {identifier(name)}")

    def splink_api(self) -> Any:
        from splink import DuckDBAPI

        return DuckDBAPI(connection=self.connection)

    def close(self) -> None:
        self.connection.close()
