"""Write small exports in the published format (docs/disclosure.md) for the audit tests."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path

from backbone.disclosure import PublishedCell
from backbone.disclosure.export import COLUMNS

INDICATOR = "chronic-absence"
RACE = "person_demographics.race_ethnicity"


def row(
    group: str,
    denominator: int | None,
    numerator: int | None = None,
    *,
    dimension: str = RACE,
    period: str = "2024-25",
    display: str = "",
    rule: str = "published",
    value: float | None = None,
    threshold: int = 10,
) -> dict[str, object]:
    """One results.csv row; ``group="all"`` makes the overall row."""
    if group == "all":
        dimension = "overall"
    return {
        "indicator": INDICATOR,
        "period": period,
        "dimension": dimension,
        "group": group,
        "unit": "percent",
        "numerator": numerator,
        "denominator": denominator,
        "value": value,
        "display": display,
        "marker": "",
        "rule": rule,
        "threshold": threshold,
        "policy_version": "backbone-disclosure-1",
    }


def write_export(
    directory: Path,
    rows: Sequence[dict[str, object]],
    partitions: Sequence[dict[str, object]] = (),
    additive: bool = True,
) -> Path:
    (directory / "data").mkdir(parents=True, exist_ok=True)
    with (directory / "data" / "results.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows({k: "" if v is None else v for k, v in r.items()} for r in rows)
    (directory / "data" / "partitions.json").write_text(json.dumps(list(partitions)))
    dimensions = {INDICATOR: {RACE: {"additive": additive}}}
    (directory / "data" / "dimensions.json").write_text(json.dumps(dimensions))
    return directory


def published_rows(published: dict[str, PublishedCell], unit: str) -> list[dict[str, object]]:
    """Rows for protect's output, with keys ``"all"`` or ``"<group>"`` in the race dimension."""
    rows = []
    for key, cell in published.items():
        rows.append(
            row(key, cell.denominator, cell.numerator, display=cell.display, rule=cell.rule)
            | {
                "value": cell.value,
                "marker": cell.marker,
                "unit": unit,
                "threshold": cell.threshold,
            }
        )
    return rows
