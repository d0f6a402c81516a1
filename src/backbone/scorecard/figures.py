"""The scorecard's charts as accessible images: SVG with a title and description, for published
values only.

The charts themselves are drawn by ``backbone.indicators.charts`` (the staff pages use the same
ones): a withheld value is a break in the line with its marker under the axis, never a zero, and
colours keep 3:1 contrast on white. Here each rendered chart becomes one image to assistive
technology, with its text alternative; ``figure`` does both.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt

from backbone.indicators import charts, presentation
from backbone.indicators.charts import segments, trend_chart
from backbone.indicators.presentation import Point

# Named here too, for code that draws a trend as the scorecard does (the builders live in charts).
__all__ = [
    "Figure",
    "Point",
    "accessible",
    "figure",
    "groups_description",
    "segments",
    "trend_chart",
    "trend_description",
]


@dataclass(frozen=True)
class Figure:
    """An SVG chart and its text alternative."""

    svg: str
    title: str
    description: str


def figure(
    chart: alt.TopLevelMixin | str, ident: str, title: str, description: str, *, frame: bool = True
) -> Figure:
    """Render ``chart`` (or take its SVG, drawn by ``charts.drawing``) and make it one image to
    assistive technology, named by ``title`` and described by ``description``; ``frame=False``
    leaves out the box around the plot."""
    drawn = chart if isinstance(chart, str) else charts.svg(chart, frame=frame)
    rendered = accessible(drawn, ident, title, description)
    return Figure(rendered, title, description)


def accessible(svg: str, ident: str, title: str, description: str) -> str:
    """The root ``<svg>`` as ``role="img"`` labelled by its new ``<title>`` and ``<desc>``.

    >>> svg = accessible('<svg width="1"><g/></svg>', "c1", "T", "D & more")
    >>> svg.startswith('<svg role="img" aria-labelledby="c1-title c1-desc" width="1"><title')
    True
    >>> svg.endswith('<desc id="c1-desc">D &amp; more</desc><g/></svg>')
    True
    """
    match = re.match(r"\s*<svg\b([^>]*)>", svg)
    if match is None:
        raise ValueError("not an SVG document")
    attributes = re.sub(r'\s(?:role|aria-[a-z]+)="[^"]*"', "", match.group(1))
    head = f'<svg role="img" aria-labelledby="{ident}-title {ident}-desc"{attributes}>'
    text = (
        f'<title id="{ident}-title">{html.escape(title)}</title>'
        f'<desc id="{ident}-desc">{html.escape(description)}</desc>'
    )
    return head + text + svg[match.end() :]


def trend_description(name: str, points: Sequence[Point], target: str = "") -> str:
    """The trend in words, for readers who cannot see the chart.

    >>> trend_description("Readiness", [Point("2023", 40.0, "40%"), Point("2024", None, "*")])
    'Readiness by period: 2023 40%, 2024 withheld (*).'
    """
    parts = [f"{p.period} {p.display if p.value is not None else _withheld(p)}" for p in points]
    text = f"{name} by period: {', '.join(parts)}." if parts else f"{name}: nothing published."
    return f"{text} {target}".strip()


def groups_description(
    dimension: presentation.Dimension, label: presentation.GroupLabel = lambda d, g: g
) -> str:
    """A dimension's groups in its latest period, in words (``label`` names each group).

    >>> values = {"B": {"2024": presentation.Value("2024", "d", "B", None, display="*")},
    ...           "A": {"2024": presentation.Value("2024", "d", "A", 40.0, display="40%")}}
    >>> groups_description(presentation.Dimension("d", ["2024"], values, [], "", [], None))
    'In 2024: A 40%, B *.'
    """
    latest = dimension.periods[-1]
    parts = [
        f"{label(dimension.name, group)} {values[latest].display}"
        for group, values in sorted(dimension.values.items())
        if latest in values
    ]
    return f"In {latest}: {', '.join(parts)}."


def _withheld(point: Point) -> str:
    return f"withheld ({point.display})" if point.display else "withheld"
