"""What the CLI and pages call: keep indicators in the registry, compute them from the warehouse.

Computation itself is pure (``definitions.compile_sql``); this layer reads the warehouse, stores
results with their lineage (definition version, submissions read, linkage model) and reports
progress.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from django.db import transaction
from django.utils import timezone

from backbone.identity.models import LinkageRun
from backbone.indicators import charts, engines, equity
from backbone.indicators.definitions import IndicatorDefinition, check_definition
from backbone.indicators.models import ComputeRun, Indicator, Result
from backbone.indicators.targets import Method, TargetSpec, targets
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


def indicator_page(indicator: Indicator) -> dict[str, Any]:
    """Everything the indicator page shows: the overall trend with targets and the baseline
    forecast, each dimension's groups, their gaps to a reference group, and the stories."""
    rows = [_as_row(r) for r in latest_results(indicator)]
    overall = [r for r in rows if r["dimension"] == "overall"]
    actual = [(r["period"], r["value"]) for r in overall if r["value"] is not None]
    target_series = _overall_targets(indicator, actual)
    context: dict[str, Any] = {
        "indicator": indicator,
        "overall": overall,
        "dimensions": [],
        "stories": indicator.stories.prefetch_related("partners"),
        "milestones": indicator.milestones.all(),
        "targets": indicator.targets.all(),
    }
    if actual:
        context["trend_svg"] = charts.svg(
            charts.trend_chart(
                actual, target_series, _forecast(actual, target_series), indicator.unit
            )
        )
    for dimension in sorted({r["dimension"] for r in rows} - {"overall"}):
        context["dimensions"].append(_dimension(indicator, dimension, rows))
    return context


def _as_row(result: Result) -> dict[str, Any]:
    return {
        "period": result.period,
        "dimension": result.dimension,
        "group_value": result.group_value,
        "numerator": result.numerator,
        "denominator": result.denominator,
        "value": result.value,
    }


def _overall_targets(indicator: Indicator, actual: list[tuple[str, float]]) -> dict[int, float]:
    target = indicator.targets.filter(dimension="overall").exclude(method="halve_gap").first()
    baseline = indicator.baselines.filter(dimension="overall").first()
    if target is None or baseline is None or not baseline.period.isdigit():
        return {}
    spec = TargetSpec(
        cast(Method, target.method), int(baseline.period), target.goal_year, target.goal,
        higher_is_better=indicator.higher_is_better,
    )  # fmt: skip
    return targets(spec, {"overall": baseline.value}).get("overall", {})


def _forecast(
    actual: list[tuple[str, float]], target_series: dict[int, float]
) -> list[tuple[int, float]]:
    years = [(int(p), v) for p, v in actual if str(p).isdigit()]
    if len(years) < 2:
        return []
    last = max(y for y, _ in years)
    ahead = range(last + 1, max([last + 3, *target_series]) + 1)
    return charts.forecast(years, list(ahead))


def _dimension(indicator: Indicator, dimension: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One dimension's groups: small multiples, and gaps to its largest group (the default
    reference: a target's reference group overrides it)."""
    mine = [r for r in rows if r["dimension"] == dimension and r["value"] is not None]
    reference = _reference_group(indicator, dimension, mine)
    gaps = []
    for period in sorted({r["period"] for r in mine}):
        values = {r["group_value"]: r["value"] for r in mine if r["period"] == period}
        if reference not in values:
            continue
        for group, value in values.items():
            gap = equity.gap(value, values[reference], higher_is_better=indicator.higher_is_better)
            gaps.append({"period": period, "group": group, "gap": round(gap, 2)})
    return {
        "name": dimension,
        "rows": mine,
        "reference": reference,
        "equity": _equity_table(indicator, dimension, mine, reference),
        "groups_svg": charts.svg(charts.groups_chart(mine, indicator.unit)) if mine else "",
        "gap_svg": charts.svg(charts.gap_chart(gaps)) if gaps else "",
    }


def _reference_group(indicator: Indicator, dimension: str, rows: list[dict[str, Any]]) -> str:
    chosen = indicator.targets.filter(dimension=dimension).exclude(reference_group="").first()
    if chosen:
        return chosen.reference_group
    sizes: dict[str, int] = {}
    for row in rows:
        sizes[row["group_value"]] = sizes.get(row["group_value"], 0) + row["denominator"]
    return max(sizes, key=lambda group: sizes[group]) if sizes else ""


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


def _equity_table(
    indicator: Indicator, dimension: str, rows: list[dict[str, Any]], reference: str
) -> dict[str, Any]:
    """The latest period's equity measures per group against ``reference``, with each group's
    gap closed since the first period and, where the dimension has an equitable or steady
    target, whether the group is on track."""
    periods = sorted({r["period"] for r in rows})
    if not periods or not reference:
        return {}
    first, last = periods[0], periods[-1]
    current = {r["group_value"]: r["value"] for r in rows if r["period"] == last}
    baseline = {r["group_value"]: r["value"] for r in rows if r["period"] == first}
    if reference not in current:
        return {}
    years = int(last) - int(first) if last.isdigit() and first.isdigit() else None
    measures = equity.group_equity(
        current, reference, baseline=baseline if first != last else None,
        years_since_baseline=years, higher_is_better=indicator.higher_is_better,
    )  # fmt: skip
    others = {g: v for g, v in current.items() if g != reference}
    status = _group_status(indicator, dimension, baseline, current, first, last)
    return {
        "period": last,
        "since": first,
        "groups": [{"measure": m, "status": status.get(m.group, "")} for m in measures],
        "index_of_disparity": equity.index_of_disparity(others, current[reference]),
    }


def _group_status(
    indicator: Indicator,
    dimension: str,
    baseline: dict[str, float],
    current: dict[str, float],
    first: str,
    last: str,
) -> dict[str, str]:
    """Per group: met, on track or off track against the dimension's target, if it has one."""
    target = indicator.targets.filter(dimension=dimension).exclude(method="halve_gap").first()
    if target is None or target.goal is None or not (first.isdigit() and last.isdigit()):
        return {}
    if int(last) <= int(first) or target.goal_year <= int(first):
        return {}
    spec = TargetSpec(
        cast(Method, target.method), int(first), target.goal_year, target.goal,
        higher_is_better=indicator.higher_is_better,
    )  # fmt: skip
    series = targets(spec, {"overall": baseline.get("overall", 0.0), **baseline})
    status = {}
    for group, value in current.items():
        year_target = series.get(group, {}).get(int(last))
        if year_target is not None:
            status[group] = equity.target_status(
                value, year_target, target.goal, higher_is_better=indicator.higher_is_better
            ).replace("_", " ")
    return status


def outcome_page(outcome: Any) -> dict[str, Any]:
    """A shared outcome: the sector goals it joins, each of its indicators' trend (with targets
    and forecast), and the outcome's milestones."""
    indicators = []
    for indicator in outcome.indicators.filter(active=True):
        rows = [_as_row(r) for r in latest_results(indicator) if r.dimension == "overall"]
        actual = [(r["period"], r["value"]) for r in rows if r["value"] is not None]
        target_series = _overall_targets(indicator, actual)
        chart = ""
        if actual:
            chart = charts.svg(
                charts.trend_chart(
                    actual, target_series, _forecast(actual, target_series), indicator.unit
                )
            )
        stories = indicator.stories.all()
        indicators.append(
            {"indicator": indicator, "latest": rows[-1] if rows else None, "trend_svg": chart,
             "story": stories[0] if stories else None}
        )  # fmt: skip
    return {
        "outcome": outcome,
        "goals": outcome.sector_goals.all(),
        "indicators": indicators,
        "milestones": outcome.milestones.all(),
    }
