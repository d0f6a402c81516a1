"""A run or control chart as a Vega-Lite spec: the line, the centre line, the limits, the
signals highlighted and the PDSA changes marked on the time axis.

The spec carries its data, so vl-convert can render it on the server as the indicator charts are.
Points with a signal are drawn larger, in another colour and shape, with the rules' names in
the tooltip. Text is 11 px or larger.

>>> from backbone.improvement.runcharts import run_chart
>>> spec = chart_spec(run_chart([1, 2, 3], ["Sep", "Oct", "Nov"]), "Attendance",
...                   [("Oct", "Text reminders start")])
>>> [layer["mark"]["type"] for layer in spec["layer"]]
['line', 'point', 'rule', 'rule', 'text']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from backbone.improvement.runcharts import RunChart
from backbone.improvement.spc import ControlChart

FONT = 12  # px: chart text is never under 11 px
SIGNAL_COLOUR = "#c0392b"
LINE_COLOUR = "#34495e"
NO_SIGNAL = "No signal"


def chart_spec(
    chart: RunChart | ControlChart,
    title: str,
    annotations: Sequence[tuple[str, str]] = (),
    value_title: str = "Value",
    time_title: str = "Month",
) -> dict[str, Any]:
    """The Vega-Lite spec of ``chart``; ``annotations`` are (point label, text) pairs, placed at
    that label or, if it is not on the axis, at the first label after it."""
    rows = _rows(chart)
    order = list(chart.labels)
    x = {
        "field": "label",
        "type": "ordinal",
        "sort": order,
        "title": time_title,
        "axis": {"labelAngle": -45 if len(order) > 12 else 0},
    }
    layers = [_line(x, value_title), _points(x, value_title), _centre(x, chart)]
    if isinstance(chart, ControlChart):
        layers += [
            _limit(x, "upper", "Upper control limit"),
            _limit(x, "lower", "Lower control limit"),
        ]
    marks = _annotations(order, annotations)
    if marks:
        layers += [_annotation_rules(x, marks), _annotation_text(x, marks)]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": title, "fontSize": FONT + 2},
        "width": 640,
        "height": 280,
        "data": {"values": rows},
        "layer": layers,
        "config": {
            "axis": {"labelFontSize": FONT, "titleFontSize": FONT},
            "legend": {"labelFontSize": FONT, "titleFontSize": FONT},
            "text": {"fontSize": FONT},
        },
    }


def _rows(chart: RunChart | ControlChart) -> list[dict[str, Any]]:
    centre = chart.median if isinstance(chart, RunChart) else chart.centre
    rows = []
    for i, (label, value, rules) in enumerate(
        zip(chart.labels, chart.values, chart.point_signals(), strict=True)
    ):
        row = {
            "label": label,
            "value": value,
            "centre": centre,
            "signal": ", ".join(rules) or NO_SIGNAL,
        }
        if isinstance(chart, ControlChart):
            row |= {"upper": chart.upper[i], "lower": chart.lower[i]}
        rows.append(row)
    return rows


def _line(x: dict[str, Any], value_title: str) -> dict[str, Any]:
    return {
        "mark": {"type": "line", "color": LINE_COLOUR},
        "encoding": {"x": x, "y": {"field": "value", "type": "quantitative", "title": value_title}},
    }


def _points(x: dict[str, Any], value_title: str) -> dict[str, Any]:
    signalled = {"not": {"field": "signal", "equal": NO_SIGNAL}}
    return {
        "mark": {"type": "point", "filled": True},
        "encoding": {
            "x": x,
            "y": {"field": "value", "type": "quantitative", "title": value_title},
            "color": {
                "condition": {"test": signalled, "value": SIGNAL_COLOUR},
                "value": LINE_COLOUR,
            },
            "shape": {"condition": {"test": signalled, "value": "diamond"}, "value": "circle"},
            "size": {"condition": {"test": signalled, "value": 110}, "value": 40},
            "tooltip": [
                {"field": "label", "title": "Period"},
                {"field": "value", "title": value_title, "format": ",.3~f"},
                {"field": "signal", "title": "Signal"},
            ],
        },
    }


def _centre(x: dict[str, Any], chart: RunChart | ControlChart) -> dict[str, Any]:
    name = "Median" if isinstance(chart, RunChart) else "Mean"
    return {
        "mark": {"type": "rule", "color": "#7f8c8d"},
        "encoding": {
            "y": {"field": "centre", "type": "quantitative", "aggregate": "min"},
            "tooltip": {"value": f"{name} (centre line)"},
        },
    }


def _limit(x: dict[str, Any], field: str, name: str) -> dict[str, Any]:
    return {
        "mark": {"type": "line", "interpolate": "step", "strokeDash": [6, 4], "color": "#7f8c8d"},
        "encoding": {
            "x": x,
            "y": {"field": field, "type": "quantitative"},
            "tooltip": {"value": name},
        },
    }


def _annotations(order: list[str], annotations: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    marks = []
    for when, text in annotations:
        at = when if when in order else next((label for label in order if label > when), None)
        if at is not None:
            marks.append({"label": at, "note": text})
    return marks


def _annotation_rules(x: dict[str, Any], marks: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "data": {"values": marks},
        "mark": {"type": "rule", "color": "#2874a6", "strokeDash": [2, 2]},
        "encoding": {"x": x, "tooltip": {"field": "note", "title": "Change"}},
    }


def _annotation_text(x: dict[str, Any], marks: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "data": {"values": marks},
        "mark": {
            "type": "text",
            "align": "left",
            "baseline": "top",
            "dx": 3,
            "y": 2,
            "fontSize": FONT,
            "color": "#2874a6",
        },
        "encoding": {"x": x, "text": {"field": "note"}},
    }
