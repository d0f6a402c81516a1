"""Data stewards' pages: the audit log and its CSV export; the second-factor page; the gate
that sends stewards to it before person-level pages. Everyone's API tokens page, a partner
analyst's page of their participants' outcomes, and each agreement's page with its signed copy
(whose parts on the registry's home and partner pages are in ``registry_parts``)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from backbone.governance import auditing, services
from backbone.governance.forms import ApiTokenForm, AuditFilterForm, OutcomesForm, TokenForm
from backbone.governance.models import Agreement
from backbone.governance.publication import rule_of
from backbone.partnership.pages import Attention, PagePart
from backbone.partnership.views import registry_page

VIEW_AUDIT = "governance.view_auditevent"
PAGE_SIZE = 50

View = Callable[..., HttpResponseBase]


def second_factor_for_stewards(view: View) -> View:
    """With ``BACKBONE_REQUIRE_OTP_FOR_STEWARDS`` on, send a steward who has not verified a
    TOTP device in this session to the second-factor page first. Put it under
    ``login_required``."""

    @functools.wraps(view)
    def gate(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        if services.needs_second_factor(request.user):
            url = reverse("governance:second_factor")
            return redirect_to_login(request.get_full_path(), url)
        return view(request, *args, **kwargs)

    return gate


def steward_page(view: View) -> View:
    """Signed in, holding the audit permission (403 otherwise), and past the second factor."""
    gated = second_factor_for_stewards(view)
    return login_required(permission_required(VIEW_AUDIT, raise_exception=True)(gated))


@steward_page
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    events = services.filtered_events(**form.filters())
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    checked = auditing.verify_incrementally()  # closes ended sign-in windows first
    context = {
        "form": form, "page": page, "chain": checked.result, "checked": checked,
        "counting": auditing.open_sign_in_windows(),
    }  # fmt: skip
    return render(request, "governance/audit_log.html", context)


@steward_page
def audit_csv(request: HttpRequest) -> HttpResponse:
    filters = AuditFilterForm(request.GET or None).filters()
    events = services.filtered_events(**filters)
    detail = {"filters": {k: str(v) for k, v in filters.items()}, "rows": events.count()}
    services.record(request.user, "export", "governance.auditevent", "", "audit log export", detail)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    # Oldest first, like `backbone audit export`: a complete export verifies on its own.
    services.write_csv(events.order_by("sequence").iterator(chunk_size=2000), response)
    return response


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    device = services.confirmed_device(request.user)
    enrolling = device is None
    device = device or services.enrolment_device(request.user)
    form = TokenForm(request.POST or None)
    if form.is_valid():
        if services.check_token(request, device, form.cleaned_data["token"]):
            return redirect(_next_url(request))
        form.add_error("token", "That code is not right, or has expired. Try the current one.")
    context = {"form": form, "enrolling": enrolling, "device": device, "next": _next_url(request)}
    if enrolling:
        context |= {"uri": device.config_url, "secret": services.secret_text(device)}
    status = 400 if form.errors else 200
    return render(request, "governance/second_factor.html", context, status=status)


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if safe else reverse("partnership:home")


@login_required
@second_factor_for_stewards  # a token acts without the second factor: mint it after one
def api_tokens(request: HttpRequest) -> HttpResponse:
    """List the user's own tokens; a post makes one and shows it, this once."""
    form = ApiTokenForm(request.POST or None)
    made = None
    if request.method == "POST" and form.is_valid():
        made = services.create_token(request.user, form.cleaned_data["name"])
        form = ApiTokenForm()
    context = {"form": form, "made": made, "tokens": services.tokens_of(request.user)}
    status = 400 if form.errors else 200
    return render(request, "governance/api_tokens.html", context, status=status)


@require_POST
@login_required
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = services.revoke_token(request.user, pk)
    if token is None:
        raise Http404("You have no such token, or it is already revoked.")
    messages.success(request, f"Revoked the token “{token.name}”: it no longer signs anyone in.")
    return redirect("governance:api_tokens")


@login_required
@permission_required(services.VIEW_OUTCOMES, raise_exception=True)
def participant_outcomes(request: HttpRequest) -> HttpResponse:
    form = OutcomesForm(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    number = chosen.get("page") or 1
    try:
        found = services.participant_outcomes(
            request.user, chosen.get("purpose") or None, (number - 1) * PAGE_SIZE, PAGE_SIZE
        )
    except services.OutcomesRefused as refusal:  # 403, saying what is missing
        context = {"form": form, "refusal": str(refusal)}
        return render(request, "governance/participant_outcomes.html", context, status=403)
    more = found.total > number * PAGE_SIZE
    context = {"form": form, "found": found, "page": number, "more": more}
    return render(request, "governance/participant_outcomes.html", context)


# Agreements --------------------------------------------------------------------------------------


@registry_page
def agreement_list(request: HttpRequest) -> HttpResponse:
    """Every agreement, after those ending soon and those whose data must be destroyed soon:
    the home page's attention items open here, which needs no admin (staff) account."""
    today = timezone.localdate()
    context = {
        "expiring": services.expiring_agreements(),
        "deadlines": services.destruction_deadlines_due(today).order_by("destruction_deadline"),
        "agreements": Agreement.objects.prefetch_related("parties__partner"),
    }
    return render(request, "governance/agreement_list.html", context)


@registry_page
def agreement_detail(request: HttpRequest, slug: str) -> HttpResponse:
    agreement = get_object_or_404(Agreement.objects.select_related("discloser"), slug=slug)
    context = {
        "agreement": agreement,
        "parties": agreement.parties.select_related("partner"),
        "elements": services.data_elements(agreement),
        "certificates": agreement.destruction_certificates.all(),
        "rule": rule_of(agreement),
    }
    return render(request, "governance/agreement_detail.html", context)


@registry_page
def agreement_document(request: HttpRequest, slug: str) -> FileResponse:
    agreement = get_object_or_404(Agreement, slug=slug)
    if not agreement.document:
        raise Http404("This agreement has no signed document on file.")
    return FileResponse(agreement.document.open("rb"), as_attachment=True)


def _agreement_count(_: object) -> dict[str, object]:
    return {"agreement_count": services.agreement_count()}


def _expiring(_: object) -> dict[str, object]:
    return {"expiring": services.expiring_agreements()}


def _agreements(_: object) -> dict[str, object]:
    return {"agreements": Agreement.objects.prefetch_related("parties__partner")}


def _partner_agreements(partner: Any) -> dict[str, object]:
    return {"parties": partner.agreement_parties.select_related("agreement")}


# Added to the registry's pages in ``GovernanceConfig.ready``, in the places they always had.
REGISTRY_PARTS = (
    PagePart("home", "stats", "governance/home_count.html", _agreement_count),
    PagePart("home", "notices", "governance/home_expiring.html", _expiring),
    PagePart("home", "sections", "governance/home_agreements.html", _agreements),
    PagePart("partner", "sections", "governance/partner_agreements.html", _partner_agreements),
)
HOME_ATTENTION = (
    Attention(
        "expiring_agreements",
        "agreements ending within 90 days",
        ("governance.view_agreement",),
        "governance:agreement_list",
        lambda _, today: services.expiring_count(today),
        singular="agreement ending within 90 days",
    ),
    Attention(
        "destruction_deadlines",
        "destruction deadlines within 90 days or past, not yet certified",
        ("governance.view_destructioncertificate",),
        "governance:agreement_list",
        lambda _, today: services.destruction_deadlines_due(today).count(),
        singular="destruction deadline within 90 days or past, not yet certified",
    ),
)
