"""The warehouse's analytic tables on Spark, for ``engines.compute(engine="spark")``.

Tables travel from DuckDB's view of the Parquet files to Spark through Arrow, so Spark sees the
same rows and types (DATE stays DATE) that DuckDB does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from backbone.identity.consent import NO_GATE, ConsentGate, close_gate
from backbone.warehouse.engines import Engine
from backbone.warehouse.sql import identifier
from backbone.warehouse.store import Warehouse

CROSSWALK = "crosswalk"


@contextmanager
def spark_or_local(spark: Any = None) -> Iterator[Engine]:
    """An engine over ``spark``, or over a local session started for the block and stopped
    after it."""
    from backbone.warehouse.engines.spark_engine import SparkEngine, spark_session

    if spark is not None:
        yield SparkEngine(spark)
        return
    with spark_session("backbone-indicators") as session:
        yield SparkEngine(session)


def register_warehouse(
    engine: Engine, store: Warehouse, tables: Iterable[str], gate: ConsentGate | None = None
) -> None:
    """Make each table (and the crosswalk, when published) queryable on ``engine``, through the
    consent ``gate`` when given."""
    names = set(tables) | ({CROSSWALK} if CROSSWALK in store.derived() else set())
    with store.engine("analytic") as local:
        close_gate(local, gate or NO_GATE, set(tables))
        for name in sorted(names):
            engine.register(name, local.arrow(f"SELECT * FROM {identifier(name)}", label=name))
