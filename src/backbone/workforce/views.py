"""Workforce pages: the sector partnerships for staff, an employer's own pipeline, and the
staff form for an employer's pain points and engagement stage."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from backbone.partnership.models import Partner
from backbone.workforce import services
from backbone.workforce.forms import EngagementStageForm, PainPointForm


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


FORMS = {"pain": PainPointForm, "stage": EngagementStageForm}


@login_required
@permission_required(services.MANAGE_ENGAGEMENT, raise_exception=True)
def engagement(request: HttpRequest, slug: str) -> HttpResponse:
    """Record a pain point or a new engagement stage for the employer ``slug``."""
    partner = get_object_or_404(Partner, slug=slug)
    chosen = request.POST.get("form") if request.method == "POST" else None
    bound = {k: f(request.POST if k == chosen else None) for k, f in FORMS.items()}
    if chosen in FORMS and bound[chosen].is_valid():
        save = services.record_pain_point if chosen == "pain" else services.record_stage
        save(request.user, partner, **bound[chosen].cleaned_data)
        return redirect("workforce:engagement", slug=slug)
    context = {"employer": partner, "forms": bound, **services.engagement_for(partner)}
    return render(request, "workforce/engagement.html", context)
