"""Indicator pages: the list by outcome, one indicator's trend, groups and story, a CSV, and
the editor that creates and changes definitions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from backbone.disclosure import safe_csv
from backbone.indicators import services, target_services
from backbone.indicators.api import EDIT
from backbone.indicators.forms import IndicatorForm
from backbone.indicators.models import Indicator
from backbone.partnership.models import SharedOutcome
from backbone.partnership.pages import PagePart

VIEW = "partnership.view_registry"


@login_required
@permission_required(VIEW, raise_exception=True)
def indicator_list(request: HttpRequest) -> HttpResponse:
    outcomes = SharedOutcome.objects.prefetch_related("indicators")
    loose = Indicator.objects.filter(outcome__isnull=True, active=True)
    latest = services.latest_overall(request.user)
    context = {"outcomes": outcomes, "loose": loose, "latest": latest}
    return render(request, "indicators/indicator_list.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def outcome_detail(request: HttpRequest, slug: str) -> HttpResponse:
    outcome = get_object_or_404(SharedOutcome, slug=slug)
    context = services.outcome_page(outcome, request.user)
    return render(request, "indicators/outcome_detail.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def indicator_detail(request: HttpRequest, slug: str) -> HttpResponse:
    indicator = get_object_or_404(Indicator, slug=slug)
    context = services.indicator_page(indicator, request.user)
    # the story link only for someone with a seat on a network working on this indicator
    context["can_write_story"] = request.user.has_perm(target_services.WRITE_STORIES) and bool(
        target_services.story_networks(request.user, indicator)
    )
    return render(request, "indicators/indicator_detail.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def indicator_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """The latest results as CSV a spreadsheet opens (UTF-8 with a byte-order mark), through
    the same gate as the page: each group's code and its label; withheld figures are empty, with
    their marker and rule, and a period whose follow-up window has not closed has no figures,
    only ``complete`` false."""
    indicator = get_object_or_404(Indicator, slug=slug)
    gated = services.gated_results(indicator, request.user, "csv")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{indicator.slug}.csv"'
    response.write("\ufeff")
    writer = safe_csv.writer(response)
    writer.writerow(services.CSV_COLUMNS)
    named = services.labels()
    writer.writerows(services.csv_row(s, named) for s in gated.rows)
    return response


@login_required
@permission_required(VIEW, raise_exception=True)
def measurement_plan(request: HttpRequest) -> HttpResponse:
    """One row per indicator: what it reads, from whom, when, under which agreement; gaps."""
    rows = services.measurement_plan()
    gaps = sum(1 for row in rows if row.gaps)
    return render(request, "indicators/measurement_plan.html", {"rows": rows, "gaps": gaps})


@login_required
@permission_required(VIEW, raise_exception=True)
def measurement_plan_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="measurement-plan.csv"'
    response.write("\ufeff")
    services.write_plan_csv(services.measurement_plan(), response)
    return response


@login_required
@permission_required(EDIT, raise_exception=True)
def indicator_new(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@login_required
@permission_required(EDIT, raise_exception=True)
def indicator_edit(request: HttpRequest, slug: str) -> HttpResponse:
    return _edit(request, get_object_or_404(Indicator, slug=slug))


def _edit(request: HttpRequest, indicator: Indicator | None) -> HttpResponse:
    """The editor: on a valid post the definition is saved (its version goes up when it
    changed); otherwise the form comes back with each problem under its field."""
    form = IndicatorForm(request.POST or None, indicator=indicator)
    if request.method == "POST" and form.is_valid() and form.definition is not None:
        saved = services.save_indicator(form.definition, **form.registry_fields())
        messages.success(request, f"Saved {saved.name}: definition version {saved.version}.")
        return redirect("indicators:indicator_detail", slug=saved.slug)
    return render(request, "indicators/indicator_form.html", {"form": form, "indicator": indicator})


def _grid(_: object, user: object) -> dict[str, object]:
    # The registry's outcome cards link here by this name, which the registry cannot know.
    return {"indicator_grid": services.home_grid(user), "outcome_page": "indicators:outcome_detail"}


# Added to the registry's home page in ``IndicatorsConfig.ready``.
HOME_PARTS = (PagePart("home", "overview", "indicators/home_grid.html", _grid, for_user=True),)
