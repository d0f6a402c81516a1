"""The warehouse's analytic tables as Spark views, for ``engines.compute(engine="spark")``.

Tables travel from DuckDB's view of the Parquet files to Spark through Arrow, so Spark sees the
same rows and types (DATE stays DATE) that DuckDB does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from backbone.identity.spark import duckdb_to_spark, spark_session
from backbone.warehouse.store import Warehouse

CROSSWALK = "crosswalk"


@contextmanager
def spark_or_local(spark: Any = None) -> Iterator[Any]:
    """``spark`` itself, or a local session started for the block and stopped after it."""
    if spark is not None:
        yield spark
        return
    with spark_session("backbone-indicators") as session:
        yield session


def register_warehouse(session: Any, store: Warehouse, tables: Iterable[str]) -> None:
    """Create a Spark temporary view for each table (and the crosswalk, when published)."""
    names = set(tables) | ({CROSSWALK} if CROSSWALK in store.derived() else set())
    with store.connect("analytic") as connection:
        for name in sorted(names):
            relation = connection.sql(f'SELECT * FROM "{name}"')
            duckdb_to_spark(session, relation).createOrReplaceTempView(name)
