"""The public scorecard: no login, and only published (disclosure-protected) numbers.

Every page reads the latest release's published cells; the URLs mirror the static site's
folders, so the same templates serve both with relative links. A release never changes, so each
page is rendered once per release (and host, which the embed code names) and kept in Django's
cache for ``BACKBONE_SCORECARD_CACHE_SECONDS``: a new release shows at once, and so does a
target, milestone or story saved in the app; an outcome name edited in the admin within that
time.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt

from backbone.indicators.models import Indicator
from backbone.indicators.target_services import EDITS_KEY
from backbone.partnership.models import SharedOutcome
from backbone.scorecard import export, publishing, services
from backbone.scorecard.links import Links
from backbone.scorecard.models import Release


def _links(depth: int) -> Links:
    return Links("../" * depth, "", static(""))


def _latest(request: HttpRequest | None = None) -> Release:
    made = getattr(request, "latest_release", None) or Release.objects.first()
    if made is None:
        raise Http404("Nothing has been published yet.")
    return made


View = Callable[..., HttpResponse]


def per_release(view: View) -> View:
    """Serve ``view``'s page from the cache while the latest release is the one it was made
    from; only complete 200 answers are kept."""

    @wraps(view)
    def cached(request: HttpRequest, *args: str, **kwargs: str) -> HttpResponse:
        made = Release.objects.first()
        request.latest_release = made  # type: ignore[attr-defined]  # the view needs no query
        stamp = f"{made.pk}-{made.created_at:%Y%m%d%H%M%S%f}" if made else "none"
        stamp += f"-{cache.get(EDITS_KEY, 0)}"  # targets and stories saved since
        key = f"scorecard:{stamp}:{request.get_host()}:{request.path}"
        page = cache.get(key)
        if page is not None:
            return HttpResponse(page, content_type="text/html; charset=utf-8")
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            cache.set(key, response.content, settings.BACKBONE_SCORECARD_CACHE_SECONDS)
        return response

    return cached


@per_release
def home(request: HttpRequest) -> HttpResponse:
    made = getattr(request, "latest_release", None)
    if made is None:
        context = {**services.site_context(None, _links(0)), "outcomes": [], "page": "home"}
        return render(request, "scorecard/home.html", context)
    return render(request, "scorecard/home.html", services.home_page(made, _links(0)))


@per_release
def what_works(request: HttpRequest) -> HttpResponse:
    context = services.what_works_page(_latest(request), _links(1))
    return render(request, "scorecard/what_works.html", context)


@per_release
def outcome_detail(request: HttpRequest, slug: str) -> HttpResponse:
    outcome = get_object_or_404(SharedOutcome, slug=slug)
    context = services.outcome_page(_latest(request), outcome, _links(2))
    return render(request, "scorecard/outcome.html", context)


@per_release
def indicator_detail(request: HttpRequest, slug: str) -> HttpResponse:
    made, indicator = _published(slug, request)
    embed = request.build_absolute_uri(reverse("scorecard:embed", args=[slug]))
    context = services.indicator_page(made, indicator, _links(2), embed_url=embed)
    return render(request, "scorecard/indicator.html", context)


@xframe_options_exempt  # the widget exists to be framed by partners' and funders' sites
@per_release
def embed(request: HttpRequest, slug: str) -> HttpResponse:
    made, indicator = _published(slug, request)
    return render(request, "scorecard/embed.html", services.embed_page(made, indicator, _links(2)))


def _published(slug: str, request: HttpRequest | None = None) -> tuple[Release, Indicator]:
    made = _latest(request)
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
    path = publishing.annual_report_file(_latest())
    return FileResponse(path.open("rb"), content_type="application/pdf", filename=path.name)
