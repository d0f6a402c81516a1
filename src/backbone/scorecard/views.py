"""The public scorecard: no login, and only published (disclosure-protected) numbers.

Every page reads the latest release's published cells; the URLs mirror the static site's
folders, so the same templates serve both with relative links.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt

from backbone.indicators.models import Indicator
from backbone.partnership.models import SharedOutcome
from backbone.scorecard import export, services
from backbone.scorecard.links import Links
from backbone.scorecard.models import Release


def _links(depth: int) -> Links:
    return Links("../" * depth, "", static(""))


def _latest() -> Release:
    made = Release.objects.first()
    if made is None:
        raise Http404("Nothing has been published yet.")
    return made


def home(request: HttpRequest) -> HttpResponse:
    made = Release.objects.first()
    if made is None:
        context = {**services.site_context(None, _links(0)), "outcomes": [], "page": "home"}
        return render(request, "scorecard/home.html", context)
    return render(request, "scorecard/home.html", services.home_page(made, _links(0)))


def outcome_detail(request: HttpRequest, slug: str) -> HttpResponse:
    outcome = get_object_or_404(SharedOutcome, slug=slug)
    context = services.outcome_page(_latest(), outcome, _links(2))
    return render(request, "scorecard/outcome.html", context)


def indicator_detail(request: HttpRequest, slug: str) -> HttpResponse:
    made, indicator = _published(slug)
    embed = request.build_absolute_uri(reverse("scorecard:embed", args=[slug]))
    context = services.indicator_page(made, indicator, _links(2), embed_url=embed)
    return render(request, "scorecard/indicator.html", context)


@xframe_options_exempt  # the widget exists to be framed by partners' and funders' sites
def embed(request: HttpRequest, slug: str) -> HttpResponse:
    made, indicator = _published(slug)
    return render(request, "scorecard/embed.html", services.embed_page(made, indicator, _links(2)))


def _published(slug: str) -> tuple[Release, Indicator]:
    made = _latest()
    published = Indicator.objects.filter(published__release=made).distinct()
    indicator = get_object_or_404(published.select_related("outcome"), slug=slug)
    return made, indicator


def indicator_csv(request: HttpRequest, slug: str) -> HttpResponse:
    made, indicator = _published(slug)
    return _text(export.csv_text(services.published_rows(made, indicator)), "text/csv")


def indicator_json(request: HttpRequest, slug: str) -> HttpResponse:
    made, indicator = _published(slug)
    rows = export.json_rows(services.published_rows(made, indicator))
    return _text(export.json_text(rows), "application/json")


def results_csv(request: HttpRequest) -> HttpResponse:
    return _text(export.csv_text(services.published_rows(_latest())), "text/csv")


def partitions_json(request: HttpRequest) -> HttpResponse:
    return _text(export.partitions_json(_latest().partitions), "application/json")


def dimensions_json(request: HttpRequest) -> HttpResponse:
    return _text(export.dimensions_json(_latest().dimensions), "application/json")


def _text(body: str, content_type: str) -> HttpResponse:
    return HttpResponse(body, content_type=f"{content_type}; charset=utf-8")


def annual_report(request: HttpRequest) -> FileResponse:
    path = services.annual_report_file(_latest())
    return FileResponse(path.open("rb"), content_type="application/pdf", filename=path.name)
