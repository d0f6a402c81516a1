"""The learned weights of a trained linkage model, as Splink's match-weights chart in SVG.

Drawn from the model saved with the linkage run (``LinkageModel.settings``), so the linkage
page shows what the last run learned without retraining. Splink builds the Vega-Lite spec from
the model's m and u probabilities (each level's weight is log2(m/u)); vl-convert renders it on
the server, as the indicator charts are, so the page needs no JavaScript.
"""

from __future__ import annotations

import functools
import json
import math
from typing import Any

import vl_convert
from splink import SettingsCreator

# The model's own SQL is never run here; any dialect Splink knows reads the settings.
_DIALECT = "duckdb"
PRIOR = "probability_two_random_records_match"  # Splink's chart filters its panels on it
READABLE = {"name": "Full name", "ssn": "SSN", "student_id": "Student id", "zip": "ZIP code"}


def readable(comparison: str) -> str:
    """A comparison's name as the chart's row header shows it.

    >>> readable("birth_date"), readable("ssn"), readable("street_number")
    ('Birth date', 'SSN', 'Street number')
    """
    return READABLE.get(comparison, comparison.replace("_", " ").capitalize())


def match_weights(settings: dict[str, Any]) -> list[dict[str, Any]]:
    """Every trained level of every comparison with its weight (log2 of the Bayes factor m/u).

    >>> model = {"link_type": "dedupe_only", "comparisons": [{"output_column_name": "dob",
    ...     "comparison_levels": [
    ...         {"sql_condition": "dob_l IS NULL", "is_null_level": True},
    ...         {"sql_condition": "dob_l = dob_r", "label_for_charts": "Exact",
    ...          "m_probability": 0.9, "u_probability": 0.01},
    ...         {"sql_condition": "ELSE", "m_probability": 0.1, "u_probability": 0.99}]}]}
    >>> [(r["comparison"], r["level"], round(r["weight"], 2)) for r in match_weights(model)]
    [('dob', 'Exact', 6.49), ('dob', 'ELSE', -3.31)]
    """
    records = _splink_settings(settings)._parameters_as_detailed_records
    return [
        {
            "comparison": r.comparison_name,
            "level": r.label_for_charts,
            "weight": r.log2_bayes_factor,
        }
        for r in records
        if r.comparison_vector_value != -1
        and r.comparison_name != "probability_two_random_records_match"
    ]


def match_weights_spec(settings: dict[str, Any]) -> dict[str, Any]:
    """Splink's match-weights chart of the model, as a Vega-Lite spec (data included)."""
    spec = _finite(_splink_settings(settings).match_weights_chart().chart_dict)
    spec["title"].pop("subtitle", None)  # "use mousewheel to zoom": not on a static drawing
    # The colour only repeats the bar's length (the weight on the axis): no legend of numbers.
    spec.setdefault("config", {})["legend"] = {"disable": True}
    for row in spec["data"]["values"]:  # row headers in words, not column names
        if row["comparison_name"] != PRIOR:
            row["comparison_name"] = readable(row["comparison_name"])
    return spec


def match_weights_svg(settings: dict[str, Any]) -> str:
    """The match-weights chart of the model as SVG, for embedding in a page."""
    return _svg(json.dumps(match_weights_spec(settings), sort_keys=True, default=str))


@functools.lru_cache(maxsize=16)
def _svg(spec: str) -> str:
    return str(vl_convert.vegalite_to_svg(spec))


def _splink_settings(settings: dict[str, Any]) -> Any:
    return SettingsCreator.from_path_or_dict(dict(settings)).get_settings(_DIALECT)


def _finite(value: Any) -> Any:
    """The spec with infinite weights (m or u of 0) as None: JSON has no infinity."""
    if isinstance(value, float) and math.isinf(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
