"""The network chart: a run chart when every value is shown, else the series, its median (by
hand) and the PDSA changes marked on the periods they started in; withheld values are gaps."""

from __future__ import annotations

from backbone.improvement.network_chart import median_of, plain_spec, series_spec, svg


def values_of(spec, mark):
    return [layer["data"]["values"] for layer in spec["layer"] if layer["mark"]["type"] == mark]


def test_the_median_leaves_withheld_values_out():
    assert median_of([40.0, None, 75.0, 50.0]) == 50.0  # of 40, 50, 75
    assert median_of([40.0, 75.0]) == 57.5
    assert median_of([None, None]) is None


def test_changes_are_marked_only_on_periods_the_chart_shows():
    spec = plain_spec(
        [("2023", 40.0), ("2024", None), ("2025", 75.0)], "Reading",
        [("2025", "Weekly question #1 (adopt)"), ("2030", "later")],
    )  # fmt: skip
    assert values_of(spec, "line")[0][1] == {"label": "2024", "value": None}
    marked = [{"label": "2025", "text": "Weekly question #1 (adopt)"}]
    assert values_of(spec, "rule") == [[{"median": 57.5}], marked]  # the median, the change
    assert values_of(spec, "text") == [marked]


def test_the_spec_draws_as_svg():
    drawn = svg(series_spec(["2023", "2024"], [40.0, 75.0], "Reading", [("2024", "x")]))
    assert drawn.startswith("<svg") and "Reading" in drawn


def test_a_full_series_is_a_run_chart_with_its_median_and_the_change_marked():
    spec = series_spec(["2023", "2024", "2025"], [40.0, 75.0, 50.0], "Reading", [("2024", "x")])
    assert spec["data"]["values"][0]["centre"] == 50.0  # the median of 40, 50, 75
    notes = [layer["data"]["values"] for layer in spec["layer"] if "data" in layer]
    assert [{"label": "2024", "note": "x"}] in notes
