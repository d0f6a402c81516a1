"""Monthly process measures for a network's chart, from the warehouse's monthly tables.

``absence_share`` is the district-wide share of enrolled days absent per month, read from
``attendance_monthly`` (days enrolled and absent per student-month, derived from Ed-Fi at
load): Σ days absent / Σ days enrolled, a proportion of days, drawn as a p-chart. Its limits
can be frozen on a baseline — the months before a change — so that the months after it are
judged against what the process did before (qicharts2's ``freeze``). The chart is Laney's
p′: a month has thousands of enrolled days, so plain p limits would flag ordinary variation.

Each month also carries its students (those enrolled in it), the count the disclosure gate
protects: a month with too few students is withheld, and the chart needs every month.

>>> print(absence_share_sql())
SELECT "month", SUM("days_absent") AS absent, SUM("days_enrolled") AS enrolled,
       COUNT(DISTINCT "record_id") AS students
FROM "attendance_monthly" WHERE "days_enrolled" > 0
GROUP BY "month" ORDER BY "month"
>>> months = [Month("2024-11", 6, 100, 12), Month("2024-12", 4, 100, 12),
...           Month("2025-01", 1, 50, 12)]
>>> absence_chart(months, change="2025-01").centre  # (6 + 4) / (100 + 100): before the change
0.05
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from backbone.improvement.spc import ControlChart, laney_p_chart
from backbone.warehouse.engines.base import Engine
from backbone.warehouse.sql import identifier

TABLE = "attendance_monthly"
ABSENCE_SHARE = "absence_share_monthly"  # the measure's slug, as networks.yaml names it


@dataclass(frozen=True)
class Month:
    """One month of the measure: its label (``YYYY-MM``), days absent and enrolled, students."""

    label: str
    absent: float
    enrolled: float
    students: int


def absence_share_sql(table: str = TABLE) -> str:
    """Days absent, days enrolled and students per month, every school and student together."""
    month, record = identifier("month"), identifier("record_id")
    absent, enrolled = identifier("days_absent"), identifier("days_enrolled")
    return (
        f"SELECT {month}, SUM({absent}) AS absent, SUM({enrolled}) AS enrolled,\n"
        f"       COUNT(DISTINCT {record}) AS students\n"
        f"FROM {identifier(table)} WHERE {enrolled} > 0\n"
        f"GROUP BY {month} ORDER BY {month}"
    )


def partners_sql(table: str = TABLE) -> str:
    """The partners whose data the measure reads (their agreements set its protection)."""
    return f"SELECT DISTINCT {identifier('source_partner')} FROM {identifier(table)} ORDER BY 1"


def partners(engine: Engine) -> list[str]:
    """The partners behind the measure's months, read through ``engine``."""
    return [str(r[0]) for r in engine.run(partners_sql(), label="improvement: measure partners")]


def absence_share(engine: Engine) -> list[Month]:
    """The measure's months, in order, read through ``engine``."""
    rows = engine.run(absence_share_sql(), label="improvement: absence share per month")
    return [Month(str(r[0]), float(r[1]), float(r[2]), int(r[3])) for r in rows]


def absence_chart(months: Sequence[Month], change: str | None = None) -> ControlChart:
    """The p-chart of the share of days absent; its centre and limits come from the months
    before ``change`` when that is given (and leaves some), else from every month."""
    labels = [m.label for m in months]
    before = sum(1 for label in labels if change is not None and label < change)
    absent, enrolled = [m.absent for m in months], [m.enrolled for m in months]
    return laney_p_chart(absent, enrolled, labels, baseline=before or None)
