"""Every chart draws, whatever is withheld: the shapes of data that broke the school-moves chart
(every value withheld or coded, so nothing to plot and an empty legend) and their neighbours,
over every kind of chart the pages draw."""

from __future__ import annotations

import re

import pytest

from backbone.indicators import charts
from backbone.indicators.presentation import Point

# The school-moves trend on the demo's scorecard: every period withheld or coded.
ALL_WITHHELD = [
    Point("2021", None, "*"), Point("2022", None, "<=5%"), Point("2023", None, "<=5%"),
]  # fmt: skip
SCENARIOS = {
    "every value withheld": ALL_WITHHELD,
    "one value": [Point("2024", 4.0, "4%")],
    "one value among withheld": [*ALL_WITHHELD[:2], Point("2023", 4.0, "4%")],
    "all zero": [Point("2022", 0.0, "0%"), Point("2023", 0.0, "0%")],
    "all equal": [Point("2022", 3.0, "3%"), Point("2023", 3.0, "3%")],
    "ordinary": [Point("2022", 40.0, "40%"), Point("2023", 44.0, "44%")],
}


def in_groups(points: list[Point]) -> list[Point]:
    return [Point(p.period, p.value, p.display, group) for group in ("A", "B") for p in points]


def drawn(points: list[Point], kind: str) -> str:
    if kind == "trend":
        return charts.svg(charts.trend_chart(points, "percent"))
    if kind == "sparkline":
        return charts.svg(charts.sparkline(points), frame=False)
    return charts.svg(charts.gap_chart(in_groups(points), "Reference group"))


def marks(svg: str) -> int:
    """Data marks (lines, points, text marks) in a Vega SVG: the children of its role-mark
    groups, counted from the markup."""
    count = 0
    for match in re.finditer(r'<g class="mark-[a-z]+ role-mark[^"]*"[^>]*?(/?)>', svg):
        if match.group(1) == "/":  # an empty group: <g …/>
            continue
        rest = svg[match.end() :]
        count += len(re.findall(r"<(?:path|text|line|rect)\b", rest[: rest.index("</g>")]))
    return count


def size(svg: str) -> tuple[float, float]:
    root = re.match(r"<svg\b[^>]*>", svg).group(0)
    return float(re.search(r' width="([^"]+)"', root).group(1)), float(
        re.search(r' height="([^"]+)"', root).group(1)
    )


@pytest.mark.parametrize("kind", ["trend", "sparkline", "gaps"])
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_every_chart_has_a_drawable_size_and_marks(kind, scenario):
    svg = drawn(SCENARIOS[scenario], kind)
    width, height = size(svg)
    assert 0 < width < 2000 and 0 < height < 2000, (width, height)
    if kind != "gaps" or any(p.value is not None for p in SCENARIOS[scenario]):
        assert marks(svg) > 0


def test_a_trend_with_every_value_withheld_shows_each_marker_on_its_period():
    svg = drawn(ALL_WITHHELD, "trend")
    assert svg.count(">*</text>") == 1 and svg.count(">&lt;=5%</text>") == 2
    for period in ("2021", "2022", "2023"):
        assert f">{period}</text>" in svg


def test_a_sparkline_with_every_value_withheld_shows_the_markers():
    svg = drawn(ALL_WITHHELD, "sparkline")
    assert svg.count(">*</text>") == 1 and svg.count(">&lt;=5%</text>") == 2


def test_a_drawing_without_a_sane_size_is_refused():
    """Vega's size for an empty legend is Number.MAX_VALUE (1.7976931348623157e308)."""
    with pytest.raises(charts.ChartError, match=r"1\.7976931348623157e\+308 × 10 pixels"):
        charts.checked('<svg width="1.7976931348623157e+308" height="10"><g/></svg>')
    with pytest.raises(charts.ChartError, match="NaN"):
        charts.checked('<svg width="NaN" height="10"/>')
    assert charts.checked('<svg width="608" height="320"/>') == '<svg width="608" height="320"/>'
