"""Rounding and formatting of published values: whole-number percents, rounded half up."""

from __future__ import annotations

import math
from fractions import Fraction

from backbone.disclosure.cells import Cell


def round_half_up(number: Fraction | float) -> int:
    """Round to the nearest whole number, halves up (2.5 -> 3), unlike Python's ``round``."""
    return math.floor(Fraction(number) + Fraction(1, 2))


def exact_percent(cell: Cell) -> Fraction | None:
    """The cell's percent computed from its counts, or from ``value`` when it has no numerator."""
    if cell.numerator is not None and cell.denominator > 0:
        return Fraction(100 * cell.numerator, cell.denominator)
    return None if cell.value is None else Fraction(cell.value)


def published_value(cell: Cell) -> float | None:
    """The value as published: whole percents and medians, rates to one decimal place."""
    if cell.unit == "percent":
        percent = exact_percent(cell)
        return None if percent is None else float(round_half_up(percent))
    if cell.value is None:
        return None
    if cell.unit == "rate":
        return round_half_up(Fraction(cell.value) * 10) / 10
    return float(round_half_up(cell.value))


def display_value(cell: Cell, value: float | None) -> str:
    """What a reader sees for a published ``value``: ``42%``, ``1,250``, ``$31,200``, ``3.5``."""
    if value is None:
        return ""
    if cell.unit == "percent":
        return f"{value:.0f}%"
    if cell.unit == "rate":
        return f"{cell.prefix}{value:,.1f}"
    return f"{cell.prefix}{value:,.0f}"
