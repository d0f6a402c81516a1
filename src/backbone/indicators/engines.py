"""Running compiled indicator definitions on DuckDB (the warehouse's own reader) or Spark.

Both engines run the SQL ``definitions.compile_sql`` writes for their dialect over the same
Parquet files, so one definition gives the same table on either. Rows come back as dicts with
``period``, ``dimension``, ``group_value``, ``numerator``, ``denominator`` and ``value``, plus
``complete`` (the period's follow-up window has closed) and ``data_through`` (how far the data
the definition waits for reach, a date or None), both from ``completeness``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from backbone.identity.consent import NO_GATE, ConsentGate, close_gate
from backbone.indicators import completeness
from backbone.indicators.definitions import (
    IndicatorDefinition,
    compile_sql,
    joins_partners,
    own_records_crosswalk_sql,
)
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
    today: dt.date | None = None,
    own_records: bool = False,
    gate: ConsentGate | None = None,
) -> list[Rows]:
    """Every definition's result rows, in order; ``done(index)`` after each. ``today`` (the
    computation's day unless given) bounds how far loaded data can reach. ``own_records``: no
    crosswalk is published because there is nobody to link, so each record is its own person.
    ``gate``, when given, leaves out the rows of records without consent in force
    (``identity.consent``)."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    dialect: Dialect = "spark" if engine == "spark" else "duckdb"
    sqls = [compile_sql(d, dialect) for d in definitions]  # refuses bad definitions first
    day = today or dt.date.today()
    tables = {t for d in definitions for t in d.tables}
    crosswalk = _own_crosswalk(definitions) if own_records else None
    if engine == "spark":
        return _on_spark(store, definitions, sqls, done, spark, day, gate, crosswalk)
    with store.engine("analytic") as warehouse:
        close_gate(warehouse, gate or NO_GATE, tables)
        if crosswalk:  # over the gated tables
            warehouse.run(crosswalk, label="crosswalk of own records")
        return _run(warehouse, definitions, sqls, done, day)


def _own_crosswalk(definitions: Sequence[IndicatorDefinition]) -> str | None:
    """The SQL of a crosswalk where every record of the joined tables is its own person."""
    joined = [d for d in definitions if joins_partners(d)]
    return own_records_crosswalk_sql({t for d in joined for t in d.tables}) if joined else None


def _run(
    engine: Any,
    definitions: Sequence[IndicatorDefinition],
    sqls: Sequence[str],
    done: Callable[[int], None] | None,
    today: dt.date,
) -> list[Rows]:
    """Each definition's rows, flagged complete or not; each awaited table is read once."""
    latest: dict[completeness.Awaited, object] = {}
    results = []
    for index, (definition, sql) in enumerate(zip(definitions, sqls, strict=True)):
        rows = [_row(r) for r in engine.run(sql, label=definition.slug)]
        through = _data_through(engine, definition, latest, today)
        rule, kind = definition.complete_when, definition.period.rule
        for row in rows:
            row["complete"] = completeness.is_complete(row["period"], kind, rule, through)
            row["data_through"] = through
        results.append(rows)
        if done:
            done(index)
    return results


def _data_through(
    engine: Any,
    definition: IndicatorDefinition,
    latest: dict[completeness.Awaited, object],
    today: dt.date,
) -> dt.date | None:
    """How far the data ``definition`` waits for reach; ``latest`` keeps what was read."""
    rule = definition.complete_when
    if rule is None:
        return None
    for awaited in rule.waits_for:
        if awaited not in latest:
            label = f"{definition.slug}: data through {awaited.table}"
            latest[awaited] = engine.run(completeness.through_sql(awaited), label=label)[0][0]
    reaches = [completeness.reach(a, latest[a], today) for a in rule.waits_for]
    return completeness.data_through(reaches)


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
    today: dt.date,
    gate: ConsentGate | None,
    crosswalk: str | None,
) -> list[Rows]:
    from backbone.indicators.spark_tables import register_warehouse, spark_or_local

    with spark_or_local(spark) as engine:
        register_warehouse(engine, store, {t for d in definitions for t in d.tables}, gate)
        if crosswalk:
            engine.run(crosswalk, label="crosswalk of own records")
        return _run(engine, definitions, sqls, done, today)
