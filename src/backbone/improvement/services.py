"""What the network pages show and who may write there; the views call only these.

Indicator figures come through ``indicators.services.gated_results``, the one gate every staff
reader passes (protected as on the public scorecard unless the reader has person-level rights).
Writes need no call to the audit log here: the improvement models are watched by governance's
audit registry (``apps.py``), so a write is recorded wherever it happens. An exact read of the
monthly measure is recorded here, as ``gated_results`` records exact indicator values.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, QuerySet

from backbone.disclosure import Cell, protect
from backbone.governance.services import record
from backbone.improvement import monthly, network_chart
from backbone.improvement.aims import period_of
from backbone.improvement.chart_spec import chart_spec
from backbone.improvement.models import (
    LEADERSHIP_KIND,
    NETWORK_KIND,
    ActionItem,
    Charter,
    PdsaCycle,
    PolicyBarrier,
)
from backbone.indicators.models import Indicator
from backbone.indicators.protection import Shown
from backbone.indicators.services import bodies_of, gated_results
from backbone.partnership.models import GovernanceBody
from backbone.programs.services import policy
from backbone.warehouse.services import warehouse

log = logging.getLogger(__name__)

VIEW = "improvement.view_networks"
WORK = "improvement.work_in_networks"
MANAGE = "improvement.manage_networks"
OVERALL = "overall"
MONTHLY_OBJECT = "improvement.monthly_measure"
EXACT_MONTHLY_PURPOSE = "exact monthly measure"
OPEN_BARRIERS = (
    PolicyBarrier.Status.RAISED, PolicyBarrier.Status.REVIEWING, PolicyBarrier.Status.ADVOCATING,
)  # fmt: skip


def networks() -> QuerySet[GovernanceBody]:
    """Every action network, by name."""
    return GovernanceBody.objects.filter(kind=NETWORK_KIND).order_by("name")


def may_write(user: Any, body: GovernanceBody) -> bool:
    """Whether ``user`` may write in ``body``: the backbone's staff everywhere, a member (a
    current seat, in person or through their partner) in their own networks."""
    if user.has_perm(MANAGE):
        return True
    return bool(user.has_perm(WORK)) and body in bodies_of(user)


def overdue_actions(today: dt.date) -> int:
    """How many actions, in every network, are past due and neither done nor dropped."""
    return ActionItem.objects.overdue(today).count()


def leadership_table() -> GovernanceBody | None:
    """The body barriers are raised to: the partnership's leadership table."""
    return GovernanceBody.objects.filter(kind=LEADERSHIP_KIND).order_by("pk").first()


def network_list(user: Any, today: dt.date) -> dict[str, Any]:
    """The networks with their aims and overdue counts, and the open barriers before the
    leadership table."""
    charters = {c.body_id: c for c in Charter.objects.all()}
    rows = [
        {"body": body, "charter": charters.get(body.pk),
         "overdue": body.actions.overdue(today).count(), "yours": may_write(user, body)}
        for body in networks()
    ]  # fmt: skip
    barriers = PolicyBarrier.objects.filter(status__in=OPEN_BARRIERS)
    return {
        "rows": rows,
        "leadership": leadership_table(),
        "barriers": barriers.select_related("raised_by_body", "raised_by_partner"),
    }


@dataclass
class IndicatorView:
    """One of a charter's indicators as the reader may see it: the latest period's overall value
    and its groups in the charter's breakdown."""

    role: str  # "aim", or the measure's kind
    slug: str
    indicator: Indicator | None  # None until the indicator is installed
    period: str = ""
    rows: tuple[Shown, ...] = ()  # the latest complete period's
    every: tuple[Shown, ...] = ()  # every period's, for the chart


def network_page(body: GovernanceBody, user: Any, today: dt.date) -> dict[str, Any]:
    """Everything a network's page shows to ``user``."""
    charter = Charter.objects.filter(body=body).first()
    cycles = list(body.pdsa_cycles.select_related("owner", "measure"))
    context: dict[str, Any] = {
        "body": body,
        "charter": charter,
        "members": body.memberships.select_related("person", "representing"),
        "actions": body.actions.select_related("owner"),
        "overdue": body.actions.overdue(today).count(),
        "cycles": cycles,
        "barriers": body.barriers.all(),
        "may_write": may_write(user, body),
        "indicators": [],
        "chart_svg": "",
        "measure_chart_svg": "",
    }
    if charter is not None:
        views = [_indicator_view("aim", charter.indicator, charter, user)]
        measures = charter.measures.exclude(indicator=monthly.ABSENCE_SHARE)
        views += [_indicator_view(m.kind, m.indicator, charter, user) for m in measures]
        context["indicators"] = views
        context["chart_svg"] = _chart(charter, views[0], cycles)
        if charter.measures.filter(indicator=monthly.ABSENCE_SHARE).exists():
            context["measure_chart_svg"] = absence_chart_svg(cycles, user)
    return context


def _indicator_view(role: str, slug: str, charter: Charter, user: Any) -> IndicatorView:
    indicator = Indicator.objects.filter(slug=slug).first()
    if indicator is None:
        return IndicatorView(role, slug, None)
    rows = _rows_for(indicator, charter, user)
    complete = [r.period for r in rows if r.complete]
    latest = max(complete) if complete else ""
    shown = tuple(r for r in rows if r.period == latest)
    return IndicatorView(role, slug, indicator, latest, shown, tuple(rows))


def _rows_for(indicator: Indicator, charter: Charter, user: Any) -> list[Shown]:
    gated = gated_results(indicator, user, "network page")
    dimensions = {OVERALL, charter.dimension} if charter.dimension else {OVERALL}
    return [row for row in gated.rows if row.dimension in dimensions]


def aim_series(rows: list[Shown], charter: Charter) -> list[Shown]:
    """The rows of the aim's group (overall when the charter names none), in period order."""
    dimension = charter.dimension or OVERALL
    group = "all" if dimension == OVERALL else charter.group
    wanted = [r for r in rows if r.complete and (r.dimension, r.group) == (dimension, group)]
    return sorted(wanted, key=lambda r: r.period)


def _chart(charter: Charter, aim: IndicatorView, cycles: list[PdsaCycle]) -> str:
    if aim.indicator is None:
        return ""
    series = aim_series(list(aim.every), charter)
    if not series:
        return ""
    marks = [(period_of(c.started, aim.indicator.period_type), _mark(c)) for c in cycles]
    title = f"{aim.indicator.name}: {charter.group or 'all'}"
    spec = network_chart.series_spec(
        [r.period for r in series], [r.value for r in series], title, marks
    )
    return network_chart.svg(spec)


def absence_months(user: Any) -> list[monthly.Month]:
    """The district's share of days absent per month, every month, or none when the gate
    withholds one (a month of too few students) or no attendance is loaded."""
    if not warehouse().files_of(monthly.TABLE):
        return []
    with warehouse().engine() as engine:
        months, partners = monthly.absence_share(engine), monthly.partners(engine)
    chosen = policy(partners, user)
    if chosen is None:  # exact students per month: a person-level read, audited like the others
        record(user, "read", MONTHLY_OBJECT, monthly.ABSENCE_SHARE, EXACT_MONTHLY_PURPOSE,
               {"via": "network page", "months": len(months)})  # fmt: skip
        return months
    cells = [Cell(m.label, None, m.students, float(m.students), "count") for m in months]
    shown = protect(cells, [], chosen)
    return [] if any(shown[m.label].value is None for m in months) else months


def absence_chart_svg(cycles: list[PdsaCycle], user: Any) -> str:
    """The Laney p′ chart of the share of days absent, frozen on the months before the first
    cycle that put a change into practice, every cycle marked where it started."""
    months = absence_months(user)
    if len(months) < 2:
        return ""
    started = [c.started for c in cycles if c.purpose == PdsaCycle.Purpose.IMPLEMENT]
    change = f"{min(started):%Y-%m}" if started else None
    chart = monthly.absence_chart(months, change)
    marks = [(f"{c.started:%Y-%m}", _mark(c)) for c in cycles]
    spec = chart_spec(chart, "Share of enrolled days absent, all students", marks,
                      "Days absent / days enrolled", "Month")  # fmt: skip
    return network_chart.svg(spec)


def _mark(cycle: PdsaCycle) -> str:
    decision = cycle.get_decision_display() if cycle.decision else "open"
    return f"{cycle.change_idea} #{cycle.number} ({decision})"


def next_cycle_number(body: GovernanceBody, change_idea: str) -> int:
    """The number the next cycle of ``change_idea`` in ``body`` takes: one after the last."""
    last = body.pdsa_cycles.filter(change_idea=change_idea).aggregate(n=Max("number"))["n"]
    return (last or 0) + 1
