"""The chart on a network's page: a series of periods with the PDSA changes marked where they
started, drawn as a run chart (``runcharts``) or a p-chart (``spc``) through ``chart_spec``.

A run chart needs every value: when the gate withholds one, the page draws the plain series
with its median instead, gaps left as gaps. Either way the result is a Vega-Lite spec that
``svg`` draws on the server (no JavaScript, prints as it looks). Annotations are
(period label, text) pairs, as ``chart_spec`` takes them.

>>> spec = series_spec(["2023", "2024", "2025"], [0.5, None, 0.6], "Reading", ())
>>> [row["value"] for row in spec["layer"][0]["data"]["values"]]
[0.5, None, 0.6]
>>> spec = series_spec(["2023", "2024", "2025"], [0.5, 0.4, 0.6], "Reading", [("2024", "x")])
>>> [layer["mark"]["type"] for layer in spec["layer"]]
['line', 'point', 'rule', 'rule', 'text']
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from typing import Any

import vl_convert

from backbone.improvement.chart_spec import chart_spec
from backbone.improvement.runcharts import run_chart

WIDTH = 560
INK = "#1d2330"
LINE = "#0b5a7a"
MEDIAN = "#5b6475"
CHANGE = "#8a1c1c"

Annotation = tuple[str, str]  # (period label, text)


def series_spec(
    labels: Sequence[str],
    values: Sequence[float | None],
    title: str,
    annotations: Sequence[Annotation],
    value_title: str = "Value",
    time_title: str = "Period",
) -> dict[str, Any]:
    """A Vega-Lite spec of ``values`` over ``labels`` (periods in order), ``None`` where a value
    is withheld, with ``annotations``: a run chart with its rules when every value is shown,
    else the plain series and its median."""
    shown = list(zip(labels, values, strict=True))
    if shown and all(value is not None for _, value in shown):
        known = [float(v) for _, v in shown if v is not None]
        chart = run_chart(known, [label for label, _ in shown])
        return chart_spec(chart, title, annotations, value_title, time_title)
    return plain_spec(shown, title, annotations)


def median_of(values: Sequence[float | None]) -> float | None:
    """The median of the values shown (withheld ones left out); ``None`` when none is shown.

    >>> median_of([3, None, 1, 2]), median_of([None])
    (2, None)
    """
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def plain_spec(
    points: Sequence[tuple[str, float | None]], title: str, annotations: Sequence[Annotation]
) -> dict[str, Any]:
    """The series as a line with points, its median dashed, and each change a labelled rule."""
    order = [label for label, _ in points]
    x = {"field": "label", "type": "ordinal", "title": None, "sort": order}
    rows = [{"label": label, "value": value} for label, value in points]
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": rows},
            "mark": {"type": "line", "point": True, "color": LINE},
            "encoding": {"x": x, "y": {"field": "value", "type": "quantitative", "title": None}},
        }
    ]
    median = median_of([value for _, value in points])
    if median is not None:
        layers.append(_median_layer(median))
    marked = [{"label": label, "text": text} for label, text in annotations if label in order]
    if marked:
        layers += _annotation_layers(marked, x)
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title,
        "width": WIDTH,
        "height": 240,
        "layer": layers,
    }


def _median_layer(median: float) -> dict[str, Any]:
    return {
        "data": {"values": [{"median": median}]},
        "mark": {"type": "rule", "color": MEDIAN, "strokeDash": [6, 4]},
        "encoding": {"y": {"field": "median", "type": "quantitative"}},
    }


def _annotation_layers(marked: list[dict[str, str]], x: dict[str, Any]) -> list[dict[str, Any]]:
    rule = {"type": "rule", "color": CHANGE, "strokeDash": [2, 2]}
    text = {"type": "text", "color": CHANGE, "align": "left", "dx": 3, "dy": -4, "y": 0}
    return [
        {"data": {"values": marked}, "mark": rule, "encoding": {"x": x}},
        {"data": {"values": marked}, "mark": text,
         "encoding": {"x": x, "text": {"field": "text"}}},
    ]  # fmt: skip


def svg(spec: dict[str, Any]) -> str:
    """``spec`` drawn as an SVG document (vl-convert bundles Vega: nothing is fetched)."""
    config = {"axis": {"labelColor": INK, "labelAngle": 0}, **spec.get("config", {})}
    return str(vl_convert.vegalite_to_svg(json.dumps({**spec, "config": config})))
