"""Loading one submission: stage, validate, cast, commit — or reject and leave no trace.

1. **Stage**: the importer's raw text rows are streamed into Parquet files in a staging folder
   outside the warehouse, one per canonical table (bounded memory, however large the file).
2. **Validate**: the contract checks run as SQL over the staged files (``validation``), together
   with the problems the importer itself reported. Any error rejects the whole submission.
3. **Cast**: each staged table is cast to its types, with the person id pseudonymised.
4. **Commit**: ``Warehouse.commit`` moves the typed files in and replaces the manifest.

The staging folder is removed whatever happens, so a rejected load changes no warehouse file.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from backbone.intake import validation
from backbone.warehouse.engines import DuckDBEngine
from backbone.warehouse.records import ERROR, WARNING, CodeNames, Problem, RowBatch, StagedRows
from backbone.warehouse.sql import identifier, literal
from backbone.warehouse.store import Warehouse
from backbone.warehouse.tables import TABLES, Table

logger = logging.getLogger(__name__)

MAX_REPORTED_PROBLEMS = 10_000
Progress = Callable[[str, int, float | None], None]  # stage, rows so far, fraction done


@dataclass
class LoadResult:
    """What happened to a submission: loaded or rejected, rows per table, and its problems."""

    loaded: bool
    rows: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0
    # What the partner's codes are called, by column (school names by school_id).
    names: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return "loaded" if self.loaded else "rejected"


@dataclass
class LoadRequest:
    """Everything a load needs besides the importer's rows."""

    submission_id: int
    partner: str
    pseudonym_key: str
    staging_dir: Path
    replaces: set[int] = field(default_factory=set)
    today: dt.date = field(default_factory=dt.date.today)


class StagingWriter:
    """Streams raw row batches into one all-text Parquet file per canonical table."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.rows: dict[str, int] = {}
        self.source_fields: dict[str, dict[str, str]] = {}
        self.adopted: dict[str, StagedRows] = {}
        self.last: dict[str, tuple[str, int]] = {}  # the last row's file and line, by table
        self.in_order: dict[str, bool] = {}  # whether rows came in file and line order
        directory.mkdir(parents=True, exist_ok=True)

    def write(self, batch: RowBatch) -> None:
        table = TABLES[batch.table]
        columns = batch.columns if batch.columns is not None else _columns(batch.rows)
        unknown = set(columns) - set(table.column_names) - {"source_row"}
        if unknown:
            raise ValueError(f"importer produced columns {sorted(unknown)} not in {table.name}")
        count = len(batch)
        arrays = {name: _text_array(columns.get(name), count) for name in table.column_names}
        arrays["source_file"] = pa.array([batch.file] * count, pa.string())
        arrays["source_row"] = pa.array(columns["source_row"], pa.int64())
        if table.name not in self.writers:
            self.writers[table.name] = pq.ParquetWriter(self.path(table.name), raw_schema(table))
        self.writers[table.name].write_table(pa.table(arrays, schema=raw_schema(table)))
        self._note_order(table.name, batch.file, columns["source_row"])
        self.rows[table.name] = self.rows.get(table.name, 0) + count
        self.source_fields.setdefault(table.name, {}).update(batch.source_fields)

    def _note_order(self, table: str, file: str, lines: list[Any]) -> None:
        if not lines:
            return
        before = self.last.get(table)
        try:
            ordered = all(a < b for a, b in itertools.pairwise(lines)) and (
                before is None or before < (file, lines[0])
            )
        except TypeError:  # a row without its line: sort to be sure
            ordered = False
        self.in_order[table] = self.in_order.get(table, True) and ordered
        self.last[table] = (file, lines[-1])

    def adopt(self, staged: StagedRows) -> None:
        """Take over a file the importer staged itself (the fast CSV path)."""
        if staged.table in self.rows:
            raise ValueError(f"{staged.table} is staged twice: batches and a staged file")
        shutil.move(staged.path, self.path(staged.table))
        self.adopted[staged.table] = staged
        self.in_order[staged.table] = True  # staged in line order (``delimited``)
        self.rows[staged.table] = staged.rows
        self.source_fields.setdefault(staged.table, {}).update(staged.source_fields)

    def path(self, table: str) -> Path:
        return self.directory / f"raw_{table}.parquet"

    def relation(self, table: str) -> str:
        """The FROM item for ``table``'s staged rows, with every column of the table."""
        staged = f"read_parquet({literal(str(self.path(table)))})"
        adopted = self.adopted.get(table)
        if adopted is None:
            return staged
        missing = [c for c in TABLES[table].column_names if c not in adopted.columns]
        added = [f"CAST(NULL AS VARCHAR) AS {identifier(c)}" for c in missing]
        added.append(f"{literal(adopted.file)} AS source_file")
        return f"(SELECT *, {', '.join(added)} FROM {staged})"

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()


def raw_schema(table: Table) -> pa.Schema:
    fields = [pa.field(name, pa.string()) for name in table.column_names]
    return pa.schema(
        [*fields, pa.field("source_file", pa.string()), pa.field("source_row", pa.int64())]
    )


def _columns(rows: list[dict[str, str | int | None]]) -> dict[str, list[Any]]:
    names = {key for row in rows for key in row} | {"source_row"}
    return {name: [row.get(name) for row in rows] for name in names}


def _text_array(values: list[Any] | None, count: int) -> pa.Array:
    if values is None:
        return pa.nulls(count, pa.string())
    try:
        return pa.array(values, pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):  # an importer handed over numbers: keep their text
        return pa.array([None if v is None else str(v) for v in values], pa.string())


def load(
    stream: Iterable[RowBatch | StagedRows | Problem | CodeNames],
    request: LoadRequest,
    warehouse: Warehouse,
    progress: Progress | None = None,
) -> LoadResult:
    """Load an importer's ``stream`` as submission ``request.submission_id``, all or nothing."""
    staging = request.staging_dir / f"submission-{request.submission_id}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        return _load(stream, request, warehouse, staging, progress or _no_progress)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _load(
    stream: Iterable[RowBatch | StagedRows | Problem | CodeNames],
    request: LoadRequest,
    warehouse: Warehouse,
    staging: Path,
    progress: Progress,
) -> LoadResult:
    writer = StagingWriter(staging)
    names: dict[str, dict[str, str]] = {}
    importer_problems = _stage(stream, writer, progress, names)
    result = LoadResult(loaded=False, rows=dict(writer.rows), names=names)
    engine = DuckDBEngine()
    try:
        problems, total = _validate(engine, writer, request.today)
        progress("validating", sum(writer.rows.values()), 1.0)
        _count(result, importer_problems + problems, total)
        empty = sum(writer.rows.values()) == 0
        if result.error_count or empty:
            if empty and not result.error_count:
                result.problems.append(
                    Problem("", None, "", None, "no_rows", "the file holds no rows")
                )
                result.error_count = 1
            return result
        typed = _cast(engine, writer, request, staging)
    finally:
        engine.close()
    progress("committing", sum(writer.rows.values()), 1.0)
    warehouse.commit(request.submission_id, typed, request.replaces)
    result.loaded = True
    return result


def _stage(
    stream: Iterable[RowBatch | StagedRows | Problem | CodeNames],
    writer: StagingWriter,
    progress: Progress,
    names: dict[str, dict[str, str]],
) -> list[Problem]:
    problems = []
    rows = 0
    try:
        for item in stream:
            if isinstance(item, Problem):
                problems.append(item)
                continue
            if isinstance(item, CodeNames):
                names.setdefault(item.column, {}).update(item.names)
                continue
            if isinstance(item, StagedRows):
                writer.adopt(item)
            else:
                writer.write(item)
            rows += len(item)
            progress("reading", rows, 1.0 if isinstance(item, StagedRows) else item.progress)
    finally:
        writer.close()
    return problems


def _validate(
    engine: DuckDBEngine, writer: StagingWriter, today: dt.date
) -> tuple[list[Problem], int]:
    problems: list[Problem] = []
    total = 0
    for name in writer.rows:
        staged = writer.relation(name)
        table = TABLES[name]
        limit = max(MAX_REPORTED_PROBLEMS - len(problems), 0)
        rows = engine.run(
            validation.problems_sql(staged, table, today.isoformat(), limit),
            label=f"validate {name}",
        )
        total += len(rows) if len(rows) < limit else _problem_count(engine, staged, table, today)
        names = writer.source_fields.get(name, {})
        problems += [
            Problem(f, r, _partner_field(fld, names), v, rule, msg)
            for f, r, fld, v, rule, msg in rows
        ]
    return _distinct(problems), total


def _problem_count(engine: DuckDBEngine, staged: str, table: Table, today: dt.date) -> int:
    """All problems of a staged table, counted only when there are more than can be listed."""
    sql = validation.problem_count_sql(staged, table, today.isoformat())
    [(count,)] = engine.run(sql, label=f"count {table.name}")
    return int(count)


def _partner_field(field_name: str, names: dict[str, str]) -> str:
    return "+".join(names.get(part, part) for part in field_name.split("+"))


def _distinct(problems: list[Problem]) -> list[Problem]:
    """One problem per file, row, field and rule: a person's row feeds several tables."""
    seen: set[tuple[str, int | None, str, str]] = set()
    kept = []
    for problem in problems:
        key = (problem.file, problem.row, problem.field, problem.rule)
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return sorted(kept, key=lambda p: (p.file, p.row or 0, p.field))


def _count(result: LoadResult, problems: list[Problem], sql_total: int) -> None:
    importer_errors = sum(p.severity == ERROR for p in problems if p.rule not in _SQL_RULES)
    listed = sum(p.rule in _SQL_RULES for p in problems)
    # The SQL total counts a person's row once per table it feeds; the list counts it once.
    sql_errors = listed if sql_total <= MAX_REPORTED_PROBLEMS else sql_total
    result.error_count = importer_errors + sql_errors
    result.warning_count = sum(p.severity == WARNING for p in problems)
    result.problems = problems[:MAX_REPORTED_PROBLEMS]


_SQL_RULES = {"required", "type", "code_list", "range", "plausible_date", "duplicate_key"}


def _cast(
    engine: DuckDBEngine,
    writer: StagingWriter,
    request: LoadRequest,
    staging: Path,
) -> dict[str, tuple[Path, int]]:
    typed: dict[str, tuple[Path, int]] = {}
    for name, rows in writer.rows.items():
        staged = writer.relation(name)
        select = validation.typed_select_sql(
            staged, TABLES[name], request.pseudonym_key, request.partner, request.submission_id,
            in_order=writer.in_order.get(name, False),
        )  # fmt: skip
        target = staging / f"typed_{name}.parquet"
        engine.run(
            f"COPY ({select}) TO {literal(str(target))} (FORMAT parquet)", label=f"type {name}"
        )
        typed[name] = (target, rows)
    return typed


def _no_progress(stage: str, rows: int, fraction: float | None) -> None:
    return None
