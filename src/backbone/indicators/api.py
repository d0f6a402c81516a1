"""The indicator editor's JSON door: ``POST /indicators/check`` (django-ninja); and the
indicators' router in the token API (``/api/v1/``, docs/api.md): the list, each one's latest
aggregate results, and the same check.

It takes a definition (the JSON of ``IndicatorDefinition``), and answers with every problem,
each named by the editor's form field with its line, column and token, and — when there are
none — a preview: the compiled SQL and the overall numbers of the latest two periods, computed
on the warehouse with DuckDB. Only counts leave the warehouse, never a person's row, and a
period whose numerator, denominator or complement is under the minimum cell size is refused
whoever asks (``protection.preview_refusal``). Results reach the API through the same gate as
the pages (``services.gated_results``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Body, NinjaAPI, Path, Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from backbone.indicators import engines, protection, services
from backbone.indicators.definitions import OVERALL, IndicatorDefinition, compile_sql
from backbone.indicators.expressions import Problem
from backbone.indicators.forms import definition_problems
from backbone.indicators.models import Indicator
from backbone.warehouse.engines import WarehouseError
from backbone.warehouse.services import warehouse

EDIT = "indicators.edit_indicators"
VIEW = "partnership.view_registry"  # as the indicator pages
SLUG = r"^[-a-zA-Z0-9_]+$"
PREVIEW_PERIODS = 2

# The session cookie signs requests in, so ninja checks the CSRF token as a form post would.
# No Swagger page: it loads its script from a CDN. The schema is at /indicators/openapi.json.
api = NinjaAPI(
    title="backbone indicators",
    urls_namespace="indicators_api",
    auth=django_auth,
    docs_url=None,
)


class ProblemOut(Schema):
    field: str
    message: str
    line: int | None = None
    column: int | None = None
    token: str | None = None


class PeriodOut(Schema):
    period: str
    numerator: int
    denominator: int
    value: float | None


class WithheldOut(Schema):
    period: str
    reason: str


class PreviewOut(Schema):
    sql: str
    periods: list[PeriodOut]
    withheld: list[WithheldOut] = []
    refusal: str | None = None
    error: str | None = None


class CheckOut(Schema):
    valid: bool
    problems: list[ProblemOut]
    preview: PreviewOut | None = None


@api.post("/check", response=CheckOut, url_name="check_definition")
def check(request: HttpRequest, definition: Body[dict[str, Any]]) -> dict[str, Any]:
    """Check a definition as the editor's form would, and preview its latest numbers."""
    if not request.user.has_perm(EDIT):
        raise HttpError(403, "you need the indicators.edit_indicators permission")
    checked, problems = definition_problems(definition)
    if checked is None:
        return {"valid": False, "problems": [_problem_out(p) for p in problems]}
    threshold = services.policy_for(_as_indicator(checked)).min_n
    return {"valid": True, "problems": [], "preview": preview(checked, threshold)}


def _as_indicator(definition: IndicatorDefinition) -> Indicator:
    """The indicator as it would be saved (unsaved): the policy follows the tables the checked
    definition reads and the saved indicator's own minimum, if there is one."""
    indicator = Indicator.objects.filter(slug=definition.slug).first()
    indicator = indicator or Indicator(slug=definition.slug, unit=definition.unit)
    indicator.definition = definition.model_dump(mode="json")
    return indicator


router = Router(tags=["indicators"])
router.post("/indicators/check", response=CheckOut, url_name="check_definition")(check)


class IndicatorOut(Schema):
    slug: str
    name: str
    plain_definition: str
    outcome: str | None
    level: str
    category: str
    unit: str
    period_type: str
    higher_is_better: bool
    version: int
    active: bool


class ResultOut(Schema):
    period: str
    dimension: str
    group: str
    numerator: int | None
    denominator: int | None
    value: float | None
    display: str
    marker: str
    rule: str
    definition_version: int
    complete: bool
    data_through: dt.date | None


def _registry_reader(request: HttpRequest) -> None:
    if not request.user.has_perm(VIEW):
        raise HttpError(403, f"you need the {VIEW} permission")


def _indicator_out(indicator: Indicator) -> dict[str, Any]:
    names = [name for name in IndicatorOut.model_fields if name != "outcome"]
    values = {name: getattr(indicator, name) for name in names}
    return values | {"outcome": indicator.outcome.slug if indicator.outcome else None}


@router.get("/indicators", response=list[IndicatorOut], url_name="indicator_list")
def indicator_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Every indicator, active or not, by name."""
    _registry_reader(request)
    return [_indicator_out(i) for i in Indicator.objects.select_related("outcome")]


@router.get("/indicators/{slug}/results", response=list[ResultOut], url_name="indicator_results")
def indicator_results(
    request: HttpRequest,
    slug: str = Path(..., max_length=80, pattern=SLUG, examples=["chronic_absence"]),
) -> list[dict[str, Any]]:
    """The latest computed results, overall and by group: counts of persons only, protected as
    on the public scorecard unless the reader may see exact values (and is then audited)."""
    _registry_reader(request)
    indicator = get_object_or_404(Indicator, slug=slug)
    gated = services.gated_results(indicator, request.user, "api")
    return [
        {"period": s.period, "dimension": s.dimension, "group": s.group,
         "numerator": s.numerator, "denominator": s.denominator, "value": s.value,
         "display": s.display, "marker": s.marker, "rule": s.rule,
         "definition_version": gated.definition_version, "complete": s.complete,
         "data_through": s.data_through}
        for s in gated.rows
    ]  # fmt: skip


def _problem_out(problem: Problem) -> dict[str, Any]:
    return {
        "field": problem.field,
        "message": problem.message,
        "line": problem.line,
        "column": problem.col,
        "token": problem.token,
    }


def preview(definition: IndicatorDefinition, threshold: int) -> dict[str, Any]:
    """The compiled SQL, and the overall numerator, denominator and value of the latest
    ``PREVIEW_PERIODS`` periods. Groups are left out of the computation: the overall numbers do
    not depend on them, and a preview runs at every pause in typing. A period whose numerator,
    denominator or complement is under ``threshold`` is withheld with the reason, for every
    reader: a definition can single out one person."""
    sql = compile_sql(definition, "duckdb")
    overall_only = definition.model_copy(update={"dimensions": ()})
    try:
        [rows] = engines.compute(warehouse(), [overall_only], "duckdb")
    except WarehouseError as error:  # e.g. a text compared with a number: said at run time
        return {"sql": sql, "periods": [], "error": error.detail}
    overall = sorted((r for r in rows if r["dimension"] == OVERALL), key=_period_order)
    shown: list[dict[str, Any]] = []
    withheld: list[dict[str, str]] = []
    for row in overall[-PREVIEW_PERIODS:]:
        reason = protection.preview_refusal(
            row["numerator"], row["denominator"], threshold, definition.unit
        )
        if reason:
            withheld.append({"period": row["period"], "reason": reason})
        else:
            shown.append(row)
    return {"sql": sql, "periods": shown, "withheld": withheld,
            "refusal": _refusal(withheld, threshold)}  # fmt: skip


def _refusal(withheld: list[dict[str, str]], threshold: int) -> str | None:
    """What the editor says about withheld periods: each period and rule, and the threshold."""
    if not withheld:
        return None
    said = "; ".join(f"in {w['period']} {w['reason']}" for w in withheld)
    return (
        f"Not shown: {said}. The preview never shows a count under the minimum cell size "
        f"({threshold}: the strictest of the setting, the indicator's own minimum and the "
        "data-sharing agreements behind its data), whoever asks."
    )


def _period_order(row: dict[str, Any]) -> tuple[int, str]:
    return len(row["period"]), row["period"]  # so that year 10 follows year 9
