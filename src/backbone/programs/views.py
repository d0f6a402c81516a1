"""Program pages: the inventory with the outcomes × programs map, and one program's months."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from backbone.programs import services

VIEW = "partnership.view_registry"


@login_required
@permission_required(VIEW, raise_exception=True)
def program_list(request: HttpRequest) -> HttpResponse:
    context = services.inventory(request.user)
    return render(request, "programs/program_list.html", context)


@login_required
def program_detail(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_object_or_404(services.programs(), slug=slug)
    if not services.may_view(request.user, program):
        raise PermissionDenied
    context = services.program_page(program, request.user)
    return render(request, "programs/program_detail.html", context)
