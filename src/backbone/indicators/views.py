"""Indicator pages: the list by outcome, one indicator's trend, groups and story, and a CSV."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from backbone.indicators import services
from backbone.indicators.models import Indicator
from backbone.partnership.models import SharedOutcome

VIEW = "partnership.view_registry"


@login_required
@permission_required(VIEW, raise_exception=True)
def indicator_list(request: HttpRequest) -> HttpResponse:
    outcomes = SharedOutcome.objects.prefetch_related("indicators")
    loose = Indicator.objects.filter(outcome__isnull=True, active=True)
    context = {"outcomes": outcomes, "loose": loose, "latest": services.latest_overall()}
    return render(request, "indicators/indicator_list.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def indicator_detail(request: HttpRequest, slug: str) -> HttpResponse:
    indicator = get_object_or_404(Indicator, slug=slug)
    return render(request, "indicators/indicator_detail.html", services.indicator_page(indicator))


@login_required
@permission_required(VIEW, raise_exception=True)
def indicator_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """The latest results as CSV a spreadsheet opens (UTF-8 with a byte-order mark)."""
    indicator = get_object_or_404(Indicator, slug=slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{indicator.slug}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(["period", "dimension", "group", "numerator", "denominator", "value"])
    for r in services.latest_results(indicator):
        writer.writerow([r.period, r.dimension, r.group_value, r.numerator, r.denominator, r.value])
    return response
