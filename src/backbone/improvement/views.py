"""The action networks' pages: the list, a network's page, and the forms that write to it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from backbone.improvement import forms, services
from backbone.improvement.models import NETWORK_KIND, ActionItem, PdsaCycle
from backbone.partnership.models import GovernanceBody
from backbone.partnership.pages import Attention

VIEW = services.VIEW
HOME_ATTENTION = (
    Attention(
        "overdue_actions",
        "network actions overdue",
        (services.WORK, services.MANAGE),  # reminders for those who act, not every reader
        "improvement:network_list",
        lambda user, today: services.overdue_actions(today),
    ),
)


def _network(slug: str) -> GovernanceBody:
    return get_object_or_404(GovernanceBody, slug=slug, kind=NETWORK_KIND)


def _writable(request: HttpRequest, slug: str) -> GovernanceBody:
    body = _network(slug)
    if not services.may_write(request.user, body):
        raise PermissionDenied("only the network's members and the backbone's staff write here")
    return body


@login_required
@permission_required(VIEW, raise_exception=True)
def network_list(request: HttpRequest) -> HttpResponse:
    context = services.network_list(request.user, timezone.localdate())
    return render(request, "improvement/network_list.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def network_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _detail(request, _network(slug))


def _detail(request: HttpRequest, body: GovernanceBody, **bound: BaseForm) -> HttpResponse:
    """The page, with the forms a writer sees (``bound`` ones carrying their errors)."""
    context = services.network_page(body, request.user, timezone.localdate())
    if context["may_write"]:
        context["action_form"] = bound.get("action_form") or forms.ActionForm(body=body)
        context["pdsa_form"] = bound.get("pdsa_form") or forms.PdsaForm(body=body)
        context["barrier_form"] = bound.get("barrier_form") or forms.BarrierForm(body=body)
        context["close_forms"] = _close_forms(context["cycles"], bound.get("close_form"))
    status = 400 if bound else 200
    return render(request, "improvement/network_detail.html", context, status=status)


def _close_forms(cycles: list[PdsaCycle], bound: Any) -> dict[int, BaseForm]:
    made: dict[int, BaseForm] = {
        c.pk: forms.PdsaCloseForm(instance=c, prefix=f"close-{c.pk}") for c in cycles if c.is_open
    }
    if bound is not None:
        made[bound.instance.pk] = bound
    return made


@login_required
@permission_required(VIEW, raise_exception=True)
def charter_edit(request: HttpRequest, slug: str) -> HttpResponse:
    body = _writable(request, slug)
    form = forms.CharterForm(request.POST if request.method == "POST" else None, body=body)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("improvement:network_detail", slug=body.slug)
    context = {"body": body, "form": form}
    status = 400 if form.is_bound else 200
    return render(request, "improvement/charter_form.html", context, status=status)


@require_POST
@login_required
@permission_required(VIEW, raise_exception=True)
def action_add(request: HttpRequest, slug: str) -> HttpResponse:
    body = _writable(request, slug)
    form = forms.ActionForm(request.POST, body=body)
    if not form.is_valid():
        return _detail(request, body, action_form=form)
    form.save()
    return redirect("improvement:network_detail", slug=body.slug)


@require_POST
@login_required
@permission_required(VIEW, raise_exception=True)
def action_update(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    body = _writable(request, slug)
    action = get_object_or_404(ActionItem, pk=pk, body=body)
    form = forms.ActionStatusForm(request.POST, instance=action)
    if form.is_valid():
        form.save()
    return redirect("improvement:network_detail", slug=body.slug)


@require_POST
@login_required
@permission_required(VIEW, raise_exception=True)
def pdsa_add(request: HttpRequest, slug: str) -> HttpResponse:
    body = _writable(request, slug)
    form = forms.PdsaForm(request.POST, body=body)
    if not form.is_valid():
        return _detail(request, body, pdsa_form=form)
    cycle = form.save(commit=False)
    cycle.number = services.next_cycle_number(body, cycle.change_idea)
    cycle.save()
    return redirect("improvement:network_detail", slug=body.slug)


@require_POST
@login_required
@permission_required(VIEW, raise_exception=True)
def pdsa_close(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    body = _writable(request, slug)
    cycle = get_object_or_404(PdsaCycle, pk=pk, body=body, decision="")
    form = forms.PdsaCloseForm(request.POST, instance=cycle, prefix=f"close-{cycle.pk}")
    if not form.is_valid():
        return _detail(request, body, close_form=form)
    form.save()
    return redirect("improvement:network_detail", slug=body.slug)


@require_POST
@login_required
@permission_required(VIEW, raise_exception=True)
def barrier_add(request: HttpRequest, slug: str) -> HttpResponse:
    body = _writable(request, slug)
    form = forms.BarrierForm(request.POST, body=body)
    if not form.is_valid():
        return _detail(request, body, barrier_form=form)
    form.save()
    return redirect("improvement:network_detail", slug=body.slug)
