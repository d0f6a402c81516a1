"""Published cells as the pages read them: the page builder's values, chart points, the headline
(the latest *complete* period) and how far the data reach.

Pure: a cell is anything with a ``PublishedCell``'s attributes, so these run without Django.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, cast

from backbone.indicators import presentation
from backbone.indicators.presentation import Point

if TYPE_CHECKING:
    from backbone.scorecard.models import PublishedCell


def points(cells: Iterable[PublishedCell]) -> list[Point]:
    """Chart points: a withheld cell is a point with no value and its marker."""
    return [Point(c.period, c.value, c.display or c.marker) for c in cells]


def values(cells: Iterable[PublishedCell]) -> list[presentation.Value]:
    """Published cells as the page builder's values: a withheld cell has no value, its marker;
    a cell of a period not yet complete says so."""
    return [
        presentation.Value(
            c.period, c.dimension, c.group_value, c.value, c.denominator, c.display or c.marker,
            c.marker, row=c, complete=c.complete,
        )
        for c in cells
    ]  # fmt: skip


def headline(cells: Sequence[PublishedCell]) -> PublishedCell | None:
    """What a headline shows: the overall cell of the latest complete period, if any."""
    chosen = presentation.headline(values(cells))
    return None if chosen is None else cast("PublishedCell", chosen.row)


def data_as_of(cells: Iterable[PublishedCell]) -> str:
    """How far the data behind ``cells`` reach, as ``YYYY-MM-DD`` ("" when not recorded)."""
    through = next((c.data_through for c in cells if c.data_through), None)
    return f"{through:%Y-%m-%d}" if through else ""


def prefix_of(unit: str) -> str:
    """What goes before a published median or count: every median in the library is pay.

    >>> prefix_of("median"), prefix_of("percent")
    ('$', '')
    """
    return "$" if unit == "median" else ""
