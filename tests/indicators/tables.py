"""Small canonical tables in DuckDB, typed as the warehouse stores them, for indicator tests."""

from __future__ import annotations

from typing import Any

import duckdb

from backbone.warehouse.store import stored_columns
from backbone.warehouse.tables import TABLES


def create_table(
    connection: duckdb.DuckDBPyConnection, name: str, rows: list[dict[str, Any]]
) -> None:
    """``name`` with every stored column; each row gives some columns, the rest are NULL."""
    columns = stored_columns(TABLES[name])
    connection.execute(f"CREATE TABLE {name} ({', '.join(f'{c} {t}' for c, t in columns)})")
    for number, row in enumerate(rows):
        values = {"submission_id": 1, "source_row": number, **row}
        names = list(values)
        placeholders = ", ".join("?" for _ in names)
        connection.execute(
            f"INSERT INTO {name} ({', '.join(names)}) VALUES ({placeholders})",
            list(values.values()),
        )


def create_crosswalk(connection: duckdb.DuckDBPyConnection, links: dict[str, str]) -> None:
    """The crosswalk linkage publishes: record_id → person_key."""
    connection.execute("CREATE TABLE crosswalk (record_id VARCHAR, person_key VARCHAR)")
    connection.executemany("INSERT INTO crosswalk VALUES (?, ?)", list(links.items()))


def table_names(connection: duckdb.DuckDBPyConnection) -> list[str]:
    return sorted(r[0] for r in connection.execute("SHOW TABLES").fetchall())
