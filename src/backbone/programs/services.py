"""What the program pages and ``backbone programs`` call: participation from the warehouse,
protected for the reader, and the registry's programs, outcomes and strategies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from backbone.disclosure import Policy
from backbone.governance.services import publication_rule_for_partners, record
from backbone.indicators.charts import svg
from backbone.indicators.services import may_see_exact
from backbone.partnership.models import SharedOutcome
from backbone.programs import figures
from backbone.programs import participation as pp
from backbone.programs.models import Program
from backbone.warehouse.services import warehouse

VIEW_ALL = "programs.view_programs"
AUDIT_OBJECT = "programs.participation"
AUDIT_PURPOSE = "exact program participation"
DISTRICT_DIMENSIONS = {"race_ethnicity": "Race and ethnicity",
                       "economically_disadvantaged": "Economically disadvantaged"}  # fmt: skip


def programs() -> QuerySet[Program]:
    return Program.objects.select_related("partner").prefetch_related("outcomes")


def may_view(user: Any, program: Program) -> bool:
    """The one scoping rule: staff holding ``programs.view_programs`` see every program; a
    partner's own users see their partner's programs."""
    if user.has_perm(VIEW_ALL):
        return True
    link = getattr(user, "partner_user", None)
    return link is not None and link.partner_id == program.partner_id


def policy(partners: Sequence[str], user: Any) -> Policy | None:
    """None (exact) for a reader with person-level rights; otherwise the strictest of the
    setting and the publication rules of the agreements the partners' data came under."""
    if may_see_exact(user):
        return None
    rule = publication_rule_for_partners(partners)
    return Policy(min_n=max(settings.DISCLOSURE_MIN_N, rule.min_n or 0))


def _through() -> dt.date:
    return timezone.localdate()


def participation(matchers: Sequence[pp.Matcher]) -> dict[str, list[dict[str, Any]]]:
    """Monthly and yearly participation of ``matchers``' programs, read from the warehouse."""
    with warehouse().engine() as engine:
        return {
            "months": pp.monthly(engine, matchers, _through()),
            "years": pp.yearly(engine, matchers, _through()),
        }


def proposals() -> list[dict[str, Any]]:
    """Participation values no program's alias matches yet (``backbone programs sync``)."""
    with warehouse().engine() as engine:
        return pp.unmatched(engine, [p.matcher for p in programs()])


def reach(matchers: Sequence[pp.Matcher]) -> list[dict[str, Any]]:
    """The people any program reached per year and group; empty before linkage."""
    if "crosswalk" not in warehouse().derived():
        return []
    with warehouse().engine() as engine:
        return pp.reach(engine, matchers, _through())


def inventory(user: Any) -> dict[str, Any]:
    """The ``/programs/`` page: every program with its participants this school year, the
    outcomes × programs map and the groups no program reaches, all protected for ``user``."""
    listed = list(programs())
    matchers = [p.matcher for p in listed]
    years = participation(matchers)["years"] if listed else []
    year = pp.school_year(_through())
    chosen = policy([p.partner.slug for p in listed], user)
    this_year = {r["slug"]: r["participants"] for r in years if r["year"] == year}
    rows = [
        {
            "program": p,
            "participants": figures.protected_count(p.slug, this_year.get(p.slug, 0), chosen),
        }
        for p in listed
    ]
    outcomes = [(o.slug, o.name) for o in SharedOutcome.objects.all()]
    aims = {p.slug: [o.slug for o in p.outcomes.all()] for p in listed}
    _audit(user, chosen, "inventory", len(rows))
    return {
        "rows": rows, "year": year, "outcome_map": figures.outcome_map(outcomes, aims),
        "groups": _groups(reach(matchers) if listed else [], year, chosen),
        "threshold": chosen.min_n if chosen else None, "exact": chosen is None,
    }  # fmt: skip


def _groups(rows: list[dict[str, Any]], year: str, chosen: Policy | None) -> list[dict[str, Any]]:
    groups = []
    for r in rows:
        if r["year"] != year:
            continue
        key = f"{r['dimension']}={r['group']}"
        shown = figures.protected_count(key, r["reached"], chosen)
        groups.append({
            "dimension": DISTRICT_DIMENSIONS[r["dimension"]], "group": r["group"],
            "reached": shown, "gap": shown in ("*", "0"),
        })  # fmt: skip
    return groups


def program_page(program: Program, user: Any) -> dict[str, Any]:
    """One program's page: its months and years, protected for ``user``, and the chart."""
    data = participation([program.matcher])
    chosen = policy([program.partner.slug], user)
    months = figures.protected_months(data["months"], chosen)
    years = figures.protected_years(data["years"], chosen)
    _audit(user, chosen, program.slug, len(months) + len(years))
    chart = svg(figures.monthly_chart(months)) if months else ""
    return {
        "program": program, "months": months, "years": years, "chart": chart,
        "threshold": chosen.min_n if chosen else None, "exact": chosen is None,
    }  # fmt: skip


def _audit(user: Any, chosen: Policy | None, what: str, figures_shown: int) -> None:
    if chosen is None:  # exact counts of people: a person-level read
        record(user, "read", AUDIT_OBJECT, what, AUDIT_PURPOSE, {"figures": figures_shown})
