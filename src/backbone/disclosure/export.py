"""Reading a published export (the format in docs/disclosure.md, written by ``backbone publish``).

``data/results.csv`` has one row per published cell; ``data/partitions.json`` lists the additive
partitions the publisher relied on; ``data/dimensions.json`` says which dimensions are additive.
Every problem is reported with its file, row (or entry) and field.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backbone.disclosure.safe_csv import restore
from backbone.disclosure.units import UNITS

COLUMNS = (
    "indicator",
    "period",
    "dimension",
    "group",
    "unit",
    "numerator",
    "denominator",
    "value",
    "display",
    "marker",
    "rule",
    "threshold",
    "policy_version",
)
RESULTS = "data/results.csv"
PARTITIONS = "data/partitions.json"
DIMENSIONS = "data/dimensions.json"
OVERALL = ("overall", "all")

RowKey = tuple[str, str, str]  # period, dimension, group


class ExportError(ValueError):
    """A missing or malformed export file, with where the problem is."""

    def __init__(self, file: str, message: str, row: int | None = None, field: str = "") -> None:
        place = "entry" if file.endswith(".json") else "row"
        where = file + (f" {place} {row}" if row is not None else "")
        where += f", field {field!r}" if field else ""
        super().__init__(f"{where}: {message}")
        self.file, self.row, self.field = file, row, field


@dataclass(frozen=True)
class ResultRow:
    """One published cell as read back from ``results.csv``; ``line`` is its row number."""

    indicator: str
    period: str
    dimension: str
    group: str
    unit: str
    numerator: int | None
    denominator: int | None
    value: float | None
    display: str
    marker: str
    rule: str
    threshold: int
    policy_version: str
    line: int

    @property
    def key(self) -> RowKey:
        return (self.period, self.dimension, self.group)


@dataclass(frozen=True)
class DeclaredPartition:
    """A partition from ``partitions.json``: a total and its parts, within one indicator."""

    indicator: str
    total: RowKey
    parts: tuple[RowKey, ...]


@dataclass(frozen=True)
class Export:
    rows: tuple[ResultRow, ...]
    partitions: tuple[DeclaredPartition, ...]
    additive: dict[str, dict[str, bool]]


def read_export(directory: Path) -> Export:
    """Read and validate an export directory; raises :class:`ExportError` on the first problem.

    Example: ``read_export(Path("site"))`` after ``backbone publish site``.
    """
    rows = read_results(directory)
    known = {(row.indicator, *row.key) for row in rows}
    partitions = read_partitions(directory, known)
    return Export(tuple(rows), tuple(partitions), read_dimensions(directory))


def read_results(directory: Path) -> list[ResultRow]:
    path = directory / RESULTS
    if not path.is_file():
        raise ExportError(RESULTS, f"file not found in {directory}")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ExportError(RESULTS, f"missing columns: {', '.join(missing)}", row=1)
        restored = ({k: _restore(v) for k, v in raw.items()} for raw in reader)
        rows = [parse_row(raw, line) for line, raw in enumerate(restored, start=2)]
    seen: dict[tuple[str, str, str, str], int] = {}
    for row in rows:
        first = seen.setdefault((row.indicator, *row.key), row.line)
        if first != row.line:
            raise ExportError(RESULTS, f"repeats the cell of row {first}", row.line, "group")
    return rows


def _restore(value: str | None) -> str | None:
    """A cell as the exporter was given it (``safe_csv`` quotes formula-looking text)."""
    return restore(value) if isinstance(value, str) else value


def parse_row(raw: dict[str, str | None], line: int) -> ResultRow:
    def text(name: str) -> str:
        return (raw.get(name) or "").strip()

    for name in ("indicator", "period", "dimension", "group"):
        if not text(name):
            raise ExportError(RESULTS, "must not be empty", line, name)
    if text("unit") not in UNITS:
        raise ExportError(RESULTS, f"unit must be one of {', '.join(UNITS)}", line, "unit")
    threshold = whole_number(text("threshold"), line, "threshold")
    if threshold is None:
        raise ExportError(RESULTS, "must not be empty", line, "threshold")
    return ResultRow(
        indicator=text("indicator"),
        period=text("period"),
        dimension=text("dimension"),
        group=text("group"),
        unit=text("unit"),
        numerator=whole_number(text("numerator"), line, "numerator"),
        denominator=whole_number(text("denominator"), line, "denominator"),
        value=number(text("value"), line, "value"),
        display=text("display"),
        marker=text("marker"),
        rule=text("rule"),
        threshold=threshold,
        policy_version=text("policy_version"),
        line=line,
    )


def whole_number(text: str, line: int, field: str) -> int | None:
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        raise ExportError(RESULTS, f"{text!r} is not a whole number", line, field) from None
    if value < 0:
        raise ExportError(RESULTS, f"{value} is negative", line, field)
    return value


def number(text: str, line: int, field: str) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ExportError(RESULTS, f"{text!r} is not a number", line, field) from None
    if not math.isfinite(value):
        raise ExportError(RESULTS, f"{text!r} is not a finite number", line, field)
    return value


def read_json(directory: Path, name: str) -> Any:
    path = directory / name
    if not path.is_file():
        raise ExportError(name, f"file not found in {directory}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ExportError(name, f"not valid JSON ({error})") from None


def read_partitions(
    directory: Path, known: set[tuple[str, str, str, str]]
) -> list[DeclaredPartition]:
    entries = read_json(directory, PARTITIONS)
    if not isinstance(entries, list):
        raise ExportError(PARTITIONS, "must be a list of partitions")
    return [
        parse_partition(entry, position, known) for position, entry in enumerate(entries, start=1)
    ]


def parse_partition(
    entry: Any, entry_number: int, known: set[tuple[str, str, str, str]]
) -> DeclaredPartition:
    """One entry; a member may name a third element, its period (quarters within a year)."""
    if not isinstance(entry, dict):
        raise ExportError(PARTITIONS, "must be an object", entry_number)
    for name in ("indicator", "period", "total", "parts"):
        if name not in entry:
            raise ExportError(PARTITIONS, "is missing", entry_number, name)
    indicator, period = str(entry["indicator"]), str(entry["period"])
    if not isinstance(entry["parts"], list) or not entry["parts"]:
        raise ExportError(PARTITIONS, "must be a non-empty list", entry_number, "parts")
    fields = [("total", entry["total"])]
    fields += [(f"parts[{i}]", part) for i, part in enumerate(entry["parts"])]
    members = [member_key(value, period, entry_number, name) for name, value in fields]
    for (name, _), key in zip(fields, members, strict=True):
        if (indicator, *key) not in known:
            message = f"{list(key)} is not a row of {indicator} in {RESULTS}"
            raise ExportError(PARTITIONS, message, entry_number, name)
    return DeclaredPartition(indicator, members[0], tuple(members[1:]))


def member_key(value: Any, period: str, entry_number: int, field: str) -> RowKey:
    valid = (
        isinstance(value, list) and len(value) in (2, 3) and all(isinstance(v, str) for v in value)
    )
    if not valid:
        raise ExportError(
            PARTITIONS,
            "must be [dimension, group] or [dimension, group, period]",
            entry_number,
            field,
        )
    return (value[2] if len(value) == 3 else period, value[0], value[1])


def read_dimensions(directory: Path) -> dict[str, dict[str, bool]]:
    data = read_json(directory, DIMENSIONS)
    if not isinstance(data, dict):
        raise ExportError(DIMENSIONS, "must map indicator slugs to their dimensions")
    additive: dict[str, dict[str, bool]] = {}
    for slug, dimensions in data.items():
        if not isinstance(dimensions, dict):
            raise ExportError(DIMENSIONS, 'must map dimensions to {"additive": bool}', field=slug)
        additive[slug] = {}
        for dimension, spec in dimensions.items():
            if not isinstance(spec, dict) or not isinstance(spec.get("additive"), bool):
                raise ExportError(
                    DIMENSIONS, 'needs {"additive": true|false}', field=f"{slug}.{dimension}"
                )
            additive[slug][dimension] = spec["additive"]
    return additive
