"""The fast path for CSV files: DuckDB's reader stages the rows, SQL does what Python did per row.

The row-by-row reader (``bounded.csv_records`` and ``tabular``'s converters) stays the reference:
this path must stage exactly the rows it would, with the same line numbers. So it only takes a
file it can prove it reads the same way, and otherwise answers ``None`` for the caller to read
the file row by row (which then names any problem with its row and field):

- a pre-scan (``scan``) reads the bytes once: no NUL byte, all UTF-8, every ``\\r`` part of a
  ``\\r\\n``, and no quote next to a blank (DuckDB would drop the blank, Python keeps it);
- DuckDB reads strictly (``DuckDBEngine.text_csv_reader``): a row wider than the header, a line
  longer than the field limit (so no field can be), or quoting Python would read differently
  fails the query;
- after staging, SQL checks that there is one row per line after the header (so no blank line
  was skipped and no record spans lines: row *n* is line *n* + 1) and that every date is
  already ``YYYY-MM-DD``.

Values are trimmed of exactly what ``str.strip`` removes, crosswalked with ``CASE`` and kept as
text; the identity tier gets each person's first row, as the row-by-row reader gives it.

>>> scan(b"id,wages\\r\\n7,100\\r\\n\\r\\n")  # lines with content, and whether the bytes are safe
Scan(lines=2, safe=True, other_blanks=False)
>>> scan(b'id,name\\n7, "Ada"\\n').safe  # a blank before a quote: read row by row
False
"""

from __future__ import annotations

import codecs
import logging
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from backbone.warehouse.engines import DuckDBEngine, WarehouseError
from backbone.warehouse.records import ImportOptions, StagedRows
from backbone.warehouse.sql import identifier, literal
from backbone.warehouse.tables import TABLES, Table

logger = logging.getLogger(__name__)

IDENTITY_TABLE = "identity_record"
CHUNK_BYTES = 8 * 1024 * 1024
# What ``str.strip()`` removes: every character for which ``str.isspace()`` is true.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000"
)
# What ``str.strip`` removes but DuckDB's ``trim(x)`` keeps (it takes only Unicode's space
# separators), as UTF-8: a file holding one is trimmed with the explicit, slower ``trim(x, s)``.
OTHER_BLANKS = tuple(c.encode() for c in "\t\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029")
_ASCII_BLANKS = tuple(b for b in OTHER_BLANKS if b.isascii())
_QUOTE_BESIDE_BLANK = (b' "', b'" ', b'\t"', b'"\t')


@dataclass(frozen=True)
class Scan:
    """What the pre-scan found: lines holding content (trailing blank lines left out), whether
    the bytes are safe for DuckDB's reader to read as Python would, and whether they hold any of
    ``OTHER_BLANKS``."""

    lines: int
    safe: bool
    other_blanks: bool = False


def scan(data: bytes | Iterator[bytes]) -> Scan:
    """Pre-scan a file's bytes (given whole or as chunks) in one pass of C-speed searches;
    the costlier searches run only on chunks holding a quote or a byte beyond ASCII."""
    chunks = iter([data]) if isinstance(data, bytes) else data
    decoder = codecs.getincrementaldecoder("utf-8")()
    newlines = returns = pairs = tail = 0  # tail: newlines in the file's closing blank run
    last, blanks = b"", False  # the previous chunk's last two bytes, for needles split between
    for chunk in chunks:
        edge, ascii = last + chunk[:2], chunk.isascii()
        quoted = b'"' in chunk or b'"' in edge
        if b"\x00" in chunk or (quoted and _holds(_QUOTE_BESIDE_BLANK, chunk, edge)):
            return Scan(0, False)
        if not _decodes(decoder, chunk, ascii):
            return Scan(0, False)
        newlines += chunk.count(b"\n")
        if b"\r" in edge or b"\r" in chunk:
            returns += chunk.count(b"\r")
            pairs += chunk.count(b"\r\n") + (last[-1:] == b"\r" and chunk[:1] == b"\n")
        wide = not (ascii and edge.isascii())  # single-byte searches are memchr; others are not
        blanks = blanks or _holds(OTHER_BLANKS if wide else _ASCII_BLANKS, chunk, edge)
        content = len(chunk.rstrip(b"\r\n"))
        tail = chunk.count(b"\n", content) + (tail if content == 0 else 0)
        last = (last + chunk[-2:])[-2:]
    if not _decodes(decoder, b"", False, final=True) or returns != pairs:
        return Scan(0, False)
    return Scan(newlines - tail + 1, True, blanks)


def _holds(needles: tuple[bytes, ...], chunk: bytes, edge: bytes) -> bool:
    """Whether ``chunk``, or its ``edge`` with the previous chunk, holds any of ``needles``."""
    return any(n in chunk or n in edge for n in needles)


def _decodes(
    decoder: codecs.IncrementalDecoder, chunk: bytes, ascii: bool, final: bool = False
) -> bool:
    if ascii and not decoder.getstate()[0] and not final:
        return True  # ASCII is UTF-8, and no character was left unfinished
    try:
        decoder.decode(chunk, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk


# --- SQL ------------------------------------------------------------------------------------


def value_sql(position: int, crosswalk: dict[str, str], other_blanks: bool = False) -> str:
    """File column ``position`` as ``tabular.converter`` gives it: stripped as ``str.strip``
    strips (naming every blank only when the file has ``other_blanks``), empty as NULL, then
    crosswalked.

    >>> value_sql(2, {"W": "White"})
    "CASE NULLIF(trim(c2), '') WHEN 'W' THEN 'White' ELSE NULLIF(trim(c2), '') END"
    """
    blanks = f", {literal(WHITESPACE)}" if other_blanks else ""
    value = f"NULLIF(trim(c{position}{blanks}), '')"
    if not crosswalk:
        return value
    cases = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in crosswalk.items())
    return f"CASE {value} {cases} ELSE {value} END"


def staged_columns(table: Table) -> dict[str, str]:
    """Every column staged for ``table`` and the identity tier, with its type."""
    identity = TABLES[IDENTITY_TABLE]
    return {c.name: c.type for c in (*table.columns, *identity.columns)}


def stage_sql(reader: str, values: dict[str, str], suspect: list[str]) -> str:
    """The ``SELECT`` staging a CSV: canonical ``values`` by name, lineage, and whether a row
    needs the row-by-row reader (``suspect``)."""
    columns = [f"{sql} AS {identifier(name)}" for name, sql in values.items()]
    flag = " OR ".join(suspect) or "false"
    return (
        f"SELECT {', '.join(columns)}, "
        "CAST(row_number() OVER () + 1 AS BIGINT) AS source_row, "
        f"coalesce({flag}, false) AS suspect FROM {reader}"
    )


def suspect_sql(dates: list[str]) -> list[str]:
    """Conditions under which a staged row would not be what Python converts: a date
    ``normalise_date`` might rewrite (only ``YYYY-MM-DD`` is certain to stay as it is)."""
    iso = "'\\d{4}-\\d{2}-\\d{2}'"
    return [f"NOT regexp_full_match({date}, {iso})" for date in dates]


def first_sightings_sql(wide: str, columns: Sequence[str]) -> str:
    """Each person's first row (the identity tier's row for them), in file order."""
    picked = ", ".join(identifier(c) for c in columns)
    return (
        f"SELECT {picked}, source_row FROM {wide} WHERE source_row IN "
        f"(SELECT min(source_row) FROM {wide} GROUP BY local_id) ORDER BY source_row"
    )


# --- staging ----------------------------------------------------------------------------------


@dataclass
class Staged:
    """Staged files of one CSV, in a scratch folder removed when the ``with`` block ends."""

    directory: Path
    items: list[StagedRows]

    def __enter__(self) -> list[StagedRows]:
        return self.items

    def __exit__(self, *_exc: object) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


@dataclass(frozen=True)
class Layout:
    """Where a CSV's canonical columns are: its header's width, canonical column → position,
    canonical column → the partner's header (from ``tabular.resolve_mapping``)."""

    width: int
    mapping: dict[str, int]
    names: dict[str, str]


def stage(source: Path, layout: Layout, table: Table, options: ImportOptions) -> Staged | None:
    """``source`` (a CSV whose header has ``width`` columns) staged as ``table`` and, when the
    mapping names a person's identifying columns, the identity tier; ``None`` when the file must
    be read row by row instead (see the module's list)."""
    types = staged_columns(table)
    dates = [name for name in layout.mapping if types.get(name) == "DATE"]
    if dates and options.date_format != "%Y-%m-%d":
        return None
    found = scan(_file_chunks(source))
    if not found.safe:
        return None
    directory = Path(tempfile.mkdtemp(prefix="backbone-csv-"))
    engine = DuckDBEngine()
    try:
        items = _stage(engine, source, layout, table, options, directory, found)
    except WarehouseError as error:  # DuckDB read the file differently or not at all
        logger.debug("%s is read row by row: %s", source.name, error.label)
        items = None
    finally:
        engine.close()
    if items is None:
        shutil.rmtree(directory, ignore_errors=True)
        return None
    return Staged(directory, items)


def _stage(
    engine: DuckDBEngine,
    source: Path,
    layout: Layout,
    table: Table,
    options: ImportOptions,
    directory: Path,
    found: Scan,
) -> list[StagedRows] | None:
    limit, width, mapping = options.limits.max_field_chars, layout.width, layout.mapping
    # No field of a line within the field limit can break it (nor the record budget, which is
    # larger): a longer line fails the read and the file goes row by row, where rare lines go.
    reader = engine.text_csv_reader(str(source), width, limit)
    # Only mapped columns are written (all-NULL columns cost as much as real ones): the load
    # adds the rest, and the file name, when it reads the staged file (``StagedRows``).
    values = {
        name: value_sql(mapping[name], options.value_crosswalks.get(name, {}), found.other_blanks)
        for name in staged_columns(table)
        if name in mapping
    }
    dates = [values[name] for name in mapping if staged_columns(table).get(name) == "DATE"]
    select = stage_sql(reader, values, suspect_sql(dates))
    wide = directory / f"raw_{table.name}.parquet"
    engine.run(f"COPY ({select}) TO {literal(str(wide))} (FORMAT parquet)", label="stage csv")
    staged = f"read_parquet({literal(str(wide))})"
    target = [c.name for c in table.columns if c.name in mapping]
    rows, suspects, filled = _tally(engine, staged, target)
    if suspects or rows + 1 != found.lines:  # not one row per line after the header
        return None
    if rows == 0:
        return []
    items = [StagedRows(table.name, source.name, wide, rows, tuple(target), filled, layout.names)]
    people = [c.name for c in TABLES[IDENTITY_TABLE].columns if c.name in mapping]
    if len(people) > 1:  # the person id and at least one identifying column
        items.append(_identity(engine, staged, people, directory, source.name, layout.names))
    return items


def _tally(
    engine: DuckDBEngine, staged: str, columns: list[str], suspect: str = "suspect"
) -> tuple[int, int, frozenset[str]]:
    """Rows, suspect rows, and which of ``columns`` hold a value."""
    counts = ", ".join(f"count({identifier(c)})" for c in columns)
    sql = f"SELECT count(*), count(*) FILTER (WHERE {suspect}), {counts} FROM {staged}"
    [(rows, suspects, *filled)] = engine.run(sql, label="check staged csv")
    return rows, suspects, frozenset(c for c, n in zip(columns, filled, strict=True) if n)


def _identity(
    engine: DuckDBEngine,
    staged: str,
    people: list[str],
    directory: Path,
    file: str,
    names: dict[str, str],
) -> StagedRows:
    path = directory / f"raw_{IDENTITY_TABLE}.parquet"
    select = first_sightings_sql(staged, people)
    engine.run(f"COPY ({select}) TO {literal(str(path))} (FORMAT parquet)", label="stage people")
    written = f"read_parquet({literal(str(path))})"
    rows, _, filled = _tally(engine, written, people, suspect="false")
    return StagedRows(IDENTITY_TABLE, file, path, rows, tuple(people), filled, names)
