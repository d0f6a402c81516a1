"""Submission pages: the list, the upload page, a submission's report, the calendar."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from backbone.governance.services import record
from backbone.governance.views import second_factor_for_stewards
from backbone.intake import services, tasks, uploads
from backbone.intake.forms import UploadForm
from backbone.intake.models import Submission
from backbone.partnership.pages import Attention, PagePart

PURPOSE = "checking a submitted file"  # recorded in the audit log


def intake_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Signed-in users who may send or oversee submissions; others get 403."""

    def check(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        if not (request.user.has_perm(services.SUBMIT) or request.user.has_perm(services.VIEW_ALL)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(check)


@intake_page
def submission_list(request: HttpRequest) -> HttpResponse:
    submissions = services.visible_submissions(request.user)
    status = request.GET.get("status", "")
    if status:
        submissions = submissions.filter(status=status)
    context = {
        "submissions": submissions[:200],
        "status": status,
        "statuses": Submission.Status.choices,
    }
    return render(request, "intake/submission_list.html", context)


@intake_page
def upload(request: HttpRequest) -> HttpResponse:
    """What the user may send (partner, contract, agreement, schedule, columns), then the form
    for one of them: chosen by ``?send=partner:contract``, or the only one there is."""
    sendables = uploads.sendable(request.user)
    chosen = _chosen(request, sendables)
    partners = services.submittable_partners(request.user)
    form = UploadForm(
        request.POST or None, request.FILES or None, partners=partners, sendables=sendables,
        chosen=chosen,
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = tasks.queue_upload(
            data["file"], data["partner"], data["contract"], data["period"], request.user,
            form.unconfirmed,
        )  # fmt: skip
        if outcome is None:
            form.ask_to_replace()
        else:
            return _queued(request, outcome)
    context = {"form": form, "sendables": sendables, "chosen": chosen}
    return render(request, "intake/upload.html", context, status=400 if form.errors else 200)


def _queued(request: HttpRequest, outcome: services.Outcome) -> HttpResponse:
    url = outcome.submission.get_absolute_url() + ("?duplicate=1" if outcome.duplicate else "")
    if request.headers.get("x-requested-with") == "XMLHttpRequest":
        return JsonResponse({"url": url, "status": outcome.submission.status})
    return redirect(url)


def _chosen(request: HttpRequest, sendables: list[uploads.Sendable]) -> uploads.Sendable | None:
    by_key = {s.key: s for s in sendables}
    if request.method == "POST":
        partner = next(
            (s.partner for s in sendables if str(s.partner.pk) == request.POST.get("partner")),
            None,
        )
        key = f"{partner.slug}:{request.POST.get('contract')}" if partner else ""
        return by_key.get(key)
    if len(sendables) == 1:
        return sendables[0]
    return by_key.get(request.GET.get("send", ""))


@intake_page
@second_factor_for_stewards
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(services.visible_submissions(request.user), pk=pk)
    problems = services.read_report(submission)[:500]  # they quote the file's cells
    record(request.user, "read", "intake.submission", pk, PURPOSE, {"problems": len(problems)})
    context = {
        "submission": submission,
        "problems": problems,
        "duplicate": request.GET.get("duplicate") == "1",
        "replaced": services.visible_submissions(request.user).filter(superseded_by=submission),
        "history": services.visible_submissions(request.user).filter(
            partner=submission.partner, contract=submission.contract, period=submission.period
        ),
    }
    return render(request, "intake/submission_detail.html", context)


@intake_page
@second_factor_for_stewards
def submission_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """Status and progress of a load, for the page's progress bar: no values from the file."""
    submission = get_object_or_404(services.visible_submissions(request.user), pk=pk)
    return JsonResponse(
        {
            "status": submission.status,
            "label": submission.get_status_display(),
            "in_progress": submission.in_progress,
            **submission.progress,
        }
    )


@intake_page
@second_factor_for_stewards
def report_csv(request: HttpRequest, pk: int) -> FileResponse:
    submission = get_object_or_404(services.visible_submissions(request.user), pk=pk)
    if not submission.report_path:
        raise PermissionDenied("This submission has no problems to report.")
    path = services.report_file(submission)
    record(request.user, "export", "intake.submission", pk, PURPOSE, {"file": "report.csv"})
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"submission-{pk}-report.csv")


@intake_page
def calendar(request: HttpRequest) -> HttpResponse:
    rows = services.submission_calendar(request.user)
    return render(
        request, "intake/calendar.html", {"rows": rows, "late": sum(r["late"] for r in rows)}
    )


# The home page's parts (added in ``IntakeConfig.ready``): the partnership app sits below intake.


def _desk(_: object, user: User) -> dict[str, object]:
    return services.partner_desk(user, timezone.localdate())


HOME_PARTS = (PagePart("home", "overview", "intake/home_desk.html", _desk, for_user=True),)
HOME_ATTENTION = (
    Attention(
        "late_files",
        "files late",
        (services.SUBMIT, services.VIEW_ALL),
        "intake:calendar",
        services.late_file_count,
        singular="file late",
    ),
    Attention(
        "problem_uploads",
        f"uploads rejected or refused in the last {services.PROBLEM_DAYS} days",
        (services.SUBMIT, services.VIEW_ALL),
        "intake:submission_list",
        lambda user, today: services.recent_problems(user, today).count(),
        singular=f"upload rejected or refused in the last {services.PROBLEM_DAYS} days",
    ),
)
