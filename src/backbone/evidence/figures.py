"""The evidence page's chart: the quasi-experimental estimate with its 95% CI beside the naive
difference, on one axis with zero marked, as Vega-Lite (Altair).

>>> spec = ci_chart(7.6, 1.0, 14.2, -6.2, "points").to_dict()
>>> [row["what"] for row in spec["layer"][0]["data"]["values"]]
['quasi-experimental estimate', 'naive difference']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt

ESTIMATE = "quasi-experimental estimate"
NAIVE = "naive difference"


def ci_chart(
    effect: float, ci_low: float, ci_high: float, naive: float, unit: str
) -> alt.LayerChart:
    """A dot for each figure, the estimate's interval as a bar, and a rule at zero."""
    rows = [
        {"what": ESTIMATE, "value": effect, "low": ci_low, "high": ci_high},
        {"what": NAIVE, "value": naive, "low": naive, "high": naive},
    ]
    data = alt.Data(values=rows)
    y = alt.Y("what:N", title=None, sort=[ESTIMATE, NAIVE])
    interval = (
        alt.Chart(data)
        .mark_rule(strokeWidth=3)
        .encode(x=alt.X("low:Q", title=f"difference ({unit})"), x2="high:Q", y=y)
    )
    dots = (
        alt.Chart(data)
        .mark_point(filled=True, size=90)
        .encode(x="value:Q", y=y, shape=alt.Shape("what:N", legend=None))
    )
    zero = alt.Chart(alt.Data(values=[{"zero": 0}])).mark_rule(strokeDash=[4, 3]).encode(x="zero:Q")
    return alt.LayerChart(layer=[interval, dots, zero], width=480, height=90)


def contrasts_chart(rows: Sequence[Mapping[str, Any]], unit: str) -> alt.LayerChart:
    """One line per contrast (``results.Result`` as dicts): the figure with its 95% CI as a bar
    and, where the design has one, the naive difference as a second mark on the same line.

    >>> rows = [{"label": "A + B vs B only", "kind": ESTIMATE, "effect": -3.0, "ci_low": -4.0,
    ...          "ci_high": -2.0, "naive_difference": -1.0}]
    >>> [v["what"] for v in contrasts_chart(rows, "days").to_dict()["layer"][1]["data"]["values"]]
    ['quasi-experimental estimate', 'naive difference']
    """
    marks: list[dict[str, Any]] = []
    for row in rows:
        marks.append({"contrast": row["label"], "what": row["kind"], "value": row["effect"],
                      "low": row["ci_low"], "high": row["ci_high"]})  # fmt: skip
        if row.get("naive_difference") is not None:
            naive = row["naive_difference"]
            marks.append({"contrast": row["label"], "what": NAIVE, "value": naive,
                          "low": naive, "high": naive})  # fmt: skip
    data = alt.Data(values=marks)
    y = alt.Y("contrast:N", title=None, sort=[r["label"] for r in rows])
    interval = (
        alt.Chart(alt.Data(values=[m for m in marks if m["what"] != NAIVE]))
        .mark_rule(strokeWidth=3)
        .encode(x=alt.X("low:Q", title=f"difference ({unit})"), x2="high:Q", y=y)
    )
    dots = (
        alt.Chart(data)
        .mark_point(filled=True, size=90)
        .encode(x="value:Q", y=y, shape=alt.Shape("what:N", title=None))
    )
    zero = alt.Chart(alt.Data(values=[{"zero": 0}])).mark_rule(strokeDash=[4, 3]).encode(x="zero:Q")
    return alt.LayerChart(layer=[interval, dots, zero], width=480, height=40 + 40 * len(rows))
