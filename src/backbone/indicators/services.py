"""What the CLI and pages call: keep indicators in the registry, compute them from the warehouse.

Computation itself is pure (``definitions.compile_sql``); this layer reads the warehouse, stores
results with their lineage (definition version, submissions read, linkage model) and reports
progress.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any, cast

from django.db import transaction
from django.utils import timezone

from backbone.identity.models import LinkageRun
from backbone.indicators import charts, engines, presentation
from backbone.indicators.definitions import IndicatorDefinition, check_definition
from backbone.indicators.labels import Labels
from backbone.indicators.models import ComputeRun, Indicator, Result
from backbone.intake.services import code_names
from backbone.warehouse.services import warehouse

Progress = Callable[[Indicator], None]


def definition_of(indicator: Indicator) -> IndicatorDefinition:
    return IndicatorDefinition.model_validate(indicator.definition)


def save_indicator(definition: IndicatorDefinition, **fields: Any) -> Indicator:
    """Create or update the indicator for ``definition`` (checked first); its version goes up
    only when the definition itself changes."""
    check_definition(definition)
    data = definition.model_dump(mode="json")
    indicator = Indicator.objects.filter(slug=definition.slug).first()
    if indicator is None:
        indicator = Indicator(slug=definition.slug, definition=data)
    elif indicator.definition != data:
        indicator.definition, indicator.version = data, indicator.version + 1
    indicator.name = definition.name
    indicator.plain_definition = fields.pop("plain_definition", "") or definition.description
    indicator.unit, indicator.higher_is_better = definition.unit, definition.higher_is_better
    for name, value in fields.items():
        setattr(indicator, name, value)
    indicator.save()
    return indicator


def compute(
    engine: str = "duckdb",
    slugs: Sequence[str] = (),
    progress: Progress | None = None,
    spark: Any = None,
) -> ComputeRun:
    """Compute every active indicator (or those in ``slugs``) for every period and group and
    store the results in one new run; a failing definition stops the run before anything is
    stored."""
    indicators = list(Indicator.objects.filter(active=True).order_by("slug"))
    if slugs:
        indicators = [i for i in indicators if i.slug in set(slugs)]
        unknown = set(slugs) - {i.slug for i in indicators}
        if unknown:
            raise ValueError(f"no active indicator {', '.join(sorted(unknown))}")
    definitions = [definition_of(i) for i in indicators]
    computed = engines.compute(
        warehouse(), definitions, engine, _report(indicators, progress), spark
    )
    return _store(engine, indicators, definitions, computed)


def _report(indicators: list[Indicator], progress: Progress | None) -> Callable[[int], None]:
    return lambda index: progress(indicators[index]) if progress else None


@transaction.atomic
def _store(
    engine: str,
    indicators: list[Indicator],
    definitions: list[IndicatorDefinition],
    computed: list[list[dict[str, Any]]],
) -> ComputeRun:
    store = warehouse()
    tables = {table for d in definitions for table in d.tables}
    submissions = sorted({f.submission_id for t in tables for f in store.files_of(t)})
    crosswalk = any(join.on == "person_key" for d in definitions for join in d.joins)
    latest_linkage = LinkageRun.objects.exclude(model_version="").first() if crosswalk else None
    run = ComputeRun.objects.create(
        engine=engine,
        indicators=len(indicators),
        submissions=submissions,
        linkage_model=latest_linkage.model_version if latest_linkage else "",
    )
    results = [
        Result(run=run, indicator=indicator, definition_version=indicator.version, **row)
        for indicator, rows in zip(indicators, computed, strict=True)
        for row in rows
    ]
    Result.objects.bulk_create(results, batch_size=2000)
    run.results, run.finished_at = len(results), timezone.now()
    run.save()
    return run


def latest_results(indicator: Indicator) -> Iterable[Result]:
    """The indicator's results from the latest run that computed it."""
    latest = Result.objects.filter(indicator=indicator).order_by("-run_id").first()
    if latest is None:
        return Result.objects.none()
    return Result.objects.filter(indicator=indicator, run_id=latest.run_id)


# --- the indicator page ---------------------------------------------------------------------


def labels() -> Labels:
    """The label source with the names partners' loaded data gives their codes (schools)."""
    return Labels(code_names())


def subject_of(indicator: Indicator, *, exact: bool = True) -> presentation.Subject:
    """What the page builder needs of ``indicator`` besides its values: its direction, its
    targets by dimension (the overall one with its baseline) and the reference groups targets
    name. ``exact`` is False for published values."""
    goals: dict[str, presentation.Goal] = {}
    for target in indicator.targets.exclude(method="halve_gap").order_by("pk"):
        goals.setdefault(
            target.dimension, presentation.Goal(target.method, target.goal, target.goal_year)
        )
    baseline = indicator.baselines.filter(dimension=presentation.OVERALL).first()
    overall = goals.get(presentation.OVERALL)
    if overall is not None and baseline is not None:
        goals[presentation.OVERALL] = replace(
            overall, baseline_period=baseline.period, baseline=baseline.value
        )
    references: dict[str, str] = {}
    for target in indicator.targets.exclude(reference_group="").order_by("pk"):
        references.setdefault(target.dimension, target.reference_group)
    return presentation.Subject(indicator.higher_is_better, exact, goals, references)


def indicator_page(indicator: Indicator) -> dict[str, Any]:
    """Everything the indicator page shows: the overall trend with targets and the baseline
    forecast, each dimension's groups, their gaps to the reference group, and the stories."""
    results = [r for r in latest_results(indicator) if r.value is not None]
    named = labels()
    page = presentation.build(
        [_value(r) for r in results], subject_of(indicator), label=named.group
    )
    context: dict[str, Any] = {
        "indicator": indicator,
        "overall": [_as_row(r) for r in results if r.dimension == presentation.OVERALL],
        "dimensions": [_dimension(indicator, d, named) for d in page.dimensions],
        "stories": indicator.stories.prefetch_related("partners"),
        "milestones": indicator.milestones.all(),
        "targets": indicator.targets.all(),
    }
    if page.trend.points:
        context["trend_svg"] = _trend_svg(indicator, page.trend)
    return context


def _value(result: Result) -> presentation.Value:
    value = result.value
    display = "" if value is None else f"{value:g}"
    return presentation.Value(
        result.period, result.dimension, result.group_value, value, result.denominator, display,
        row=result,
    )  # fmt: skip


def _as_row(result: Result, named: Labels | None = None) -> dict[str, Any]:
    return {
        "period": result.period,
        "dimension": result.dimension,
        "group_value": result.group_value,
        "group": (named or Labels()).group(result.dimension, result.group_value),
        "numerator": result.numerator,
        "denominator": result.denominator,
        "value": result.value,
    }


def _trend_svg(indicator: Indicator, trend: presentation.Trend) -> str:
    chart = charts.trend_chart(trend.points, indicator.unit, trend.targets, trend.forecast)
    return charts.svg(chart)


def _dimension(
    indicator: Indicator, dimension: presentation.Dimension, named: Labels
) -> dict[str, Any]:
    """One dimension's groups as small multiples, its equity table and its gaps over time."""
    shown = any(p.value is not None for p in dimension.gaps)
    reference = named.group(dimension.name, dimension.reference) if dimension.reference else ""
    gap_svg = charts.svg(charts.gap_chart(dimension.gaps, reference)) if shown else ""
    return {
        "name": dimension.name,
        "label": named.dimension(dimension.name),
        "rows": [
            _as_row(cast(Result, v.row), named)
            for g in dimension.values.values()
            for v in g.values()
        ],
        "reference": reference,
        "equity": dimension.equity,
        "groups_svg": charts.svg(charts.groups_chart(dimension.points, indicator.unit)),
        "gap_svg": gap_svg,
    }


def latest_overall() -> dict[int, Result]:
    """Per indicator id, its latest period's overall result."""
    latest: dict[int, Result] = {}
    for result in Result.objects.filter(dimension="overall").order_by("run_id", "period"):
        latest[result.indicator_id] = result
    return latest


# --- the standard library ------------------------------------------------------------------

# Which shared outcome (by slug, as in the demo's partnership.yaml) each standard indicator
# measures; a partnership whose outcomes are named otherwise links them in the admin.
LIBRARY_OUTCOMES = {
    "kindergarten_readiness": "kindergarten-readiness",
    "grade3_reading": "grade-3-reading",
    "grade8_math": "grade-8-math",
    "graduation_rate_4yr": "high-school-graduation",
    "postsecondary_enrollment": "postsecondary-enrollment",
    "postsecondary_completion": "postsecondary-completion",
    "young_adult_employment": "young-adult-living-wage-employment",
    "young_adult_median_earnings": "young-adult-living-wage-employment",
    "chronic_absence_housing": "housing-education-stability",
    "school_moves_housing": "housing-education-stability",
    "exits_to_permanent_housing": "housing-education-stability",
}
LIBRARY_LEVELS = {"population_indicator": "population", "performance_measure": "performance"}


def install_standard_library() -> list[Indicator]:
    """Create or update an indicator for every standard-library definition (versions go up
    only for definitions that changed), linked to the shared outcome it measures if the
    registry has it."""
    from backbone.indicators.library import standard_library
    from backbone.partnership.models import SharedOutcome

    outcomes = {o.slug: o for o in SharedOutcome.objects.all()}
    installed = []
    for entry in standard_library():
        installed.append(
            save_indicator(
                entry.definition,
                level=LIBRARY_LEVELS[entry.level],
                category=entry.rba_category,
                period_type=entry.period_type
                if entry.period_type != "cohort_year"
                else "school_year",
                data_sources=", ".join(entry.data_sources),
                source=entry.citation,
                outcome=outcomes.get(LIBRARY_OUTCOMES.get(entry.slug, "")),
            )
        )
    return installed


def outcome_page(outcome: Any) -> dict[str, Any]:
    """A shared outcome: the sector goals it joins, each of its indicators' trend (with targets
    and forecast), and the outcome's milestones."""
    indicators = []
    for indicator in outcome.indicators.filter(active=True):
        results = [r for r in latest_results(indicator) if r.dimension == presentation.OVERALL]
        shown = [_value(r) for r in results if r.value is not None]
        trend = presentation.trend(shown, subject_of(indicator))
        stories = indicator.stories.all()
        indicators.append(
            {"indicator": indicator, "latest": _as_row(results[-1]) if results else None,
             "trend_svg": _trend_svg(indicator, trend) if trend.points else "",
             "story": stories[0] if stories else None}
        )  # fmt: skip
    return {
        "outcome": outcome,
        "goals": outcome.sector_goals.all(),
        "indicators": indicators,
        "milestones": outcome.milestones.all(),
    }
