"""Registry pages: the partnership home, a page per partner, governance body and agreement."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render

from backbone.partnership import models as m
from backbone.partnership import services
from backbone.partnership.publication import rule_of

VIEW_REGISTRY = "partnership.view_registry"


def registry_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Anonymous visitors go to the login page; signed-in users without the permission get 403."""
    return login_required(permission_required(VIEW_REGISTRY, raise_exception=True)(view))


@registry_page
def home(request: HttpRequest) -> HttpResponse:
    bodies = sorted(
        m.GovernanceBody.objects.prefetch_related("memberships__person", "outcomes"),
        key=lambda body: (body.kind_rank, body.name),
    )
    context = {
        "sectors": services.partners_by_sector(),
        "bodies": bodies,
        "roles": m.RoleAssignment.objects.select_related("person", "partner"),
        "agreements": m.Agreement.objects.prefetch_related("parties__partner"),
        "expiring": services.expiring_agreements(),
        "outcomes": m.SharedOutcome.objects.prefetch_related("sector_goals"),
        "counts": services.registry_counts(),
    }
    return render(request, "partnership/home.html", context)


@registry_page
def partner_detail(request: HttpRequest, slug: str) -> HttpResponse:
    partner = get_object_or_404(m.Partner, slug=slug)
    context = {
        "partner": partner,
        "people": partner.people.all(),
        "seats": partner.seats.select_related("body", "person"),
        "roles": partner.roles.select_related("person"),
        "agreements": m.Agreement.objects.filter(parties__partner=partner).distinct(),
        "parties": partner.agreement_parties.select_related("agreement"),
    }
    return render(request, "partnership/partner_detail.html", context)


@registry_page
def body_detail(request: HttpRequest, slug: str) -> HttpResponse:
    body = get_object_or_404(m.GovernanceBody.objects.select_related("reports_to"), slug=slug)
    memberships = sorted(
        body.memberships.select_related("person", "representing"),
        key=lambda ms: (not ms.is_current(), ms.role_rank, ms.person.name),  # current seats first
    )
    context = {
        "body": body,
        "memberships": memberships,
        "outcomes": body.outcomes.all(),
        "sub_bodies": body.sub_bodies.all(),
    }
    return render(request, "partnership/body_detail.html", context)


@registry_page
def agreement_detail(request: HttpRequest, slug: str) -> HttpResponse:
    agreement = get_object_or_404(m.Agreement.objects.select_related("discloser"), slug=slug)
    context = {
        "agreement": agreement,
        "parties": agreement.parties.select_related("partner"),
        "elements": services.data_elements(agreement),
        "certificates": agreement.destruction_certificates.all(),
        "rule": rule_of(agreement),
    }
    return render(request, "partnership/agreement_detail.html", context)


@registry_page
def agreement_document(request: HttpRequest, slug: str) -> FileResponse:
    agreement = get_object_or_404(m.Agreement, slug=slug)
    if not agreement.document:
        raise Http404("This agreement has no signed document on file.")
    return FileResponse(agreement.document.open("rb"), as_attachment=True)
