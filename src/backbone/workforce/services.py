"""What the workforce pages call: actuals from the warehouse, the teeth check and commitment
status per sector partnership, and an employer's own pipeline — counts protected for the reader
like every other number from person-level data."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from backbone.disclosure import Policy
from backbone.governance.services import publication_rule_for_partners, record
from backbone.indicators.services import may_see_exact
from backbone.partnership.models import Partner
from backbone.warehouse.services import warehouse
from backbone.workforce import actuals, figures, status, teeth
from backbone.workforce.models import SectorPartnership

VIEW_ALL = "workforce.view_workforce"
VIEW_OWN = "workforce.view_own_pipeline"
AUDIT_OBJECT = "workforce.pipeline"
SOURCES = ["three-rivers-workforce-board"]  # whose training rosters the pipeline reads


def may_view_employer(user: Any, employer: Partner) -> bool:
    """The one scoping rule: staff with ``view_workforce`` see every employer; an employer's
    own users with ``view_own_pipeline`` see their organization's pipeline only."""
    if user.has_perm(VIEW_ALL):
        return True
    link = getattr(user, "partner_user", None)
    return user.has_perm(VIEW_OWN) and link is not None and link.partner_id == employer.pk


def policy(partners: list[str], user: Any) -> Policy | None:
    """None (exact) for a reader with person-level rights; otherwise the strictest of the
    setting and the publication rules of the agreements the data came under."""
    if may_see_exact(user):
        return None
    rule = publication_rule_for_partners(partners)
    return Policy(min_n=max(settings.DISCLOSURE_MIN_N, rule.min_n or 0))


def _scope(sp: SectorPartnership) -> actuals.Scope:
    employers = tuple((p.slug, sp.ui_accounts.get(p.slug, "")) for p in sp.employers.all())
    return actuals.Scope(sp.slug, tuple(sp.programs), employers)


def _actuals(partnerships: list[SectorPartnership]) -> dict[str, Any]:
    store = warehouse()
    with store.engine() as engine:
        if "crosswalk" not in store.derived():
            engine.run(actuals.NO_CROSSWALK_SQL, label="no crosswalk yet")
        events = actuals.employer_events(engine)
        rows = actuals.pipeline(engine, [_scope(sp) for sp in partnerships])
    return {"events": events, "pipeline": rows}


def _years(events: list[dict[str, Any]], employer: str) -> dict[str, dict[str, int]]:
    return {
        r["year"]: {"interviews": r["interviews"], "offers": r["offers"], "hires": r["hires"]}
        for r in events
        if r["employer"] == employer and r["year"] is not None
    }


def overview(user: Any) -> dict[str, Any]:
    """The ``/workforce/`` page: each partnership's teeth check, and per employer its pipeline
    and each commitment against its actual, protected for ``user``."""
    partnerships = list(SectorPartnership.objects.prefetch_related("employers"))
    data = _actuals(partnerships)
    reporting = actuals.reporting(data["events"])
    chosen = policy([*SOURCES, *reporting], user)
    pipeline = {(r["partnership"], r["employer"]): r for r in data["pipeline"]}
    cards = [_card(sp, pipeline, data["events"], reporting, chosen) for sp in partnerships]
    _audit(user, chosen, "overview", len(cards))
    return {"partnerships": cards, "threshold": chosen.min_n if chosen else None}


def _card(
    sp: SectorPartnership, pipeline: dict[Any, Any], events: list[dict[str, Any]],
    reporting: set[str], chosen: Policy | None,
) -> dict[str, Any]:  # fmt: skip
    entry = sp.entry()
    employers = []
    for employer in sp.employers.all():
        row = pipeline.get((sp.slug, employer.slug))
        stages = figures.protected_pipeline(row, chosen) if row else []
        promises = [c for c in entry.commitments if c.employer == employer.slug]
        employers.append({
            "partner": employer, "stages": stages,
            "commitments": [_commitment(c, row, stages, events, chosen) for c in promises],
        })  # fmt: skip
    features = teeth.check(entry, reporting)
    return {"partnership": sp, "teeth": features, "employers": employers,
            "passes": all(f.passed for f in features)}  # fmt: skip


def _commitment(
    c: Any, row: Any, stages: list[figures.Stage], events: list[dict[str, Any]], chosen: Any
) -> dict[str, Any]:
    got = status.against(c, row, _years(events, c.employer))
    actual = figures.protected_count("actual", got.actual, chosen)
    state, conversion = figures.shown_status(got.status, got.conversion, actual, stages)
    return {
        "commitment": c, "basis": got.basis, "status": state, "conversion": conversion,
        "target": figures.protected_count("target", got.target, chosen), "actual": actual,
    }  # fmt: skip


def employer_page(employer: Partner, user: Any) -> dict[str, Any]:
    """An employer's own pipeline in each of its sector partnerships, protected for ``user``."""
    partnerships = list(SectorPartnership.objects.filter(employers=employer))
    data = _actuals(partnerships) if partnerships else {"pipeline": [], "events": []}
    chosen = policy([*SOURCES, employer.slug], user)
    rows = [r for r in data["pipeline"] if r["employer"] == employer.slug]
    names = {sp.slug: sp.name for sp in partnerships}
    pipelines = [
        {"partnership": names[r["partnership"]], "stages": figures.protected_pipeline(r, chosen)}
        for r in rows
    ]
    _audit(user, chosen, employer.slug, len(pipelines))
    return {"employer": employer, "pipelines": pipelines,
            "threshold": chosen.min_n if chosen else None}  # fmt: skip


def _audit(user: Any, chosen: Policy | None, what: str, shown: int) -> None:
    if chosen is None:  # exact counts of people: a person-level read
        record(user, "read", AUDIT_OBJECT, what, "exact workforce pipeline", {"figures": shown})
