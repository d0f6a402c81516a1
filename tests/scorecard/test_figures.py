"""Charts are images with a text alternative, and a withheld value is a gap, never a zero."""

from __future__ import annotations

import re

from backbone.scorecard import figures
from backbone.scorecard.figures import Point
from backbone.scorecard.labels import dimension_label, group_label, html_id
from backbone.scorecard.links import Links, static_links

POINTS = [Point("2022", 40.0, "40%"), Point("2023", None, "*"), Point("2024", 44.0, "44%")]


def test_a_chart_is_one_image_with_a_title_and_description():
    chart = figures.figure(figures.trend_chart(POINTS, "percent"), "g3", "Reading", "It rose.")
    head = re.match(r"<svg[^>]*>", chart.svg).group(0)
    assert 'role="img"' in head and 'aria-labelledby="g3-title g3-desc"' in head
    assert '<title id="g3-title">Reading</title><desc id="g3-desc">It rose.</desc>' in chart.svg


def test_a_withheld_value_breaks_the_line_instead_of_dropping_to_zero():
    rows = figures.segments(POINTS)
    assert [(r["period"], r["value"], r["segment"]) for r in rows] == [
        ("2022", 40.0, 0), ("2024", 44.0, 2)
    ]  # fmt: skip
    svg = figures.figure(figures.trend_chart(POINTS, "percent"), "c", "T", "D").svg
    assert ">*</text>" in svg  # the marker sits under the axis at 2023
    assert ">2023</text>" in svg  # and the period stays on the axis


def test_the_description_says_which_values_are_withheld():
    text = figures.trend_description("Reading", POINTS, "Goal: 60 by 2028.")
    assert text == "Reading by period: 2022 40%, 2023 withheld (*), 2024 44%. Goal: 60 by 2028."


def test_labels_and_links():
    assert dimension_label("person_demographics.english_learner") == "English learner status"
    assert dimension_label("economically_disadvantaged") == "economic disadvantage"
    assert group_label("person_demographics.english_learner", "false") == "Not an English learner"
    assert html_id("a_b", "c.d") == "a-b-c-d"
    assert static_links(2).data("x", "csv") == "../../indicators/x/data.csv"
    assert Links("../../", "", "/static/").outcome("o") == "../../outcomes/o/"
