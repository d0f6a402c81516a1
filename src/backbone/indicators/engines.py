"""Running compiled indicator definitions on DuckDB (the warehouse's own reader) or Spark.

Both engines run the SQL ``definitions.compile_sql`` writes for their dialect over the same
Parquet files, so one definition gives the same table on either. Rows come back as dicts with
``period``, ``dimension``, ``group_value``, ``numerator``, ``denominator`` and ``value``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from backbone.indicators.definitions import IndicatorDefinition, compile_sql
from backbone.indicators.expressions import Dialect
from backbone.warehouse.store import Warehouse

ENGINES = ("duckdb", "spark")
RESULT_COLUMNS = ("period", "dimension", "group_value", "numerator", "denominator", "value")
Rows = list[dict[str, Any]]


def compute(
    store: Warehouse,
    definitions: Sequence[IndicatorDefinition],
    engine: str = "duckdb",
    done: Callable[[int], None] | None = None,
    spark: Any = None,
) -> list[Rows]:
    """Every definition's result rows, in order; ``done(index)`` after each."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    dialect: Dialect = "spark" if engine == "spark" else "duckdb"
    sqls = [compile_sql(d, dialect) for d in definitions]  # refuses bad definitions first
    if engine == "spark":
        return _on_spark(store, definitions, sqls, done, spark)
    results = []
    with store.engine("analytic") as warehouse:
        for index, (definition, sql) in enumerate(zip(definitions, sqls, strict=True)):
            results.append([_row(r) for r in warehouse.run(sql, label=definition.slug)])
            if done:
                done(index)
    return results


def _row(values: Sequence[Any]) -> dict[str, Any]:
    row = dict(zip(RESULT_COLUMNS, values, strict=True))
    row["period"] = str(row["period"])
    row["value"] = None if row["value"] is None else float(row["value"])
    return row


def _on_spark(
    store: Warehouse,
    definitions: Sequence[IndicatorDefinition],
    sqls: Sequence[str],
    done: Callable[[int], None] | None,
    spark: Any,
) -> list[Rows]:
    from backbone.indicators.spark_tables import register_warehouse, spark_or_local

    with spark_or_local(spark) as engine:
        register_warehouse(engine, store, {t for d in definitions for t in d.tables})
        results = []
        for index, (definition, sql) in enumerate(zip(definitions, sqls, strict=True)):
            results.append([_row(r) for r in engine.run(sql, label=definition.slug)])
            if done:
                done(index)
    return results
