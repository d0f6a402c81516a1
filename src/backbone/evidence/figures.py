"""The evidence page's chart: the quasi-experimental estimate with its 95% CI beside the naive
difference, on one axis with zero marked, as Vega-Lite (Altair).

>>> spec = ci_chart(7.6, 1.0, 14.2, -6.2, "points").to_dict()
>>> [row["what"] for row in spec["layer"][0]["data"]["values"]]
['quasi-experimental estimate', 'naive difference']
"""

from __future__ import annotations

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
