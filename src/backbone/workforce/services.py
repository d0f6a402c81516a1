"""What the workforce pages call: actuals from the warehouse, the teeth check and commitment
status per sector partnership, and an employer's own pipeline — counts protected for the reader
like every other number from person-level data."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from backbone.disclosure import Policy
from backbone.governance.services import publication_rule_for_partners, record
from backbone.indicators.charts import svg
from backbone.indicators.services import may_see_exact
from backbone.intake.models import Submission
from backbone.partnership.models import Partner, Partnership
from backbone.warehouse.services import warehouse
from backbone.workforce import actuals, figures, hiring, status, teeth
from backbone.workforce.models import EngagementStage, PainPoint, SectorPartnership

VIEW_ALL = "workforce.view_workforce"
VIEW_OWN = "workforce.view_own_pipeline"
AUDIT_OBJECT = "workforce.pipeline"
DEFAULT_LIVING_WAGE = 17.50  # the indicator library's default, when the registry sets none
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
        scopes = [_scope(sp) for sp in partnerships]
        rows = actuals.pipeline(engine, scopes)
        completers = actuals.completers_by_year(engine, scopes)
    return {"events": events, "pipeline": rows, "completers": completers}


def _years(events: list[dict[str, Any]], employer: str) -> dict[str, dict[str, int]]:
    return {
        r["year"]: {"interviews": r["interviews"], "offers": r["offers"], "hires": r["hires"]}
        for r in events
        if r["employer"] == employer and r["year"] is not None
    }


def overview(user: Any, charts: bool = True) -> dict[str, Any]:
    """The ``/workforce/`` page (and ``backbone workforce status``): each partnership's teeth
    check, and per employer its pipeline and each commitment against its actual, overall and
    per program year (with a chart unless ``charts`` is false), protected for ``user``."""
    partnerships = list(SectorPartnership.objects.prefetch_related("employers"))
    data = _actuals(partnerships)
    reporting = actuals.reporting(data["events"])
    chosen = policy([*SOURCES, *reporting], user)
    pipeline = {(r["partnership"], r["employer"]): r for r in data["pipeline"]}
    cards = [_card(sp, pipeline, data, reporting, chosen, charts) for sp in partnerships]
    _audit(user, chosen, "overview", len(cards))
    return {"partnerships": cards, "threshold": chosen.min_n if chosen else None}


def _card(
    sp: SectorPartnership, pipeline: dict[Any, Any], data: dict[str, Any],
    reporting: set[str], chosen: Policy | None, charts: bool,
) -> dict[str, Any]:  # fmt: skip
    entry = sp.entry()
    employers = []
    for employer in sp.employers.all():
        row = pipeline.get((sp.slug, employer.slug))
        stages = figures.protected_pipeline(row, chosen) if row else []
        promises = [c for c in entry.commitments if c.employer == employer.slug]
        employers.append({
            "partner": employer, "stages": stages,
            "commitments": [commitment_row(c, row, stages, data["events"], chosen)
                            for c in promises],
            "trends": [_trend(c, sp.slug, data, chosen, charts) for c in promises],
            **engagement_for(employer),
        })  # fmt: skip
    features = teeth.check(entry, reporting)
    return {"partnership": sp, "teeth": features, "employers": employers,
            "passes": all(f.passed for f in features)}  # fmt: skip


def commitment_row(
    c: Any, row: Any, stages: list[figures.Stage], events: list[dict[str, Any]], chosen: Any
) -> dict[str, Any]:
    """A commitment's overall row: target, actual and status as ``chosen`` lets them be shown."""
    got = status.against(c, row, _years(events, c.employer))
    target, actual, kept = figures.protected_commitment(got, chosen, bool(c.per_completer))
    state, conversion = figures.shown_status(kept, got.conversion, actual, stages)
    return {
        "commitment": c, "basis": got.basis, "status": state, "conversion": conversion,
        "target": target, "actual": actual,
    }  # fmt: skip


def _employer_data(partnerships: list[SectorPartnership], living_wage: float) -> dict[str, Any]:
    store = warehouse()
    with store.engine() as engine:
        if "crosswalk" not in store.derived():
            engine.run(actuals.NO_CROSSWALK_SQL, label="no crosswalk yet")
        scopes = [_scope(sp) for sp in partnerships]
        return {
            "pipeline": actuals.pipeline(engine, scopes) if scopes else [],
            "hires": hiring.hires(engine, scopes, living_wage) if scopes else [],
            "currency": hiring.currency(engine),
        }


def _trend(
    c: Any, partnership: str, data: dict[str, Any], chosen: Policy | None, charts: bool
) -> dict[str, Any]:
    """One commitment against its actual in each program year, with a small chart."""
    completers = {r["year"]: r for r in data["completers"]
                  if (r["partnership"], r["employer"]) == (partnership, c.employer)}  # fmt: skip
    got = status.trend(c, completers, _years(data["events"], c.employer))
    years = figures.protected_trend(got, chosen, people_target=bool(c.per_completer))
    title = f"{c.employer}: {c.kind} per program year"
    shown = charts and any(y.actual_value is not None for y in years)
    return {"commitment": c, "years": years,
            "chart": svg(figures.trend_chart(years, title)) if shown else ""}  # fmt: skip


def employer_page(employer: Partner, user: Any) -> dict[str, Any]:
    """An employer's own pipeline in each of its sector partnerships, its wages at hire against
    the living wage, days to hire and retention, and how current the data are — protected for
    ``user`` — with the pain points and engagement stage the backbone recorded."""
    partnerships = list(SectorPartnership.objects.filter(employers=employer))
    living_wage = Partnership.settings().get("living_wage_hourly", DEFAULT_LIVING_WAGE)
    data = _employer_data(partnerships, living_wage)
    chosen = policy([*SOURCES, employer.slug], user)
    hires = {r["partnership"]: r for r in data["hires"] if r["employer"] == employer.slug}
    names = {sp.slug: sp.name for sp in partnerships}
    pipelines = [
        {"partnership": names[r["partnership"]], "stages": figures.protected_pipeline(r, chosen),
         "hiring": figures.protected_hiring(hires.get(r["partnership"]), r, chosen)}
        for r in data["pipeline"] if r["employer"] == employer.slug
    ]  # fmt: skip
    _audit(user, chosen, employer.slug, len(pipelines))
    return {
        "employer": employer, "pipelines": pipelines, "living_wage": living_wage,
        "current": _current(data["currency"], employer.slug),
        "threshold": chosen.min_n if chosen else None, **engagement_for(employer),
    }  # fmt: skip


def _current(rows: list[dict[str, Any]], employer: str) -> list[dict[str, Any]]:
    """Each source's date and age, with the time its latest file was loaded."""
    found = hiring.current_for(rows, employer, timezone.localdate())
    return [{"source": c, "loaded": _loaded(c.source, employer)} for c in found]


def _loaded(table: str, employer: str) -> Any:
    ids = {f.submission_id for f in warehouse().files_of(table)}
    if table == "employer_event":
        return Submission.objects.filter(pk__in=ids, partner__slug=employer).aggregate(
            latest=Max("finished_at"))["latest"]  # fmt: skip
    return Submission.objects.filter(pk__in=ids).aggregate(latest=Max("finished_at"))["latest"]


def _audit(user: Any, chosen: Policy | None, what: str, shown: int) -> None:
    if chosen is None:  # exact counts of people: a person-level read
        record(user, "read", AUDIT_OBJECT, what, "exact workforce pipeline", {"figures": shown})


MANAGE_ENGAGEMENT = "workforce.manage_employer_engagement"


def engagement_for(employer: Partner) -> dict[str, Any]:
    """The employer's pain points and its engagement stages, the latest first (its history)."""
    stages = list(EngagementStage.objects.filter(employer=employer))
    return {
        "pain_points": list(PainPoint.objects.filter(employer=employer)),
        "stage": stages[0] if stages else None, "stage_history": stages,
    }  # fmt: skip


def record_pain_point(user: Any, employer: Partner, **fields: Any) -> PainPoint:
    """Save a pain point for ``employer``, recorded by ``user``, in the audit log too."""
    point = PainPoint.objects.create(employer=employer, recorded_by=user, **fields)
    record(user, "create", "workforce.painpoint", point.pk, "employer engagement",
           {"employer": employer.slug, "category": point.category})  # fmt: skip
    return point


def record_stage(user: Any, employer: Partner, **fields: Any) -> EngagementStage:
    """Save ``employer``'s engagement stage from a date on (a new row: the history stays)."""
    stage = EngagementStage.objects.create(employer=employer, recorded_by=user, **fields)
    detail = {"employer": employer.slug, "stage": stage.stage, "since": str(stage.since)}
    record(user, "create", "workforce.engagementstage", stage.pk, "employer engagement", detail)
    return stage
