"""What importers produce: batches of raw rows for canonical tables, and problems.

An importer is a generator ``read(source: Path, options: ImportOptions) -> ImportStream`` of
``RowBatch``, ``StagedRows``, ``Problem`` and ``CodeNames`` items. It turns a partner's file (or
folder, or zip) into rows of the canonical tables in ``backbone.warehouse.tables``: every value
as text exactly as found (or normalised to the canonical code, e.g. an ISO date), ``None`` when
empty. It never casts or validates types — the load does that once for every format, with the
row numbers the importer recorded — but it reports what only it can see (a missing column, an
unknown file version) as ``Problem``s.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ERROR = "error"
WARNING = "warning"
BATCH_ROWS = 50_000  # rows per batch: bounded memory for files of millions of rows


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a submitted file, located as precisely as the format allows.

    ``row`` is the 1-based line in a CSV (the header is line 1) or the element's line in XML.
    """

    file: str
    row: int | None
    field: str
    value: str | None
    rule: str
    message: str
    severity: str = ERROR

    def describe(self) -> str:
        where = f"{self.file}:{self.row}" if self.row else self.file
        value = f" (value {self.value!r})" if self.value is not None else ""
        return f"{self.severity}: {where}: {self.field or '-'}: {self.message}{value} [{self.rule}]"


@dataclass
class RowBatch:
    """Raw rows for one canonical table from one source file.

    Each row maps canonical column names to text or ``None`` and carries ``source_row``.
    """

    table: str
    file: str
    rows: list[dict[str, str | int | None]] = field(default_factory=list)
    # Or, faster for big files: column name → values (``source_row`` included), all equal length.
    columns: dict[str, list[Any]] | None = None
    # Fraction of the whole input read so far (0-1), when the importer can tell: drives the bar.
    progress: float | None = None
    # Canonical column → the name the partner's file uses for it, so errors speak the partner's
    # language (e.g. ``{"local_id": "PersonalID"}``).
    source_fields: dict[str, str] = field(default_factory=dict)

    def as_rows(self) -> list[dict[str, Any]]:
        """The batch as one dict per row, whichever form the importer used."""
        if self.columns is None:
            return self.rows
        names = list(self.columns)
        return [
            dict(zip(names, values, strict=True))
            for values in zip(*self.columns.values(), strict=True)
        ]

    def __len__(self) -> int:
        if self.columns is not None:
            return len(self.columns["source_row"])
        return len(self.rows)


@dataclass(frozen=True)
class StagedRows:
    """Raw rows for one canonical table that an importer has already written, all as text, to a
    Parquet file with the ``columns`` the source provides plus ``source_row`` (the fast CSV
    path); the load reads the table's other columns as NULL and ``file`` as ``source_file``.
    The load takes the file over (moves it); the importer deletes it if nobody does.
    """

    table: str
    file: str
    path: Path
    rows: int
    # The canonical columns the file provides, and those holding at least one value (what the
    # file discloses).
    columns: tuple[str, ...] = ()
    fields: frozenset[str] = frozenset()
    source_fields: dict[str, str] = field(default_factory=dict)

    def as_rows(self) -> list[dict[str, Any]]:
        """The staged rows as ``RowBatch.as_rows`` gives them (read while the file exists)."""
        import pyarrow.parquet as pq

        return pq.read_table(self.path, columns=[*self.columns, "source_row"]).to_pylist()

    def __len__(self) -> int:
        return self.rows


@dataclass(frozen=True)
class CodeNames:
    """What a partner's own codes in one column are called, e.g. its schools' names by
    ``school_id``: not person-level rows but the words pages show for a code. An importer may
    yield these besides its batches; the load keeps them with the submission.
    """

    column: str
    names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class IntakeLimits:
    """How much of a file an importer reads before it refuses the file as hostile or broken.

    The defaults are the documented defaults of the ``BACKBONE_INTAKE_*`` settings; the intake
    service builds one from the settings for each submission (``docs/intake.md#limits``).
    """

    max_field_chars: int = 32_767  # one CSV field, spreadsheet cell or XML element's text
    max_file_bytes: int = 4096 * 1024 * 1024  # one file, or one zip member, uncompressed
    max_zip_ratio: int = 200  # uncompressed : compressed, for zip members over 1 MiB
    max_xml_depth: int = 32  # elements nested in an XML file, the root included
    max_shared_strings_bytes: int = 100 * 1024 * 1024  # an XLSX's shared strings, read whole


@dataclass(frozen=True)
class ImportOptions:
    """What an importer may need besides the file itself."""

    partner: str = ""
    # canonical column → the partner's column name (generic CSV/XLSX)
    column_mapping: dict[str, str] = field(default_factory=dict)
    # canonical column → {partner's value → canonical value}
    value_crosswalks: dict[str, dict[str, str]] = field(default_factory=dict)
    target_table: str = ""
    date_format: str = "%Y-%m-%d"
    # ISO date the submission describes (its period's end), for formats with no date of their own
    # for demographics (Ed-Fi); empty when unknown.
    as_of: str = ""
    limits: IntakeLimits = field(default_factory=IntakeLimits)
    # False reads a CSV row by row in Python even where DuckDB's reader could (the reference
    # the fast path is tested against; ``docs/intake.md#fast-csv``).
    fast_csv: bool = True


ImportStream = Iterator[RowBatch | StagedRows | Problem | CodeNames]
