"""The download format ``backbone check-disclosure`` reads, written exactly."""

from __future__ import annotations

import csv
import io
import json

from backbone.scorecard import export

HEADER = (
    "indicator,period,dimension,group,unit,numerator,denominator,value,display,marker,rule,"
    "threshold,policy_version"
)
PUBLISHED = {
    "indicator": "grade3_reading", "period": "2024", "dimension": "overall", "group": "all",
    "unit": "percent", "numerator": 47, "denominator": 116, "value": 41.0, "display": "41%",
    "marker": "", "rule": "published", "threshold": 10, "policy_version": "backbone-disclosure-1",
}  # fmt: skip
WITHHELD = {
    **PUBLISHED, "dimension": "person_demographics.race_ethnicity", "group": "Asian",
    "numerator": None, "denominator": None, "value": None, "display": "*", "marker": "*",
    "rule": "primary: n < 10",
}  # fmt: skip


def test_results_csv_has_the_contract_columns_and_empty_withheld_numbers():
    text = export.csv_text([PUBLISHED, WITHHELD])
    lines = text.splitlines()
    assert lines[0] == HEADER
    assert lines[1] == (
        "grade3_reading,2024,overall,all,percent,47,116,41,41%,,published,10,backbone-disclosure-1"
    )
    withheld = list(csv.DictReader(io.StringIO(text)))[1]
    assert (withheld["numerator"], withheld["denominator"], withheld["value"]) == ("", "", "")
    assert withheld["display"] == withheld["marker"] == "*"


def test_json_rows_keep_withheld_numbers_null():
    rows = json.loads(export.json_text(export.json_rows([WITHHELD])))
    assert rows[0]["numerator"] is None and rows[0]["group"] == "Asian"
    assert list(rows[0]) == HEADER.split(",")


def test_partitions_and_dimensions_json():
    declared = [
        {"indicator": "r", "period": "2024", "total": ("overall", "all"),
         "parts": (("race", "A"), ("race", "B"))}
    ]  # fmt: skip
    assert json.loads(export.partitions_json(declared)) == [
        {"indicator": "r", "period": "2024", "total": ["overall", "all"],
         "parts": [["race", "A"], ["race", "B"]]}
    ]  # fmt: skip
    assert json.loads(export.dimensions_json({"r": {"race": True, "program": False}})) == {
        "r": {"program": {"additive": False}, "race": {"additive": True}}
    }


def test_numbers_are_written_bare():
    assert [export.number_text(v) for v in (None, 0, 31200.0, 3.5)] == ["", "0", "31200", "3.5"]
