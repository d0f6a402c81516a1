"""The evidence page's chart: each contrast's figure with its 95% CI beside the naive
difference, on one axis with zero marked, as Vega-Lite (Altair).

>>> growth = [{"label": "Mentoring: DESSA growth", "kind": "growth", "effect": 4.4,
...            "ci_low": 3.8, "ci_high": 4.9, "n_comparison": None}]
>>> contrasts_chart(growth, "points").to_dict()["layer"][0]["encoding"]["x"]["title"]
'change from pre to post (points)'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt

ESTIMATE = "quasi-experimental estimate"
NAIVE = "naive difference"


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
    # pre/post growth has no comparison group: its figure is a change, not a difference
    growth_only = all("n_comparison" in r and r["n_comparison"] is None for r in rows)
    measure = "change from pre to post" if growth_only else "difference"
    interval = (
        alt.Chart(alt.Data(values=[m for m in marks if m["what"] != NAIVE]))
        .mark_rule(strokeWidth=3)
        .encode(x=alt.X("low:Q", title=f"{measure} ({unit})"), x2="high:Q", y=y)
    )
    dots = (
        alt.Chart(data)
        .mark_point(filled=True, size=90)
        .encode(x="value:Q", y=y, shape=alt.Shape("what:N", title=None))
    )
    zero = alt.Chart(alt.Data(values=[{"zero": 0}])).mark_rule(strokeDash=[4, 3]).encode(x="zero:Q")
    return alt.LayerChart(layer=[interval, dots, zero], width=480, height=40 + 40 * len(rows))
