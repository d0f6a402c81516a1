"""One indicator result as a row of the staff CSV: the page's download and ``backbone results``
share it, so both say the same of a withheld figure or a period still incomplete."""

from __future__ import annotations

from typing import Any

from backbone.indicators.labels import Labels
from backbone.indicators.protection import Shown

CSV_COLUMNS = (
    "period", "dimension", "group", "group_label", "numerator", "denominator", "value", "display",
    "marker", "rule", "complete", "data_through",
)  # fmt: skip


def csv_row(shown: Shown, named: Labels) -> list[Any]:
    """One result as a row of the staff CSV (``CSV_COLUMNS``): the group's code and its label;
    withheld figures and those of an incomplete period are empty."""
    figures = ("" if f is None else f for f in (shown.numerator, shown.denominator, shown.value))
    through = f"{shown.data_through:%Y-%m-%d}" if shown.data_through else ""
    return [
        shown.period, shown.dimension, shown.group, named.group(shown.dimension, shown.group),
        *figures, shown.display, shown.marker,
        shown.rule, str(shown.complete).lower(), through,
    ]  # fmt: skip
