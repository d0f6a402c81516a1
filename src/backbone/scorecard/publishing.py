"""What leaves the server as files: the annual report PDF and the static site of a release.

Both read a release's published cells through the page contexts of ``services``. The report is
rendered once per release and kept in the workspace; ``backbone publish`` and the demo render it
when they release, so no reader waits for WeasyPrint.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from backbone.disclosure.check import CheckReport, ExportFinding, check_export
from backbone.indicators import services as indicator_services
from backbone.indicators.models import Indicator
from backbone.partnership.models import SharedOutcome
from backbone.scorecard import export, pdf
from backbone.scorecard.labels import Labels, dimension_label
from backbone.scorecard.links import Links, static_links
from backbone.scorecard.models import PublishedCell, PublishedStudy, Release
from backbone.scorecard.published import data_as_of, headline
from backbone.scorecard.services import (
    ICON,
    OVERALL,
    PUBLISH_MARK,
    STYLESHEETS,
    Progress,
    _published_ids,
    _trend,
    embed_page,
    home_page,
    indicator_page,
    outcome_page,
    published_outcomes,
    published_rows,
    site_context,
    what_works_page,
)
from backbone.warehouse.services import workspace


def report_context(made: Release) -> dict[str, Any]:
    """The annual report: the partnership, its outcomes, and per indicator the trend, the
    published values, the latest period by group and the story behind the curve."""
    cells = made.cells.select_related("indicator__outcome").order_by("period", "group_value")
    by_indicator: dict[Indicator, list[PublishedCell]] = defaultdict(list)
    for cell in cells:
        by_indicator[cell.indicator].append(cell)
    sections: dict[SharedOutcome | None, list[dict[str, Any]]] = defaultdict(list)
    named = indicator_services.labels()
    for indicator in sorted(by_indicator, key=lambda i: i.name):
        sections[indicator.outcome].append(
            _report_indicator(indicator, by_indicator[indicator], named)
        )
    ordered = sorted((o for o in sections if o is not None), key=lambda o: o.name)
    return {
        **site_context(made, Links("", "", "")),
        "sections": [{"outcome": o, "indicators": sections[o]} for o in [*ordered, None]
                     if o in sections],
        "indicator_count": len(by_indicator),
    }  # fmt: skip


def _report_indicator(
    indicator: Indicator, cells: list[PublishedCell], named: Labels
) -> dict[str, Any]:
    overall = [c for c in cells if c.dimension == OVERALL]
    top = headline(overall)
    latest = top.period if top else ""
    groups = [
        {"label": dimension_label(d), "period": latest,
         "rows": [{"group": named.group(d, c.group_value), "cell": c} for c in cells
                  if c.dimension == d and c.period == latest]}
        for d in sorted({c.dimension for c in cells} - {OVERALL})
    ]  # fmt: skip
    return {
        "indicator": indicator,
        "overall": overall,
        "latest": top,
        "data_as_of": data_as_of(overall),
        "trend": _trend(indicator, overall),
        "groups": [g for g in groups if g["rows"]],
        "story": indicator.stories.first(),
    }


def annual_report(made: Release) -> bytes:
    """The annual report as PDF bytes."""
    html = render_to_string("scorecard/report.html", report_context(made))
    return pdf.render(html)


_report_lock = threading.Lock()


def annual_report_file(made: Release) -> Path:
    """The release's annual report, made once and kept in the workspace (a release never
    changes, so neither does its report). ``backbone publish`` and the demo make it when they
    release, so readers never wait for it; a release made otherwise gets it on the first request,
    rendered by one thread while the others wait for that one."""
    path = workspace().scorecard / f"annual-report-release-{made.pk}.pdf"
    with _report_lock:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part")
            partial.write_bytes(annual_report(made))
            partial.replace(path)
    return path


def warm(made: Release) -> None:
    """Draw every chart of ``made``'s public pages, so that the first readers after a start
    find them drawn (``charts.drawing`` keeps them)."""
    home_page(made, static_links(0))
    for outcome in published_outcomes(made):
        outcome_page(made, outcome, static_links(2))
    for indicator in Indicator.objects.filter(pk__in=_published_ids(made)):
        indicator_page(made, indicator, static_links(2), embed_url="-")
        embed_page(made, indicator, static_links(2))


# --- the static site ---------------------------------------------------------------------------


class OutputNotEmpty(Exception):
    """The output folder holds files ``backbone publish`` did not write."""


class AuditRejected(Exception):
    """The release-wide audit found small counts a reader could narrow; ``findings`` names them."""

    def __init__(self, findings: Sequence[ExportFinding]) -> None:
        super().__init__(
            f"the disclosure audit found {len(findings)} small count(s) a reader could narrow; "
            "nothing was written"
        )
        self.findings = list(findings)


def audit_release(made: Release) -> CheckReport:
    """``backbone check-disclosure`` on ``made``'s data files, written to a scratch folder: the
    audit reads only what a reader would download."""
    with tempfile.TemporaryDirectory(prefix="backbone-audit-") as scratch:
        _write_data(made, _writer(Path(scratch), []))
        return check_export(Path(scratch))


def publish_site(
    made: Release, out: Path, *, force: bool = False, base_url: str = "",
    progress: Progress | None = None,
) -> list[Path]:  # fmt: skip
    """Write the whole public scorecard of ``made`` into ``out`` as a static site that works
    from any file server or straight from disk; returns the files written. Refuses with
    :class:`AuditRejected`, writing nothing, when the release-wide audit finds anything."""
    audit = audit_release(made)
    if audit.findings:
        raise AuditRejected(audit.findings)
    _prepare(out, force)
    say = progress or (lambda _: None)
    written: list[Path] = []
    write = _writer(out, written)
    write("index.html", render_to_string("scorecard/home.html", home_page(made, static_links(0))))
    if PublishedStudy.objects.filter(release=made).exists():
        page = render_to_string("scorecard/what_works.html", what_works_page(made, static_links(1)))
        write("what-works/index.html", page)
    for outcome in published_outcomes(made):
        say(outcome.name)
        page = render_to_string(
            "scorecard/outcome.html", outcome_page(made, outcome, static_links(2))
        )
        write(f"outcomes/{outcome.slug}/index.html", page)
    for indicator in Indicator.objects.filter(pk__in=_published_ids(made)).order_by("name"):
        say(indicator.name)
        _write_indicator(made, indicator, write, base_url)
    _write_data(made, write)
    _copy_assets(out, written)
    say("annual report")
    shutil.copyfile(annual_report_file(made), out / "annual-report.pdf")
    written.append(out / "annual-report.pdf")
    (out / PUBLISH_MARK).write_text(f"release {made.pk}\n")
    return written


def _prepare(out: Path, force: bool) -> None:
    if out.exists() and any(out.iterdir()):
        if (out / PUBLISH_MARK).exists():
            shutil.rmtree(out)  # our own earlier output: replace it whole, nothing stale stays
        elif not force:
            raise OutputNotEmpty(
                f"{out} is not empty and was not written by backbone publish; "
                "choose an empty folder or pass --force"
            )
    out.mkdir(parents=True, exist_ok=True)


def _writer(out: Path, written: list[Path]) -> Callable[[str, str], None]:
    def write(name: str, text: str) -> None:
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)

    return write


def _write_indicator(
    made: Release, indicator: Indicator, write: Callable[[str, str], None], base_url: str
) -> None:
    slug = indicator.slug
    embed_url = f"{base_url.rstrip('/')}/embed/{slug}/index.html" if base_url else ""
    embed_url = embed_url or f"embed/{slug}/index.html"  # from the site's root, said on the page
    page = indicator_page(made, indicator, static_links(2), embed_url)
    write(f"indicators/{slug}/index.html", render_to_string("scorecard/indicator.html", page))
    embed = embed_page(made, indicator, static_links(2))
    write(f"embed/{slug}/index.html", render_to_string("scorecard/embed.html", embed))
    rows = published_rows(made, indicator)
    write(f"indicators/{slug}/data.csv", export.csv_text(rows))
    write(f"indicators/{slug}/data.json", export.json_text(export.json_rows(rows)))


def _write_data(made: Release, write: Callable[[str, str], None]) -> None:
    write("data/results.csv", export.csv_text(published_rows(made)))
    write("data/partitions.json", export.partitions_json(made.partitions))
    write("data/dimensions.json", export.dimensions_json(made.dimensions))


def _copy_assets(out: Path, written: list[Path]) -> None:
    for name in (*STYLESHEETS, ICON):
        found = finders.find(name)
        if not found:
            raise FileNotFoundError(f"static file {name} not found")
        target = out / "static" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(str(found), target)
        written.append(target)
