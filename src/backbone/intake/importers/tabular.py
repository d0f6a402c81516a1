"""Generic CSV and XLSX files: a partner's own columns, mapped onto one canonical table.

A mapping names, for each canonical column, the partner's column that holds it; value crosswalks
turn a partner's local labels into canonical codes (e.g. ``"AA" → "Black or African American"``).
Columns of the identity tier that are mapped (names, birth date, identifiers) also produce one
``identity_record`` per distinct person, so a CBO's roster needs only one file.

UI quarterly wage records are this importer with a preset mapping (``ui_wages``).

>>> options = ImportOptions(partner="tutoring", target_table="program_participation",
...                         column_mapping={"local_id": "Student ID", "program": "Program"})
>>> for item in read(Path("roster.csv"), options): ...  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

from backbone.intake.importers import bounded, delimited, xlsx
from backbone.warehouse.records import (
    BATCH_ROWS,
    ImportOptions,
    ImportStream,
    IntakeLimits,
    Problem,
    RowBatch,
)  # fmt: skip
from backbone.warehouse.tables import TABLES, Table

IDENTITY_TABLE = "identity_record"
Line = tuple[int, list[str], float]  # line number, values, fraction of the file read
XLSX_SUFFIXES = {".xlsx", ".xlsm"}


def read(source: Path, options: ImportOptions) -> ImportStream:
    """Rows of ``options.target_table`` (and ``identity_record``) from a CSV or XLSX file.

    A file that breaks a limit (``options.limits``) or cannot be read as its format stops the
    read with one problem naming its row and field."""
    try:
        yield from _read(source, options)
    except bounded.Refused as refusal:
        yield refusal.problem


def _read(source: Path, options: ImportOptions) -> ImportStream:
    table = TABLES[options.target_table]
    rows = read_rows(source, options.limits)
    header = next(rows, None)
    if header is None:
        yield Problem(source.name, 1, "", None, "header", "the file is empty: no header row")
        return
    mapping, problems = resolve_mapping(source.name, header[1], table, options.column_mapping)
    yield from problems
    if any(p.severity == "error" for p in problems):
        return
    headers = {column: header[1][position].strip() for column, position in mapping.items()}
    if options.fast_csv and source.suffix.lower() not in XLSX_SUFFIXES:
        rows.close()  # DuckDB reads the rest, unless the file needs reading row by row
        layout = delimited.Layout(len(header[1]), mapping, headers)
        staged = delimited.stage(source, layout, table, options)
        if staged is not None:
            with staged as items:
                yield from items
            return
        rows = read_rows(source, options.limits)
        next(rows)  # the header, read above
    yield from _batches(source, rows, mapping, headers, table, options)


def resolve_mapping(
    file: str, header: list[str], table: Table, mapping: dict[str, str]
) -> tuple[dict[str, int], list[Problem]]:
    """Canonical column → position in the file; problems for mapped columns the file lacks and
    required columns nobody mapped. Unmapped columns whose header is the canonical name map
    to themselves."""
    positions = {name.strip(): index for index, name in enumerate(header)}
    identity = TABLES[IDENTITY_TABLE]
    wanted = {
        **{c: c for c in (*table.column_names, *identity.column_names) if c in positions},
        **mapping,
    }
    resolved: dict[str, int] = {}
    problems: list[Problem] = []
    for name, source_name in wanted.items():
        if source_name in positions:
            resolved[name] = positions[source_name]
        else:
            message = f"column {source_name!r} (mapped to {name}) is not in the file"
            problems.append(Problem(file, 1, source_name, None, "required_column", message))
    for column in table.columns:
        if column.required and column.name not in wanted:
            message = (
                f"no column provides {column.name}: add it to the file or to the column mapping"
            )
            problems.append(Problem(file, 1, column.name, None, "required_column", message))
    return resolved, problems


Converter = Callable[[str], str | None]


def converter(column: str, kind: str, options: ImportOptions) -> Converter:
    """The function turning one raw cell of ``column`` into canonical text (None when empty)."""
    crosswalk = options.value_crosswalks.get(column, {})

    def convert(raw: str) -> str | None:
        value = raw.strip()
        if not value:
            return None
        value = crosswalk.get(value, value)
        return normalise_date(value, options.date_format) if kind == "DATE" else value

    return convert


def _batches(
    source: Path,
    rows: Iterator[tuple[int, list[str], float]],
    mapping: dict[str, int],
    names: dict[str, str],
    table: Table,
    options: ImportOptions,
) -> Iterator[RowBatch]:
    identity = TABLES[IDENTITY_TABLE]
    target = {
        c.name: converter(c.name, c.type, options) for c in table.columns if c.name in mapping
    }
    people = {
        c.name: converter(c.name, c.type, options) for c in identity.columns if c.name in mapping
    }
    seen: set[str | None] = set()
    for lines, values, fraction in _chunks(rows):
        columns = _convert(lines, values, mapping, target)
        yield RowBatch(
            table.name, source.name, columns=columns, progress=fraction, source_fields=names
        )
        if len(people) > 1:  # the person id and at least one identifying column
            new = _first_sightings(values, mapping["local_id"], people["local_id"], seen)
            if new:
                picked = _convert(
                    [lines[i] for i in new], [values[i] for i in new], mapping, people
                )
                yield RowBatch(IDENTITY_TABLE, source.name, columns=picked, source_fields=names)


def _chunks(
    rows: Iterator[tuple[int, list[str], float]],
) -> Iterator[tuple[list[int], list[list[str]], float]]:
    lines: list[int] = []
    values: list[list[str]] = []
    fraction = 0.0
    for line, cells, fraction in rows:
        lines.append(line)
        values.append(cells)
        if len(lines) >= BATCH_ROWS:
            yield lines, values, fraction
            lines, values = [], []
    if lines:
        yield lines, values, 1.0


def _convert(
    lines: list[int],
    values: list[list[str]],
    mapping: dict[str, int],
    converters: dict[str, Converter],
) -> dict[str, list[Any]]:
    columns: dict[str, list[Any]] = {"source_row": lines}
    for name, convert in converters.items():
        position = mapping[name]
        columns[name] = [
            convert(cells[position]) if position < len(cells) else None for cells in values
        ]
    return columns


def _first_sightings(
    values: list[list[str]], position: int, convert: Converter, seen: set[str | None]
) -> list[int]:
    """Indices of rows whose person id has not been seen before (one identity row per person)."""
    new = []
    for index, cells in enumerate(values):
        person = convert(cells[position]) if position < len(cells) else None
        if person not in seen:
            seen.add(person)
            new.append(index)
    return new


def normalise_date(raw: str, date_format: str) -> str:
    """ISO ``YYYY-MM-DD`` from ``raw`` in ``date_format`` (or already ISO); unchanged when neither
    fits, so validation reports the value as the partner wrote it."""
    for fmt in (date_format, "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(raw, fmt).date().isoformat()
        except ValueError:
            continue
    return raw


# --- reading CSV and XLSX as (line, values, fraction read) ----------------------------------


def read_rows(source: Path, limits: IntakeLimits) -> Generator[Line, None, None]:
    """(line, values, fraction read) for each row with values, the header first; raises
    ``bounded.Refused`` when the file breaks a limit."""
    bounded.check_file_size(source, limits)
    if source.suffix.lower() in XLSX_SUFFIXES:
        return xlsx.read_rows(source, limits)
    return _csv_rows(source, limits.max_field_chars)


def _csv_rows(source: Path, max_chars: int) -> Generator[Line, None, None]:
    size = max(source.stat().st_size, 1)
    with source.open("rb") as raw, bounded.open_csv(raw) as handle:
        for line, values in bounded.csv_records(handle, source.name, max_chars):
            if values:
                yield (line, values, 0.0 if line == 1 else raw.tell() / size)
