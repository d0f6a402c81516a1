"""Registry pages: the partnership home, a page per partner and per governance body. Apps above
the registry add their parts to the home and partner pages (``pages``). The help pages show the
user guides (``handbook``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from backbone.partnership import handbook, pages, services
from backbone.partnership import models as m

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
    context: dict[str, Any] = {
        "sectors": services.partners_by_sector(),
        "bodies": bodies,
        "roles": m.RoleAssignment.objects.select_related("person", "partner"),
        "outcomes": m.SharedOutcome.objects.prefetch_related("sector_goals"),
        "counts": services.registry_counts(),
    }
    parts, extra = pages.parts_of("home", user=request.user)
    attention = pages.attention_for(request.user, timezone.localdate())
    context.update(extra, parts=parts, attention=attention)
    return render(request, "partnership/home.html", context)


@registry_page
def partner_detail(request: HttpRequest, slug: str) -> HttpResponse:
    partner = get_object_or_404(m.Partner, slug=slug)
    context: dict[str, Any] = {
        "partner": partner,
        "people": partner.people.all(),
        "seats": partner.seats.select_related("body", "person"),
        "roles": partner.roles.select_related("person"),
    }
    parts, extra = pages.parts_of("partner", partner)
    context.update(extra, parts=parts)
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


def help_index(request: HttpRequest) -> HttpResponse:
    """The user guides, open to anyone: they are the project's public documentation."""
    return render(request, "partnership/help_index.html", {"guides": handbook.guides()})


def help_page(request: HttpRequest, name: str) -> HttpResponse:
    try:
        title, body = handbook.guide(name)
    except handbook.NoSuchGuide:
        raise Http404(f"No guide called {name}.") from None
    return render(request, "partnership/help_page.html", {"title": title, "body": body})
