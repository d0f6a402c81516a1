"""Evidence pages: the studies with their latest estimate, and one study in full."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from backbone.evidence import services
from backbone.evidence.models import Study


@login_required
@permission_required(services.VIEW, raise_exception=True)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "evidence/index.html", {"rows": services.listing()})


@login_required
@permission_required(services.VIEW, raise_exception=True)
def study(request: HttpRequest, slug: str) -> HttpResponse:
    found = get_object_or_404(Study, slug=slug)
    return render(request, "evidence/study.html", services.study_page(found, request.user))
