"""The chart spec renders, marks the signals and the PDSA changes, and keeps text readable."""

from __future__ import annotations

import json
import re

import vl_convert

from backbone.improvement.chart_spec import chart_spec
from backbone.improvement.runcharts import run_chart
from backbone.improvement.spc import p_chart

MONTHS = ["2024-09", "2024-10", "2024-11", "2024-12", "2025-01", "2025-02", "2025-03", "2025-04"]


def control_chart():
    # p̄ = 83/800, σ = 0.0305: March's 40 of 100 is above the upper limit 0.195, alone.
    return p_chart([5, 6, 4, 7, 5, 6, 40, 10], [100] * 8, MONTHS)


def test_signalled_points_carry_their_rules_and_others_say_none():
    spec = chart_spec(control_chart(), "Chronic absence, grade 9")
    signals = {row["label"]: row["signal"] for row in spec["data"]["values"]}
    assert signals["2025-03"] == "Outside the control limits"
    assert signals["2024-09"] == "No signal"
    assert {row["upper"] for row in spec["data"]["values"]} == {control_chart().upper[0]}


def test_annotations_sit_on_their_month_or_the_next_one():
    spec = chart_spec(control_chart(), "Absence", [("2024-11", "Text reminders start"),
                      ("2025-01-15", "Home visits"), ("2026-01", "Too late")])  # fmt: skip
    notes = spec["layer"][-1]["data"]["values"]
    assert notes == [
        {"label": "2024-11", "note": "Text reminders start"},
        {"label": "2025-02", "note": "Home visits"},  # 15 January falls in February's point
    ]


def test_the_spec_renders_with_text_of_eleven_pixels_or_more():
    spec = chart_spec(control_chart(), "Chronic absence", [("2024-11", "Text reminders start")])
    svg = vl_convert.vegalite_to_svg(json.dumps(spec))
    sizes = [float(s) for s in re.findall(r"font-size[=:]\s*\"?([\d.]+)px", svg)]
    assert sizes and min(sizes) >= 11
    for words in ("Chronic absence", "Month", "Value", "Text reminders start"):
        assert words in svg


def test_a_run_chart_has_a_median_line_and_no_limits():
    chart = run_chart([3, 5, 4, 6, 5, 7, 6, 8], MONTHS)
    spec = chart_spec(chart, "Attendance", value_title="Attendance rate (%)")
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["line", "point", "rule"]
    assert {row["centre"] for row in spec["data"]["values"]} == {5.5}
    assert "upper" not in spec["data"]["values"][0]
    vl_convert.vegalite_to_svg(json.dumps(spec))  # renders
