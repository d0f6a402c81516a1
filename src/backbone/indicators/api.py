"""The indicator editor's JSON door: ``POST /indicators/check`` (django-ninja).

It takes a definition (the JSON of ``IndicatorDefinition``), and answers with every problem,
each named by the editor's form field with its line, column and token, and — when there are
none — a preview: the compiled SQL and the overall numbers of the latest two periods, computed
on the warehouse with DuckDB. Only counts leave the warehouse, never a person's row.
"""

from __future__ import annotations

from typing import Any

import duckdb
from django.http import HttpRequest
from ninja import Body, NinjaAPI, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from backbone.indicators import engines
from backbone.indicators.definitions import OVERALL, IndicatorDefinition, compile_sql
from backbone.indicators.expressions import Problem
from backbone.indicators.forms import definition_problems
from backbone.intake.services import warehouse

EDIT = "indicators.edit_indicators"
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


class PreviewOut(Schema):
    sql: str
    periods: list[PeriodOut]
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
    return {"valid": True, "problems": [], "preview": preview(checked)}


def _problem_out(problem: Problem) -> dict[str, Any]:
    return {
        "field": problem.field,
        "message": problem.message,
        "line": problem.line,
        "column": problem.col,
        "token": problem.token,
    }


def preview(definition: IndicatorDefinition) -> dict[str, Any]:
    """The compiled SQL, and the overall numerator, denominator and value of the latest
    ``PREVIEW_PERIODS`` periods. Groups are left out of the computation: the overall numbers do
    not depend on them, and a preview runs at every pause in typing."""
    sql = compile_sql(definition, "duckdb")
    overall_only = definition.model_copy(update={"dimensions": ()})
    try:
        [rows] = engines.compute(warehouse(), [overall_only], "duckdb")
    except duckdb.Error as error:  # e.g. a text compared with a number: DuckDB says at run time
        return {"sql": sql, "periods": [], "error": str(error).splitlines()[0]}
    overall = sorted((r for r in rows if r["dimension"] == OVERALL), key=_period_order)
    return {"sql": sql, "periods": overall[-PREVIEW_PERIODS:]}


def _period_order(row: dict[str, Any]) -> tuple[int, str]:
    return len(row["period"]), row["period"]  # so that year 10 follows year 9
