"""Encoding a partner's file: read its rows, check them, and write the encodings.

``encode_file`` is what ``backbone encode`` runs on a partner's machine: it reads a CSV, checks
the header and every row (one error listing every problem), encodes each record with the
schema's ``Encoder`` (``backbone.identity.encoding``) and writes only ids and bit arrays, as
Parquet (the schema's fingerprint in the file's metadata) or as CSV (after a preamble line).

>>> report = encode_file(Path("pupils.csv"), Path("pupils.clk"), secret, "id")  # doctest: +SKIP
>>> report.records  # doctest: +SKIP
1200
"""

from __future__ import annotations

import base64
import csv
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from backbone.identity.encoding import (
    CSV_PREAMBLE,
    ENCODING_COLUMN,
    ID_COLUMN,
    MAX_LISTED,
    META_BITS,
    META_FINGERPRINT,
    META_SCHEMA,
    PARQUET_OPTIONS,
    Encoder,
    EncodingError,
    EncodingSchema,
    derive_keys,
    normalise,
    value_problem,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EncodeReport:
    """What ``encode_file`` wrote: counts a partner can check, and nothing identifying."""

    target: Path
    records: int
    fingerprint: str
    output_bits: int
    missing: dict[str, int]  # records with the field empty, per schema field
    empty_records: int  # records with no identifier at all (they can never link)
    seconds: float


def count_rows(source: Path) -> int:
    """Records in a CSV file, header excluded: the total for a progress bar."""
    with Path(source).open(newline="", encoding="utf-8-sig", errors="replace") as handle:
        return max(sum(1 for _ in csv.reader(handle)) - 1, 0)


def read_rows(
    source: Path, id_column: str, columns: Mapping[str, str]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The input CSV's rows with their line numbers, after checking the header (one error).

    Rows are read lazily, so a large file is never held as text. Bytes that are not UTF-8 are
    kept as surrogates so ``row_problems`` can name the row and column they are in.
    """
    with Path(source).open(newline="", encoding="utf-8-sig", errors="surrogateescape") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        needed = [id_column, *columns.values()]
        missing = [c for c in dict.fromkeys(needed) if c not in header]
        if missing:
            listed = ", ".join(header)
            problems = [f"column {c!r} is not in the file (columns: {listed})" for c in missing]
            raise EncodingError(problems, str(source))
        for row in reader:
            yield reader.line_num, row


def is_utf8(value: str) -> bool:
    """False for text read with ``surrogateescape`` from bytes that are not UTF-8."""
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass
class EncodedRows:
    """What ``encode_rows`` made of a file: ids, line numbers, encodings and problems."""

    ids: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    encodings: list[bytes] = field(default_factory=list)
    missing: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    unlisted: int = 0

    def report(self, problem: str) -> None:
        """Keep the first ``MAX_LISTED`` problems and count the rest."""
        if len(self.problems) < MAX_LISTED:
            self.problems.append(problem)
        else:
            self.unlisted += 1

    def all_problems(self) -> list[str]:
        more = [f"… and {self.unlisted} more problem(s)"] if self.unlisted else []
        return self.problems + more


def row_problems(
    line: int, row: Mapping[Any, Any], dates: Mapping[str, str], width: int
) -> list[str]:
    """A ragged row, bytes that are not UTF-8, or a date partners would write differently.

    Problems name the row and the file's column but never quote the value: error output gets
    pasted into e-mails and tickets, and the value is an identifier.
    """
    if None in row or None in row.values():
        count = sum(v is not None for k, v in row.items() if k is not None)
        return [f"row {line}: {count + len(row.get(None) or [])} values, the header has {width}"]
    problems = [
        f"row {line}, column {column!r}: not UTF-8 text; save the file as CSV UTF-8"
        for column, value in row.items()
        if not is_utf8(value)
    ]
    for column, kind in dates.items():
        problem = value_problem(normalise(row[column], kind), kind)
        if problem:
            problems.append(f"row {line}, column {column!r}: {problem}")
    return problems


def encode_rows(
    rows: Iterable[tuple[int, Mapping[Any, Any]]],
    encoder: Encoder,
    id_column: str,
    columns: Mapping[str, str],
    progress: Callable[[int], None] | None = None,
) -> EncodedRows:
    """Encode every row; collect ids, per-field missing counts and every row's problems."""
    result = EncodedRows(missing=dict.fromkeys(columns, 0))
    kinds = {spec.name: spec.kind for spec in encoder.schema.fields}
    dates = {columns[name]: kind for name, kind in kinds.items() if kind == "date"}
    width = 0
    for line, row in rows:
        width = width or len([k for k in row if k is not None])
        for problem in row_problems(line, row, dates, width):
            result.report(problem)
        values = {name: row.get(column) for name, column in columns.items()}
        for name, value in values.items():
            result.missing[name] += not (value or "").strip()
        result.ids.append((row.get(id_column) or "").strip())
        result.lines.append(line)
        result.encodings.append(encoder.encode(values))
        if progress and len(result.ids) % 1000 == 0:
            progress(len(result.ids))
    if progress:
        progress(len(result.ids))
    return result


def id_problems(ids: list[str], lines: list[int], id_column: str) -> list[str]:
    """Empty or repeated record ids: a link must name exactly one record on each side."""
    empty = [f"row {n}: {id_column} is empty" for v, n in zip(ids, lines, strict=True) if not v]
    repeated = sorted(v for v, n in Counter(ids).items() if v and n > 1)
    listed = [f"{id_column} {v!r} appears more than once" for v in repeated[:MAX_LISTED]]
    return empty[:MAX_LISTED] + listed


def write_encodings(
    target: Path, ids: list[str], encodings: list[bytes], schema: EncodingSchema
) -> None:
    """Write ``record_id`` and base64 ``encoding``; the schema fingerprint rides as metadata.

    Parquet keeps it in the file's key-value metadata; CSV in a first comment line, because a
    third column would repeat it on every row.
    """
    texts = [base64.b64encode(e).decode("ascii") for e in encodings]
    if Path(target).suffix.lower() == ".csv":
        write_csv(target, ids, texts, schema)
        return
    metadata = {
        META_FINGERPRINT: schema.fingerprint().encode(),
        META_BITS: str(schema.output_bits).encode(),
        META_SCHEMA: schema.to_json().encode(),
    }
    table = pa.table({ID_COLUMN: ids, ENCODING_COLUMN: texts}).replace_schema_metadata(metadata)
    pq.write_table(table, target, **PARQUET_OPTIONS)


def write_csv(target: Path, ids: list[str], texts: list[str], schema: EncodingSchema) -> None:
    """The CSV form: a ``#backbone.encoding/1 fingerprint=… bits=…`` line, then the columns."""
    with Path(target).open("w", newline="", encoding="utf-8") as handle:
        handle.write(
            f"{CSV_PREAMBLE} fingerprint={schema.fingerprint()} bits={schema.output_bits}\n"
        )
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([ID_COLUMN, ENCODING_COLUMN])
        writer.writerows(zip(ids, texts, strict=True))


def encode_file(
    source: Path,
    target: Path,
    secret: str,
    id_column: str,
    schema: EncodingSchema | None = None,
    column_map: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> EncodeReport:
    """Encode a partner's CSV into a file of record ids and encodings only.

    ``column_map`` maps schema field names to the file's column names where they differ (a
    field not in the map is read from the column of the same name). ``target`` is Parquet
    unless its name ends in ``.csv``. ``progress`` is called with the number of records done.
    Nothing is written if any row has a problem: ``EncodingError`` lists them with their rows.

    >>> encode_file(Path("students.csv"), Path("students.clk"),
    ...             secret, id_column="student_id")  # doctest: +SKIP
    EncodeReport(target=PosixPath('students.clk'), records=5000, output_bits=1024, ...)
    """
    started = time.perf_counter()
    schema = schema or EncodingSchema.default()
    encoder = Encoder(schema, derive_keys(secret, schema))
    columns = {f.name: (column_map or {}).get(f.name, f.name) for f in schema.fields}
    rows = read_rows(source, id_column, columns)
    done = encode_rows(rows, encoder, id_column, columns, progress)
    problems = done.all_problems() + id_problems(done.ids, done.lines, id_column)
    if problems:
        raise EncodingError(problems, str(source))
    write_encodings(target, done.ids, done.encodings, schema)
    seconds = time.perf_counter() - started
    logger.info("encoded %d records from %s in %.2f s", len(done.ids), source, seconds)
    return EncodeReport(
        target=Path(target),
        records=len(done.ids),
        fingerprint=schema.fingerprint(),
        output_bits=schema.output_bits,
        missing=done.missing,
        empty_records=sum(not e for e in done.encodings),
        seconds=seconds,
    )
