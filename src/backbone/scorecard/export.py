"""The scorecard's data downloads, in the format ``backbone check-disclosure`` reads.

``results.csv`` (and each indicator's ``data.csv``) has one row per published cell with exactly
``COLUMNS``; numerator, denominator and value are empty when withheld. ``partitions.json`` lists
every additive partition the publisher relied on, ``dimensions.json`` says per indicator which
dimensions add up to the total. The contract is docs/scorecard.md#data-downloads.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from backbone.disclosure import safe_csv

COLUMNS = (
    "indicator", "period", "dimension", "group", "unit", "numerator", "denominator", "value",
    "display", "marker", "rule", "threshold", "policy_version",
)  # fmt: skip

Row = Mapping[str, Any]


def number_text(value: float | int | None) -> str:
    """A published number as the CSV writes it: empty when withheld, whole numbers bare.

    >>> number_text(42.0), number_text(None), number_text(3.25)
    ('42', '', '3.25')
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def row_of(cell: Any) -> dict[str, Any]:
    """One published cell (a ``PublishedCell``) as a row of ``COLUMNS``. A period not yet
    complete has no numbers; its display says "not yet available (data through …)"."""
    return {
        "indicator": cell.indicator.slug, "period": cell.period, "dimension": cell.dimension,
        "group": cell.group_value, "unit": cell.unit, "numerator": cell.numerator,
        "denominator": cell.denominator, "value": cell.value, "display": cell.display,
        "marker": cell.marker, "rule": cell.rule, "threshold": cell.threshold,
        "policy_version": cell.policy_version,
    }  # fmt: skip


def csv_text(rows: Iterable[Row]) -> str:
    """Published cells as CSV with the ``COLUMNS`` header."""
    buffer = io.StringIO()
    writer = safe_csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_field(row, column) for column in COLUMNS])
    return buffer.getvalue()


def _field(row: Row, column: str) -> str:
    value = row.get(column)
    if column in {"numerator", "denominator", "value"}:
        return number_text(value)
    return "" if value is None else str(value)


def json_rows(rows: Iterable[Row]) -> list[dict[str, Any]]:
    """Published cells as JSON objects with the ``COLUMNS`` keys (withheld numbers are null)."""
    return [{column: row.get(column) for column in COLUMNS} for row in rows]


def partitions_json(declared: Sequence[Row]) -> str:
    """``[{"indicator", "period", "total": [dimension, group], "parts": [[dimension, group]…]}]``"""
    return _dumps(
        [
            {
                "indicator": p["indicator"],
                "period": p["period"],
                "total": list(p["total"]),
                "parts": [list(part) for part in p["parts"]],
            }
            for p in declared
        ]
    )


def dimensions_json(additive: Mapping[str, Mapping[str, bool]]) -> str:
    """``{slug: {dimension: {"additive": bool}}}``"""
    return _dumps(
        {
            slug: {dimension: {"additive": flag} for dimension, flag in sorted(dims.items())}
            for slug, dims in sorted(additive.items())
        }
    )


def json_text(data: Any) -> str:
    """Any of the above as indented UTF-8 JSON text."""
    return _dumps(data)


def _dumps(data: Any) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"
