"""The targets page (baselines, a target with its yearly path previewed before it is saved),
milestones, and turn-the-curve stories by an action network's members (docs/targets.md)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from backbone.indicators import target_services as ts
from backbone.indicators.models import Indicator
from backbone.indicators.target_forms import BaselineForm, MilestoneForm, StoryForm, TargetForm


@login_required
@permission_required(ts.SET_TARGETS, raise_exception=True)
def targets_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Baselines and targets. A target is posted twice: ``preview`` shows its computed path,
    ``save`` (from the preview) computes it again and keeps it."""
    indicator = get_object_or_404(Indicator, slug=slug)
    step = request.POST.get("step", "")
    baseline_form = BaselineForm(request.POST if step == "baselines" else None, prefix="b")
    target_form = TargetForm(request.POST if step in {"preview", "save"} else None, prefix="t")
    context: dict[str, Any] = {"indicator": indicator, "baseline_form": baseline_form,
                               "target_form": target_form}  # fmt: skip
    if step == "baselines" and baseline_form.is_valid():
        data = baseline_form.cleaned_data
        ts.save_baselines(
            indicator, data["period"], data["dimension"], data["values"], request.user
        )
        messages.success(request, f"Saved the {data['dimension']} baselines for {data['period']}.")
        return redirect("indicators:targets_page", slug=slug)
    if step in {"preview", "save"} and target_form.is_valid():
        try:
            if step == "save":
                ts.save_target(indicator, target_form.choice(), request.user)
                messages.success(request, "Saved the target and its yearly path.")
                return redirect("indicators:targets_page", slug=slug)
            context["preview"] = _table(ts.target_path(indicator, target_form.choice()))
        except ValueError as error:
            target_form.add_error(None, str(error))
    context["baselines"] = indicator.baselines.order_by("dimension", "group_value", "-period")
    context["targets"] = indicator.targets.order_by("dimension")
    return render(request, "indicators/targets.html", context)


def _table(path: dict[str, dict[int, float]]) -> dict[str, Any]:
    years = sorted({y for series in path.values() for y in series})
    groups = sorted(path, key=lambda g: (g != ts.OVERALL, g))
    return {"years": years, "rows": [(g, [path[g].get(y) for y in years]) for g in groups]}


@login_required
@permission_required(ts.RECORD_MILESTONES, raise_exception=True)
def milestone_new(request: HttpRequest, slug: str) -> HttpResponse:
    indicator = get_object_or_404(Indicator, slug=slug)
    form = MilestoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ts.add_milestone(indicator, data["date"], data["title"], request.user,
                         data["evidence"], data["status"])  # fmt: skip
        messages.success(request, f"Recorded the milestone {data['title']!r}.")
        return redirect("indicators:indicator_detail", slug=slug)
    return render(request, "indicators/milestone_form.html", {"indicator": indicator, "form": form})


@login_required
@permission_required(ts.WRITE_STORIES, raise_exception=True)
def story_new(request: HttpRequest, slug: str) -> HttpResponse:
    """A turn-the-curve story, by a member of an action network working on the indicator."""
    indicator = get_object_or_404(Indicator, slug=slug)
    networks = ts.story_networks(request.user, indicator)
    if not networks:
        raise PermissionDenied("only members of an action network working on this indicator")
    form = StoryForm(request.POST or None, networks=networks)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ts.save_story(indicator, data["network"], form.story_fields(), request.user,
                      list(data["partners"]))  # fmt: skip
        messages.success(request, "Saved the story behind the curve.")
        return redirect("indicators:indicator_detail", slug=slug)
    return render(request, "indicators/story_form.html", {"indicator": indicator, "form": form})
