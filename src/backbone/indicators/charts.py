"""Charts of indicator results as Vega-Lite (Altair), rendered to SVG on the server.

Pages embed the SVG, so charts need no JavaScript or network and print as they look. Each
function takes plain rows (``period``, ``group_value``, ``value``…) and returns an Altair chart;
``svg`` renders one. The data behind every chart is also on the page as a table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import vl_convert

Row = Mapping[str, Any]
WIDTH = 560


def svg(chart: alt.TopLevelMixin) -> str:
    """The chart as an SVG document (vl-convert bundles Vega: nothing is fetched)."""
    return str(vl_convert.vegalite_to_svg(chart.to_json()))


def forecast(points: Sequence[tuple[int, float]], years: Sequence[int]) -> list[tuple[int, float]]:
    """Where the curve is heading if nothing changes: the least-squares line through
    ``points`` (year, value), extended to ``years``. Needs two points or more.

    >>> forecast([(2021, 40.0), (2022, 42.0), (2023, 44.0)], [2024, 2025])
    [(2024, 46.0), (2025, 48.0)]
    """
    if len(points) < 2:
        return []
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0
    return [(year, round(mean_y + slope * (year - mean_x), 6)) for year in years]


def trend_chart(
    actual: Sequence[tuple[int | str, float]],
    targets: Mapping[int, float] | None = None,
    forecast_points: Sequence[tuple[int, float]] = (),
    unit: str = "percent",
) -> alt.LayerChart:
    """Actual values, the targets and the baseline forecast on one time axis."""
    rows = [{"period": str(y), "value": v, "series": "Actual"} for y, v in actual]
    rows += [{"period": str(y), "value": v, "series": "Target"} for y, v in (targets or {}).items()]
    rows += [
        {"period": str(y), "value": v, "series": "Forecast if nothing changes"}
        for y, v in forecast_points
    ]
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("period:O", title="Period", sort="ascending"),
        y=alt.Y("value:Q", title=_axis_title(unit)),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom")),
        strokeDash=alt.StrokeDash("series:N", legend=None),
    )
    return (base.mark_line(point=True)).properties(width=WIDTH, height=240)


def groups_chart(rows: Sequence[Row], unit: str = "percent") -> alt.FacetChart:
    """Small multiples: one panel per group, the group's value per period."""
    values = [{"period": r["period"], "value": r["value"], "group": r["group_value"]} for r in rows]
    return (
        alt.Chart(alt.Data(values=values))
        .mark_line(point=True)
        .encode(x=alt.X("period:O", title=None), y=alt.Y("value:Q", title=_axis_title(unit)))
        .properties(width=150, height=110)
        .facet(facet=alt.Facet("group:N", title=None), columns=4)
    )


def gap_chart(gaps: Sequence[Row]) -> alt.Chart:
    """Each group's gap to the reference group (points, positive = behind) per period."""
    values = [{"period": r["period"], "gap": r["gap"], "group": r["group"]} for r in gaps]
    return (
        alt.Chart(alt.Data(values=values))
        .mark_line(point=True)
        .encode(
            x=alt.X("period:O", title="Period"),
            y=alt.Y("gap:Q", title="Gap to the reference group (points)"),
            color=alt.Color("group:N", title=None, legend=alt.Legend(orient="bottom")),
        )
        .properties(width=WIDTH, height=220)
    )


def _axis_title(unit: str) -> str:
    return {"percent": "Percent", "rate": "Rate", "median": "Median", "count": "Count"}.get(
        unit, "Value"
    )
