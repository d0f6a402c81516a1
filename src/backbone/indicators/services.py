"""What the CLI and pages call: keep indicators in the registry, compute them from the warehouse.

Computation itself is pure (``definitions.compile_sql``); this layer reads the warehouse, stores
results with their lineage (definition version, submissions read, linkage model) and reports
progress.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from backbone.identity.models import LinkageRun
from backbone.indicators import engines
from backbone.indicators.definitions import IndicatorDefinition, check_definition
from backbone.indicators.models import ComputeRun, Indicator, Result
from backbone.intake.services import warehouse

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
