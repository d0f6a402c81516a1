"""The units an indicator's value comes in, defined once for the registry, disclosure and charts.

Disclosure control rounds and displays a value by its unit, and the indicator registry, its
editor and the charts name the same units, so they all read them from here (disclosure imports
no other backbone app, so the definition lives at the bottom, where everyone can see it).
"""

from __future__ import annotations

from typing import Literal, get_args

Unit = Literal["count", "percent", "rate", "median"]
UNITS: tuple[Unit, ...] = get_args(Unit)
NAMES: dict[Unit, str] = {
    "count": "Count",
    "percent": "Percent",
    "rate": "Rate",
    "median": "Median",
}


def axis_title(unit: str, prefix: str = "") -> str:
    """A chart's value axis for ``unit``; ``prefix`` (``"$"``) names the currency of a median.

    >>> axis_title("percent"), axis_title("median", "$"), axis_title("share")
    ('Percent', 'Median ($)', 'Value')
    """
    name = NAMES.get(unit, "Value")  # type: ignore[call-overload]
    return f"{name} ({prefix.strip()})" if prefix.strip() and unit == "median" else name


def change_unit(unit: str) -> str:
    """What a change between two values of ``unit`` is counted in: a percent moves by
    percentage points (40% to 42% is +2 percentage points, not +2%), a rate by points; a count
    or a median moves by its own number.

    >>> change_unit("percent"), change_unit("rate"), change_unit("count")
    ('percentage points', 'points', '')
    """
    return {"percent": "percentage points", "rate": "points"}.get(unit, "")
