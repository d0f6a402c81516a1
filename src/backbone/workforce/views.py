"""Workforce pages: the sector partnerships for staff, and an employer's own pipeline."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from backbone.partnership.models import Partner
from backbone.workforce import services


@login_required
@permission_required(services.VIEW_ALL, raise_exception=True)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "workforce/index.html", services.overview(request.user))


@login_required
def employer(request: HttpRequest, slug: str) -> HttpResponse:
    partner = get_object_or_404(Partner, slug=slug)
    if not services.may_view_employer(request.user, partner):
        raise PermissionDenied
    context = services.employer_page(partner, request.user)
    return render(request, "workforce/employer.html", context)
