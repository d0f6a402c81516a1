"""The API's door into intake: submissions, their status and their validation reports.

Scoped exactly as the submission pages are (``services.visible_submissions``): a partner's staff
see their own partner's submissions, data staff every partner's; another partner's submission
answers 404. A report quotes the file's cells, so reading it is audited as the page is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from backbone.governance.api import person_level
from backbone.governance.services import record
from backbone.intake import services
from backbone.intake.models import Submission

PURPOSE = "checking a submitted file"  # as the submission page records it
MAX_ID = 2**63 - 1  # the largest id the database holds; beyond it is a 422, not a crash

router = Router(tags=["submissions"])


def intake_caller(request: HttpRequest) -> None:
    """403 unless the caller may send or oversee submissions, as on the pages."""
    user = request.user
    if not (user.has_perm(services.SUBMIT) or user.has_perm(services.VIEW_ALL)):
        raise HttpError(403, f"you need {services.SUBMIT} or {services.VIEW_ALL}")


class SubmissionOut(Schema):
    id: int
    partner: str = Field(description="The submitting partner's slug.")
    contract: str
    period: str
    original_name: str
    status: Submission.Status
    received_at: dt.datetime
    finished_at: dt.datetime | None
    total_rows: int
    error_count: int
    warning_count: int


class SubmissionDetailOut(SubmissionOut):
    rows: dict[str, int] = Field(description="Rows loaded per table.")
    message: str
    problems: list[dict[str, Any]] = Field(
        description="Counts per severity, rule and field; the values are in the report."
    )
    superseded_by: int | None
    agreement: str | None = Field(description="The data-sharing agreement that admitted it.")
    has_report: bool


class SubmissionPage(Schema):
    count: int
    items: list[SubmissionOut]


class ProblemOut(Schema):
    severity: str
    file: str
    row: int | None
    field: str
    value: str
    rule: str
    message: str


class ReportOut(Schema):
    submission: int
    count: int
    problems: list[ProblemOut]


class ListQuery(Schema):
    status: Submission.Status | None = None
    offset: int = Field(0, ge=0, le=10_000_000)
    limit: int = Field(100, ge=1, le=500)


def _summary(submission: Submission) -> dict[str, Any]:
    fields = ("id", "contract", "period", "original_name", "status", "received_at")
    more = ("finished_at", "total_rows", "error_count", "warning_count")
    values = {name: getattr(submission, name) for name in (*fields, *more)}
    return values | {"partner": submission.partner.slug}


@router.get("/submissions", response=SubmissionPage, url_name="submission_list")
def submission_list(request: HttpRequest, query: Query[ListQuery]) -> dict[str, Any]:
    """The submissions the caller may see, newest first."""
    intake_caller(request)
    submissions = services.visible_submissions(request.user)
    if query.status:
        submissions = submissions.filter(status=query.status)
    page = submissions[query.offset : query.offset + query.limit]
    return {"count": submissions.count(), "items": [_summary(s) for s in page]}


def _visible(request: HttpRequest, submission_id: int) -> Submission:
    intake_caller(request)
    return get_object_or_404(services.visible_submissions(request.user), pk=submission_id)


@router.get(
    "/submissions/{submission_id}", response=SubmissionDetailOut, url_name="submission_detail"
)
def submission_detail(
    request: HttpRequest, submission_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """One submission: its status, counts and the kinds of problem found (no values)."""
    submission = _visible(request, submission_id)
    return _summary(submission) | {
        "rows": submission.rows,
        "message": submission.message,
        "problems": submission.problem_summary,
        "superseded_by": submission.superseded_by_id,
        "agreement": submission.agreement.slug if submission.agreement else None,
        "has_report": bool(submission.report_path),
    }


@router.get("/submissions/{submission_id}/report", response=ReportOut, url_name="submission_report")
def submission_report(
    request: HttpRequest,
    submission_id: int = Path(..., ge=1, le=MAX_ID),
    offset: int = Query(0, ge=0, le=10_000_000),
    limit: int = Query(500, ge=1, le=5000),
) -> dict[str, Any]:
    """The validation report: every problem with its file, row, field and the value found.
    Audited, as it quotes the file."""
    submission = _visible(request, submission_id)
    person_level(request)
    problems = services.read_report(submission)
    chosen = problems[offset : offset + limit]
    detail = {"problems": len(chosen), "via": "api"}
    record(request.user, "read", "intake.submission", submission.pk, PURPOSE, detail)
    rows = [p | {"row": int(p["row"]) if p["row"] else None} for p in chosen]
    return {"submission": submission.pk, "count": len(problems), "problems": rows}
