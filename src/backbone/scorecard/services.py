"""What the public scorecard, ``backbone publish`` and the annual report call.

``release`` is the only place that reads computed results: it passes every one through
``backbone.disclosure.protect`` and stores what came out as ``PublishedCell`` rows. Everything
else here — the page contexts, the static site, the PDF — reads published cells only, so a
number that was not protected cannot reach the public.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from backbone.disclosure import MARKERS, Policy
from backbone.disclosure import PublishedCell as Protected
from backbone.disclosure.release import IndicatorCells, protect_release
from backbone.evidence.models import Study, StudyRun
from backbone.evidence.services import design_in_words
from backbone.governance.publication import PublicationRule
from backbone.governance.services import publication_rule_for_partners
from backbone.indicators import charts, presentation
from backbone.indicators import services as indicator_services
from backbone.indicators.models import Indicator, Result
from backbone.indicators.presentation import Point, not_available
from backbone.intake.models import Submission
from backbone.partnership.models import Partnership, SharedOutcome
from backbone.scorecard import cells as planning
from backbone.scorecard import effects, export, figures
from backbone.scorecard.figures import Figure
from backbone.scorecard.labels import Labels, dimension_label, html_id
from backbone.scorecard.links import Links
from backbone.scorecard.models import IndicatorPublication, PublishedCell, PublishedStudy, Release
from backbone.scorecard.published import data_as_of, headline, prefix_of
from backbone.scorecard.published import points as _points
from backbone.scorecard.published import values as _values
from backbone.warehouse import contracts

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]
OVERALL = planning.OVERALL
PUBLISH_MARK = ".backbone-publish"
STYLESHEETS = ("backbone/backbone.css", "scorecard/scorecard.css")
ICON = "backbone/favicon.svg"  # without one the browser asks for /favicon.ico and logs a 404
EMBED_SIZE = (600, 560)
PENDING_RULE = "period not complete: its follow-up window has not closed"


# --- the publication policy ----------------------------------------------------------------


def default_policy() -> Policy:
    """The partnership's default: ``BACKBONE_DISCLOSURE_MIN_N`` (10 unless set)."""
    return Policy(min_n=settings.DISCLOSURE_MIN_N)


def policy_for(indicator: Indicator) -> Policy:
    """The strictest of the default, the indicator's own minimum cell size and the publication
    rules of the agreements its data came under (``agreement_policies``)."""
    policies = [default_policy(), *agreement_policies(indicator)]
    own = IndicatorPublication.objects.filter(  # by slug: the editor asks for unsaved ones too
        indicator__slug=indicator.slug, min_n__isnull=False
    ).first()
    if own is not None and own.min_n is not None:
        policies.append(Policy(min_n=own.min_n))
    return Policy.strictest(policies)


def agreement_policies(indicator: Indicator) -> list[Policy]:
    """The publication rule of the data-sharing agreements behind ``indicator``'s data: those of
    every partner whose loaded submissions feed a table the definition reads."""
    rule = publication_rule_for_partners(source_partners(indicator))
    if rule == PublicationRule():
        return []
    default = default_policy()
    return [
        Policy(
            min_n=rule.min_n or default.min_n,
            # An agreement codes the top and bottom N percent: N = 5 is "≥ 95%" and "≤ 5%".
            top_code=default.top_code if rule.top_code is None else 100 - rule.top_code,
            bottom_code=default.bottom_code if rule.bottom_code is None else rule.bottom_code,
        )
    ]


def source_partners(indicator: Indicator) -> set[str]:
    """Slugs of the partners whose loaded data an indicator's definition reads."""
    definition = indicator.definition
    tables = {definition.get("table"), *(j.get("table") for j in definition.get("joins", []))}
    loaded = Submission.objects.filter(status=Submission.Status.LOADED).values_list(
        "partner__slug", "contract"
    )
    return {
        partner
        for partner, contract in loaded.distinct()
        if tables & set(contracts.contract(contract).tables)
    }


def public_indicators() -> list[Indicator]:
    """Active indicators not withdrawn from the public scorecard, with their outcome."""
    chosen = Indicator.objects.filter(active=True).exclude(publication__public=False)
    return list(chosen.select_related("outcome").order_by("name"))


# --- releases --------------------------------------------------------------------------------


def latest_runs(indicators: Iterable[Indicator]) -> dict[int, int]:
    """Per indicator id, the latest compute run that has results for it."""
    ids = [i.pk for i in indicators]
    rows = Result.objects.filter(indicator_id__in=ids).values("indicator_id")
    return {r["indicator_id"]: r["run"] for r in rows.annotate(run=Max("run_id"))}


def current_release() -> Release | None:
    """The latest release, if it was made from the latest results under today's policies."""
    latest = Release.objects.first()
    if latest is None:
        return None
    indicators = public_indicators()
    runs = latest_runs(indicators)
    published = [i for i in indicators if i.pk in runs]
    same_runs = latest.runs == sorted(set(runs.values()))
    same_policy = latest.thresholds == {i.slug: policy_for(i).min_n for i in published}
    same_studies = (
        dict(PublishedStudy.objects.filter(release=latest).values_list("slug", "run"))
        == _latest_study_runs()
    )
    # A release without a protection record predates release-wide protection: make a new one.
    return latest if same_runs and same_policy and same_studies and latest.protection else None


@transaction.atomic
def release(notes: str = "", progress: Progress | None = None) -> Release:
    """Protect the latest results of every public indicator and store them as a new release.

    Every indicator's complete periods go through ``protect_release`` together, under each
    indicator's ``policy_for``, with its additive dimensions as partitions of each period's
    total; periods not yet complete are published as not available."""
    indicators = public_indicators()
    runs = latest_runs(indicators)
    made = Release.objects.create(
        compute_run_id=max(runs.values(), default=None),
        runs=sorted(set(runs.values())),
        policy_version=default_policy().version,
        notes=notes,
    )
    tables, pending, through = [], [], {}
    chosen = {i.slug: i for i in indicators if i.pk in runs}
    for indicator in chosen.values():
        if progress:
            progress(indicator.name)
        results = list(Result.objects.filter(indicator=indicator, run_id=runs[indicator.pk]))
        table = _indicator_cells(made, indicator, results)
        tables.append(table)
        through[indicator.slug] = next((r.data_through for r in results), None)
        pending += [
            _pending_cell(made, indicator, r, table.policy) for r in results if not r.complete
        ]
    protection = protect_release(tables, progress)
    made.protection = {
        "cells": protection.cells, "withheld_alone": protection.withheld_alone,
        "withheld": protection.withheld, "rounds": protection.rounds,
    }  # fmt: skip
    made.save()
    published = [
        _published_cell(made, chosen[place[0]], place, out, through[place[0]])
        for place, out in protection.published.items()
    ]
    PublishedCell.objects.bulk_create(published + pending, batch_size=2000)
    PublishedStudy.objects.bulk_create(_snapshot_studies(made))
    return made


# --- studies of what works -------------------------------------------------------------------


def _published_studies() -> list[tuple[Study, StudyRun]]:
    """Studies flagged ``published: true`` that have run, each with its latest run."""
    chosen = [(s, s.latest_run()) for s in Study.objects.filter(published=True)]
    return [(study, run) for study, run in chosen if run is not None]


def _latest_study_runs() -> dict[str, int]:
    return {study.slug: run.pk for study, run in _published_studies()}


def study_policy(run: StudyRun) -> Policy:
    """The default policy, or the agreements' stricter minimum for the partners whose data
    files the run read."""
    partners = Submission.objects.filter(pk__in=run.submissions).values_list("partner__slug")
    rule = publication_rule_for_partners({p for (p,) in partners})
    extra = [Policy(min_n=rule.min_n)] if rule.min_n else []
    return Policy.strictest([default_policy(), *extra])


def _snapshot_studies(made: Release) -> list[PublishedStudy]:
    """Each published study's latest run as words and rounded figures, checked again against
    today's disclosure minimum: the release keeps its own copy, whatever runs later."""
    return [_study_copy(made, study, run) for study, run in _published_studies()]


def _study_copy(made: Release, study: Study, run: StudyRun) -> PublishedStudy:
    withheld = _study_withheld(run)
    figures_shown = effects.shown(run.effect or 0.0, run.ci_low or 0.0, run.ci_high or 0.0,
                                  run.naive_difference)  # fmt: skip
    return PublishedStudy(
        release=made, slug=study.slug, run=run.pk, title=study.title, label=run.label,
        question=effects.question(study.participation, study.outcome_label or study.outcome,
                                  study.follow_up),
        design=design_in_words(study), unit=study.outcome_label, caveats=list(study.caveats),
        estimate="" if withheld else figures_shown.estimate,
        interval="" if withheld else figures_shown.interval,
        naive="" if withheld else figures_shown.naive,
        ran_at=run.ran_at, lineage=_lineage(run), withheld=bool(withheld),
    )  # fmt: skip


def _study_withheld(run: StudyRun) -> str | None:
    """Why the run's headline may not be shown: its own reason when it ran, no figure at all,
    or a group under today's minimum (a pre/post growth has no comparison group to count)."""
    if run.withheld or run.effect is None or run.ci_low is None or run.ci_high is None:
        return run.withheld or "withheld: not estimable"
    groups = (run.n_treated, run.n_comparison, run.naive_treated, run.naive_comparison)
    policy = study_policy(run)
    small = [n for n in groups if n is not None and n < policy.min_n]
    return f"withheld: a group under {policy.min_n}" if small else None


def _lineage(run: StudyRun) -> str:
    loads = Submission.objects.filter(pk__in=run.submissions)
    partners = set(loads.values_list("partner__name", flat=True))
    linkage = f"run {run.linkage_run}" if run.linkage_run else ""
    return effects.lineage(run.ran_at.date(), run.code_version, len(run.submissions),
                           sorted(partners), linkage)  # fmt: skip


def published_studies(made: Release) -> list[PublishedStudy]:
    """The studies ``made`` published, as copied when it was made."""
    return list(PublishedStudy.objects.filter(release=made))


def what_works_page(made: Release, links: Links) -> dict[str, Any]:
    """The "What works" page: each study of ``made`` with its figures or why they are not shown."""
    return {**site_context(made, links), "studies": published_studies(made), "page": "what_works"}


def _indicator_cells(made: Release, indicator: Indicator, results: list[Result]) -> IndicatorCells:
    """An indicator's complete periods as cells and partitions for ``protect_release``; records
    its threshold, additive dimensions and partitions on the release."""
    rows = [
        planning.Computed(r.period, r.dimension, r.group_value, r.numerator, r.denominator, r.value)
        for r in results
        if r.complete
    ]
    plan = planning.plan(rows, indicator.unit, prefix_of(indicator.unit))
    policy = policy_for(indicator)
    made.thresholds[indicator.slug] = policy.min_n
    made.dimensions[indicator.slug] = plan.additive
    made.partitions += [
        {"indicator": indicator.slug, "period": d.period, "total": d.total, "parts": d.parts}
        for d in plan.declared
    ]
    cells = {
        (r.period, r.dimension, r.group): plan.cells[
            planning.cell_key(r.period, r.dimension, r.group)
        ]
        for r in rows
    }
    return IndicatorCells(indicator.slug, cells, plan.partitions, plan.additive, policy)


def _published_cell(
    made: Release, indicator: Indicator, place: tuple[str, ...], out: Protected, through: Any
) -> PublishedCell:
    _, period, dimension, group = place
    return PublishedCell(
        release=made, indicator=indicator, period=period, dimension=dimension,
        group_value=group, unit=indicator.unit, numerator=out.numerator,
        denominator=out.denominator, value=out.value, display=out.display, marker=out.marker,
        rule=out.rule, threshold=out.threshold, policy_version=out.policy_version,
        data_through=through,
    )  # fmt: skip


def _pending_cell(
    made: Release, indicator: Indicator, row: Result, policy: Policy
) -> PublishedCell:
    """A period whose follow-up window has not closed: not available, neither suppressed nor
    coded, with no number."""
    return PublishedCell(
        release=made, indicator=indicator, period=row.period, dimension=row.dimension,
        group_value=row.group_value, unit=indicator.unit, display=not_available(row.data_through),
        rule=PENDING_RULE, threshold=policy.min_n, policy_version=policy.version,
        complete=False, data_through=row.data_through,
    )  # fmt: skip


def published_rows(made: Release, indicator: Indicator | None = None) -> list[dict[str, Any]]:
    """Published cells as rows of the export format (``export.COLUMNS``)."""
    chosen = made.cells.select_related("indicator").order_by(
        "indicator__slug", "period", "dimension", "group_value"
    )
    if indicator is not None:
        chosen = chosen.filter(indicator=indicator)
    return [export.row_of(cell) for cell in chosen]


def release_summary(made: Release) -> dict[str, int]:
    """How many cells the release published, withheld by each kind of marker, and left not yet
    available (``cells.summary``)."""
    return planning.summary(made.cells.values_list("marker", "complete"))


# --- what the pages show ---------------------------------------------------------------------


def site_context(made: Release | None, links: Links) -> dict[str, Any]:
    """What every scorecard page needs: the partnership, the release, links and the legend."""
    return {
        "partnership": Partnership.objects.first(),
        "release": made,
        "links": links,
        "urls": {
            "home": links.home,
            "what_works": links.what_works,
            "report": links.download("annual-report.pdf"),
            "results_csv": links.download("data/results.csv"),
            "partitions": links.download("data/partitions.json"),
            "dimensions": links.download("data/dimensions.json"),
            "stylesheets": [links.asset(name) for name in STYLESHEETS],
            "icon": links.asset(ICON),
        },
        "legend": list(MARKERS.items()),
    }


def home_page(made: Release, links: Links) -> dict[str, Any]:
    """The front page: each outcome with its indicators' latest overall value and trend."""
    overall = made.cells.filter(dimension=OVERALL).select_related("indicator__outcome")
    series: dict[Indicator, list[PublishedCell]] = defaultdict(list)
    for cell in overall.order_by("indicator__name", "period"):
        series[cell.indicator].append(cell)
    cards = [_card(indicator, cells, links) for indicator, cells in series.items()]
    groups: dict[SharedOutcome | None, list[dict[str, Any]]] = defaultdict(list)
    for card in cards:
        groups[card["indicator"].outcome].append(card)
    outcomes = [
        {"outcome": o, "href": links.outcome(o.slug), "cards": groups[o]}
        for o in sorted((o for o in groups if o is not None), key=lambda o: o.name)
    ]
    context = {"outcomes": outcomes, "other": groups.get(None, []), "page": "home",
               "studies": published_studies(made)}  # fmt: skip
    return {**site_context(made, links), **context}


def _card(indicator: Indicator, cells: list[PublishedCell], links: Links) -> dict[str, Any]:
    points = _points(c for c in cells if c.complete)
    spark = figures.figure(
        charts.drawing(charts.sparkline, points, frame=False), html_id(indicator.slug, "spark"),
        f"{indicator.name}: trend", figures.trend_description(indicator.name, points),
        frame=False,
    ) if points else None  # fmt: skip
    return {
        "indicator": indicator,
        "href": links.indicator(indicator.slug),
        "latest": headline(cells),
        "series": cells,
        "data_as_of": data_as_of(cells),
        "sparkline": spark,
    }


def outcome_page(made: Release, outcome: SharedOutcome, links: Links) -> dict[str, Any]:
    """One shared outcome: its indicators' trends (published values), stories and milestones."""
    indicators = []
    for indicator in outcome.indicators.filter(pk__in=_published_ids(made)).order_by("name"):
        overall = list(made.cells.filter(indicator=indicator, dimension=OVERALL).order_by("period"))
        trend = _trend(indicator, overall)
        story = indicator.stories.first()
        indicators.append(
            {"indicator": indicator, "href": links.indicator(indicator.slug), "trend": trend,
             "overall": overall, "latest": headline(overall), "story": story,
             "data_as_of": data_as_of(overall)}
        )  # fmt: skip
    return {
        **site_context(made, links),
        "outcome": outcome,
        "goals": outcome.sector_goals.all(),
        "indicators": indicators,
        "milestones": outcome.milestones.all(),
    }


def _published_ids(made: Release) -> set[int]:
    return set(made.cells.values_list("indicator_id", flat=True).distinct())


def published_outcomes(made: Release) -> list[SharedOutcome]:
    """Outcomes with at least one published indicator."""
    return list(SharedOutcome.objects.filter(indicators__in=_published_ids(made)).distinct())


def indicator_page(
    made: Release, indicator: Indicator, links: Links, embed_url: str = ""
) -> dict[str, Any]:
    """One indicator: trend with targets, every dimension's groups as chart and table, equity
    gaps from published values only, the story behind the curve, milestones, downloads."""
    cells = list(made.cells.filter(indicator=indicator).order_by("period", "group_value"))
    overall = [c for c in cells if c.dimension == OVERALL]
    additive = made.dimensions.get(indicator.slug, {})
    named = indicator_services.labels()
    page = presentation.build(_values(cells), _subject(indicator), label=named.group)
    embed_url = embed_url or links.embed(indicator.slug)
    outcome = indicator.outcome
    return {
        **site_context(made, links),
        "indicator": indicator,
        "outcome_href": links.outcome(outcome.slug) if outcome else "",
        "embed_href": links.embed(indicator.slug),
        "overall": overall,
        "latest": headline(overall),
        "pending": page.pending,
        "data_as_of": data_as_of(cells),
        "trend": _trend_figure(indicator, page.trend),
        "dimensions": [
            _dimension(indicator, d, additive.get(d.name), named) for d in page.dimensions
        ],
        "stories": indicator.stories.prefetch_related("partners"),
        "milestones": indicator.milestones.all(),
        "targets": indicator.targets.all(),
        "downloads": {"csv": "data.csv", "json": "data.json"},
        "embed_url": embed_url,
        "embed_size": EMBED_SIZE,
        "has_markers": any(c.marker for c in cells),
    }


def embed_page(made: Release, indicator: Indicator, links: Links) -> dict[str, Any]:
    """The embeddable widget: latest overall value, a compact trend and its data table."""
    overall = list(made.cells.filter(indicator=indicator, dimension=OVERALL).order_by("period"))
    return {
        **site_context(made, links),
        "indicator": indicator,
        "href": links.indicator(indicator.slug),
        "overall": overall,
        "latest": headline(overall),
        "data_as_of": data_as_of(overall),
        "trend": _trend(indicator, overall, forecast=False, width=440, height=180),
        "has_markers": any(c.marker for c in overall),
    }


def _subject(indicator: Indicator) -> presentation.Subject:
    return indicator_services.subject_of(indicator, exact=False)


def _trend(
    indicator: Indicator, overall: Sequence[PublishedCell], *, forecast: bool = True, **size: int
) -> Figure | None:
    """The overall trend chart, with the targets and (from published values) the forecast."""
    if not overall:
        return None
    trend = presentation.trend(_values(overall), _subject(indicator), forecast=forecast)
    return _trend_figure(indicator, trend, **size)


def _trend_figure(
    indicator: Indicator, trend: presentation.Trend, *, width: int = charts.WIDTH, height: int = 240
) -> Figure | None:
    if not trend.points:
        return None
    chart = charts.drawing(
        charts.trend_chart, trend.points, indicator.unit, trend.targets, trend.forecast,
        width=width, height=height, prefix=prefix_of(indicator.unit),
    )  # fmt: skip
    target = indicator.targets.filter(dimension=OVERALL).first()
    said = f"Goal: {target.goal:g} by {target.goal_year}." if target and target.goal else ""
    description = figures.trend_description(indicator.name, trend.points, said)
    return figures.figure(
        chart, html_id(indicator.slug, "trend"), f"{indicator.name}: trend", description
    )


def _dimension(
    indicator: Indicator, dimension: presentation.Dimension, additive: bool | None, named: Labels
) -> dict[str, Any]:
    """One dimension: its groups as small multiples and a table, and gaps to the reference."""
    label = dimension_label(dimension.name)
    ident = html_id(indicator.slug, dimension.name)
    reference = named.group(dimension.name, dimension.reference) if dimension.reference else ""
    drawn = any(p.value is not None for p in dimension.points)
    groups_chart = charts.drawing(
        charts.groups_chart, dimension.points, indicator.unit, prefix_of(indicator.unit)
    ) if drawn else ""  # fmt: skip
    return {
        "name": dimension.name,
        "label": label,
        "id": ident,
        "additive": additive,
        "periods": dimension.periods,
        "table": [
            {"group": named.group(dimension.name, g),
             "cells": [_cell(values.get(p)) for p in dimension.periods]}
            for g, values in sorted(dimension.values.items())
        ],
        "reference": reference,
        "groups_chart": figures.figure(
            groups_chart, f"{ident}-groups", f"{indicator.name} by {label}",
            f"One panel per group. {figures.groups_description(dimension, named.group)}",
        ) if drawn else None,
        "gaps": dimension.gaps,
        "gap_chart": _gap_figure(indicator, ident, label, dimension.gaps, reference),
        "equity": dimension.equity,
    }  # fmt: skip


def _cell(value: presentation.Value | None) -> PublishedCell | None:
    return None if value is None else cast(PublishedCell, value.row)


def _gap_figure(
    indicator: Indicator, ident: str, label: str, gaps: list[Point], reference: str
) -> Figure | None:
    if not any(p.value is not None for p in gaps):
        return None
    said = "; ".join(
        f"{p.group} {p.period}: {p.display}" for p in gaps if p.period == gaps[-1].period
    )
    return figures.figure(
        charts.drawing(charts.gap_chart, gaps, reference), f"{ident}-gaps",
        f"{indicator.name}: gaps by {label}",
        f"Points behind {reference} (positive is behind). Latest: {said}.",
    )  # fmt: skip
