"""What the CLI and pages call: keep indicators in the registry, compute them from the warehouse.

Computation itself is pure (``definitions.compile_sql``); this layer reads the warehouse, stores
results with their lineage (definition version, submissions read, linkage model) and reports
progress.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from pydantic import ValidationError

from backbone.disclosure import MARKERS, Policy, safe_csv
from backbone.disclosure.units import change_unit
from backbone.governance.coverage import FieldCheck, NotCovered
from backbone.governance.services import disclosing_terms, record
from backbone.identity.consent import ConsentGate
from backbone.identity.models import LinkageRun
from backbone.identity.services import consent_gate, consented_identity
from backbone.indicators import charts, engines, headline, plan, presentation, protection
from backbone.indicators.definitions import IndicatorDefinition, check_definition, joins_partners
from backbone.indicators.labels import Labels
from backbone.indicators.models import Baseline, ComputeRun, Indicator, Result, Target
from backbone.indicators.protection import Shown
from backbone.indicators.results_csv import CSV_COLUMNS, csv_row  # noqa: F401  (pages, CLI)
from backbone.intake.models import ReportingSchedule, Submission
from backbone.intake.services import code_names
from backbone.partnership.models import GovernanceBody, Membership, Partner
from backbone.warehouse.contracts import contract
from backbone.warehouse.services import warehouse, workspace

Progress = Callable[[Indicator], None]
CHARTS = "charts"  # the workspace folder keeping each compute run's drawings (charts.drawing)


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
    definitions, gate = [definition_of(i) for i in indicators], consent_gate()
    crosswalk = _crosswalk(gate) if any(joins_partners(d) for d in definitions) else PUBLISHED
    if crosswalk == MISSING:
        raise LinkageMissing(waiting_for_linkage(indicators))
    computed = engines.compute(
        warehouse(), definitions, engine, _report(indicators, progress), spark,
        own_records=crosswalk == OWN_RECORDS, gate=gate,
    )  # fmt: skip
    return _store(engine, indicators, definitions, computed)


# Where indicators that join partners find each record's person.
PUBLISHED, OWN_RECORDS, MISSING = "published", "own records", "missing"


class LinkageMissing(Exception):
    """Indicators that join partners' records through the crosswalk, asked for before linkage
    has published one."""

    def __init__(self, indicators: Sequence[Indicator]):
        self.indicators = list(indicators)
        names = ", ".join(i.slug for i in self.indicators)
        super().__init__(
            f"{names}: these indicators join partners' records through the crosswalk, and no "
            "linkage has run yet; run `backbone link` first"
        )


def waiting_for_linkage(indicators: Iterable[Indicator]) -> list[Indicator]:
    """Those of ``indicators`` that cannot be computed until ``backbone link`` has run: they
    join partners through the crosswalk, and people from more than one partner wait to be
    linked. With one partner there is nobody to link: each record is its own person."""
    joined = [i for i in indicators if joins_partners(definition_of(i))]
    return joined if joined and _crosswalk() == MISSING else []


def _crosswalk(gate: ConsentGate | None = None) -> str:
    store = warehouse()
    if "crosswalk" in store.derived():
        return PUBLISHED
    with store.engine("identity") as engine:  # a partner whose records are all held back: absent
        table = consented_identity(engine, gate)
        sql = f"SELECT count(DISTINCT source_partner) FROM {table}"
        [(partners,)] = engine.run(sql, label="partners holding consented identity records")
    return OWN_RECORDS if partners <= 1 else MISSING


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
    latest = Result.objects.values("indicator").annotate(run=Max("run_id")).values_list("run")
    charts.prune(workspace().path(CHARTS), {r for (r,) in latest})  # drawings no page reads
    return run


def latest_results(indicator: Indicator) -> Iterable[Result]:
    """The indicator's results from the latest run that computed it."""
    latest = Result.objects.filter(indicator=indicator).order_by("-run_id").first()
    if latest is None:
        return Result.objects.none()
    return Result.objects.filter(indicator=indicator, run_id=latest.run_id)


# --- the release gate: what each reader may see of results ----------------------------------

EXACT = "indicators.view_exact_results"
EXACT_PURPOSE = "exact indicator values"
RESULTS_OBJECT = "indicators.result"

PolicySource = Callable[[Indicator], Policy]
_POLICY: list[PolicySource] = []


def provide_policy(source: PolicySource) -> None:
    """Name the function that says which disclosure policy governs an indicator's figures. The
    scorecard, which keeps each indicator's own minimum cell size and publishes under the same
    policy, provides it at start-up: indicators sit below it and may not ask."""
    _POLICY[:] = [source]


def policy_for(indicator: Indicator) -> Policy:
    """The policy the public scorecard applies to ``indicator``: the strictest of the setting
    ``DISCLOSURE_MIN_N``, the indicator's own minimum and the publication rules of the
    data-sharing agreements behind its data."""
    if not _POLICY:
        raise ImproperlyConfigured("no disclosure policy: the scorecard app provides it")
    return _POLICY[-1](indicator)


@dataclass(frozen=True)
class Gated:
    """What one reader may see of an indicator's latest results: ``exact`` values (the view was
    recorded in the audit log) or values protected under a minimum group size ``threshold``."""

    rows: list[Shown]
    exact: bool
    threshold: int | None = None
    definition_version: int | None = None
    run: int = 0  # the compute run the results come from (0: none)


def may_see_exact(user: Any) -> bool:
    """Whether ``user`` has person-level rights over indicator results (data steward, director)."""
    return bool(user.has_perm(EXACT))


def gated_results(indicator: Indicator, user: Any, via: str, *, audit: bool = True) -> Gated:
    """The one gate between computed results and a staff reader (page, CSV, API).

    A reader with ``indicators.view_exact_results`` sees the exact values, and the view is
    recorded in the audit log (``via`` says where; ``audit=False`` when the caller records one
    event for several indicators). Everyone else sees what the public scorecard would publish:
    primary and complementary suppression over the indicator's partitions under
    ``policy_for(indicator)``, with markers."""
    results = list(latest_results(indicator))
    rows = tuple(_computed(r) for r in results)
    version, run = (results[0].definition_version, results[0].run_id) if results else (None, 0)
    if may_see_exact(user):
        if audit:
            _record_exact(user, [indicator.slug], via, len(rows))
        return Gated(protection.exact(rows, indicator.unit), True, None, version, run)
    policy = policy_for(indicator)
    shown = _protected(indicator.pk, run, indicator.unit, policy, rows)
    return Gated(list(shown), False, policy.min_n, version, run)


def _computed(result: Result) -> protection.Computed:
    return protection.Computed(
        result.period, result.dimension, result.group_value, result.numerator,
        result.denominator, result.value, result.complete, result.data_through,
    )  # fmt: skip


@lru_cache(maxsize=256)
def _protected(
    indicator: int, run: int, unit: str, policy: Policy, rows: tuple[protection.Computed, ...]
) -> tuple[Shown, ...]:
    """Protection is the slow part (linear programming): kept per indicator, run, policy and
    the results themselves, so a page read twice is protected once."""
    return tuple(protection.protected(rows, unit, policy))


def _record_exact(user: Any, slugs: list[str], via: str, results: int) -> None:
    record(
        user, "read", RESULTS_OBJECT, ",".join(slugs), EXACT_PURPOSE,
        {"via": via, "indicators": slugs, "results": results},
    )  # fmt: skip


# --- the indicator page ---------------------------------------------------------------------


def labels() -> Labels:
    """The label source with the names partners' loaded data gives their codes (schools)."""
    return Labels(code_names())


def subject_of(indicator: Indicator, *, exact: bool = True) -> presentation.Subject:
    """What the page builder needs of ``indicator`` besides its values: its direction, its
    targets by dimension (the overall one with its baseline) and the reference groups targets
    name. ``exact`` is False for published values."""
    targets = list(indicator.targets.order_by("pk"))  # one query for goals and references
    stepping = [t for t in targets if t.method != "halve_gap"]
    goals: dict[str, presentation.Goal] = {}
    for target in stepping:
        goals.setdefault(
            target.dimension, presentation.Goal(target.method, target.goal, target.goal_year)
        )
    overall_target = next((t for t in stepping if t.dimension == presentation.OVERALL), None)
    baseline = _overall_baseline(indicator, overall_target)
    overall = goals.get(presentation.OVERALL)
    if overall is not None and baseline is not None:
        goals[presentation.OVERALL] = replace(
            overall, baseline_period=baseline.period, baseline=baseline.value
        )
    # A target's reference group (halve the gap) first, then the one the definition declares.
    references: dict[str, str] = {}
    for target in targets:
        if target.reference_group:
            references.setdefault(target.dimension, target.reference_group)
    for name, group in (indicator.definition or {}).get("reference_groups", {}).items():
        references.setdefault(name, group)
    return presentation.Subject(indicator.higher_is_better, exact, goals, references)


def _overall_baseline(indicator: Indicator, target: Target | None) -> Baseline | None:
    """The overall baseline the overall target stepped from (its year), else the latest."""
    rows = list(indicator.baselines.filter(dimension=presentation.OVERALL).order_by("-period"))
    if target is not None and target.baseline_year:
        year = str(target.baseline_year)
        return next((row for row in rows if row.period == year), rows[0] if rows else None)
    return rows[0] if rows else None


def indicator_page(indicator: Indicator, user: Any) -> dict[str, Any]:
    """Everything the indicator page shows, as ``user`` may see it: the overall trend with
    targets and the baseline forecast, each dimension's groups, their gaps to the reference
    group, and the stories. Periods whose follow-up window has not closed are listed as not yet
    available; the headline is the latest complete period."""
    gated = gated_results(indicator, user, "indicator page")
    values = _values(indicator, gated)
    named, store = labels(), _charts(gated.run)
    page = presentation.build(values, subject_of(indicator, exact=gated.exact), label=named.group)
    headline = presentation.headline(values)
    context: dict[str, Any] = {
        "indicator": indicator,
        "gate": gated,
        "overall": [s for s in gated.rows if s.dimension == presentation.OVERALL],
        "headline": headline.row if headline else None,
        "pending": page.pending,
        "data_as_of": data_as_of(latest_results(indicator)),
        "dimensions": [_dimension(indicator, d, named, store) for d in page.dimensions],
        "stories": indicator.stories.prefetch_related("partners"),
        "milestones": indicator.milestones.all(),
        "targets": indicator.targets.all(),
        "legend": [] if gated.exact else list(MARKERS.items()),
    }
    if page.trend.points:
        context["trend_svg"] = _trend_svg(indicator, page.trend, gated.run)
    return context


def data_as_of(results: Iterable[Result]) -> str:
    """What "data as of" says for results of one run: how far the data the definition waits
    for reached, or else the day the results were computed ("" without results)."""
    for result in results:
        if result.data_through is not None:
            return f"{result.data_through:%Y-%m-%d}"
        return f"{result.run.started_at:%Y-%m-%d}"
    return ""


def _values(indicator: Indicator, gated: Gated) -> list[presentation.Value]:
    """The page builder's values: an exact view leaves out values that do not exist (no one in
    the group); a protected one keeps withheld values, which show as gaps with their marker.
    Incomplete periods are kept: the builder lists them as pending, never as values."""
    rows = (
        [s for s in gated.rows if s.value is not None or not s.complete]
        if gated.exact
        else gated.rows
    )
    median = indicator.unit == "median" and not gated.exact  # its shown size is the numerator
    return [
        presentation.Value(
            s.period, s.dimension, s.group, s.value, s.numerator if median else s.denominator,
            s.display or s.marker, s.marker, row=s, complete=s.complete,
        )
        for s in rows
    ]  # fmt: skip


def _charts(run: int) -> Path:
    return charts.run_folder(workspace().path(CHARTS), run)


def _trend_svg(indicator: Indicator, trend: presentation.Trend, run: int) -> str:
    points, unit = trend.points, indicator.unit
    return charts.drawing(
        charts.trend_chart, points, unit, trend.targets, trend.forecast, store=_charts(run)
    )


def _dimension(
    indicator: Indicator, dimension: presentation.Dimension, named: Labels, store: Path
) -> dict[str, Any]:
    """One dimension's groups as small multiples, its equity table and its gaps over time."""
    shown = any(p.value is not None for p in dimension.gaps)
    reference = named.group(dimension.name, dimension.reference) if dimension.reference else ""
    gap = charts.drawing(charts.gap_chart, dimension.gaps, reference, store=store) if shown else ""
    drawn = any(p.value is not None for p in dimension.points)
    groups = (
        charts.drawing(charts.groups_chart, dimension.points, indicator.unit, store=store)
        if drawn
        else ""
    )
    return {
        "name": dimension.name,
        "label": named.dimension(dimension.name),
        "rows": [v.row for g in dimension.values.values() for v in g.values()],
        "reference": reference,
        "equity": dimension.equity,
        "groups_svg": groups,
        "gap_svg": gap,
    }


def latest_overall(user: Any) -> dict[int, Shown]:
    """Per indicator id, the overall result of its latest complete period as ``user`` may
    see it."""
    return {pk: series[-1] for pk, series in overall_series(user).items()}


def overall_series(user: Any, via: str = "indicator list") -> dict[int, list[Shown]]:
    """Per indicator id, its complete overall results as ``user`` may see them, oldest first."""
    found: dict[int, list[Shown]] = {}
    indicators = Indicator.objects.filter(results__isnull=False).distinct()
    for indicator in indicators:
        gated = gated_results(indicator, user, via, audit=False)
        overall = [s for s in gated.rows if s.dimension == presentation.OVERALL and s.complete]
        if overall:
            found[indicator.pk] = sorted(overall, key=lambda s: s.period)
    if found and may_see_exact(user):
        slugs = sorted(i.slug for i in indicators if i.pk in found)
        _record_exact(user, slugs, via, len(found))
    return found


def home_grid(user: Any) -> list[dict[str, Any]]:
    """The home page's grid: per indicator with a complete result, its latest overall value as
    ``user`` may see it, how it moved since the period before, and which of the user's bodies
    work on its outcome; those the user works on come first."""
    series = overall_series(user, "home page")
    working_on = _bodies_by_outcome(bodies_of(user))
    rows = []
    for indicator in Indicator.objects.filter(pk__in=series).order_by("name"):
        *earlier, latest = series[indicator.pk]
        previous = earlier[-1].value if earlier else None
        moved = headline.movement(
            latest.value, previous, higher_is_better=indicator.higher_is_better
        )
        yours = working_on.get(indicator.outcome_id or 0, [])
        unit = change_unit(indicator.unit)  # "+2.0 percentage points", never "+2.0%"
        rows.append({"indicator": indicator, "latest": latest, "movement": moved, "yours": yours,
                     "change_unit": unit})  # fmt: skip
    return sorted(rows, key=lambda row: not row["yours"])  # stable: by name within each


def bodies_of(user: Any) -> list[GovernanceBody]:
    """The bodies (networks, tables) where the user holds a current seat, in person or through
    the partner their account works for."""
    link = getattr(user, "partner_user", None) if user.is_authenticated else None
    if link is None:
        return []
    seats = Q(representing=link.partner) | (Q(person=link.person) if link.person_id else Q())
    memberships = Membership.objects.filter(seats).select_related("body")
    bodies = {ms.body for ms in memberships if ms.is_current()}
    return sorted(bodies, key=lambda body: body.name)


def _bodies_by_outcome(bodies: list[GovernanceBody]) -> dict[int, list[GovernanceBody]]:
    found: dict[int, list[GovernanceBody]] = {}
    for body in bodies:
        for outcome_id in body.outcomes.values_list("pk", flat=True):
            found.setdefault(outcome_id, []).append(body)
    return found


# --- the standard library ------------------------------------------------------------------


def install_standard_library() -> list[Indicator]:
    """Create or update an indicator for every standard-library definition (versions go up
    only for definitions that changed), linked to the shared outcome it measures if the
    registry has it; ``${…}`` settings are the partnership's (its living wage)."""
    from backbone.indicators.library import LIBRARY_LEVELS, LIBRARY_OUTCOMES, standard_library
    from backbone.partnership.models import Partnership, SharedOutcome

    outcomes = {o.slug: o for o in SharedOutcome.objects.all()}
    installed = []
    for entry in standard_library(Partnership.settings()):
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


def outcome_page(outcome: Any, user: Any) -> dict[str, Any]:
    """A shared outcome: the sector goals it joins, each of its indicators' trend (with targets
    and forecast) as ``user`` may see it, and the outcome's milestones."""
    indicators = []
    for indicator in outcome.indicators.filter(active=True):
        gated = gated_results(indicator, user, "outcome page")
        values = [v for v in _values(indicator, gated) if v.dimension == presentation.OVERALL]
        trend = presentation.trend(values, subject_of(indicator, exact=gated.exact))
        headline = presentation.headline(values)
        stories = indicator.stories.all()
        indicators.append(
            {"indicator": indicator, "latest": headline.row if headline else None,
             "data_as_of": data_as_of(latest_results(indicator)),
             "trend_svg": _trend_svg(indicator, trend, gated.run) if trend.points else "",
             "story": stories[0] if stories else None}
        )  # fmt: skip
    return {
        "outcome": outcome,
        "goals": outcome.sector_goals.all(),
        "indicators": indicators,
        "milestones": outcome.milestones.all(),
    }


# The measurement plan (docs/indicators.md, "Measurement plan") ---------------------------------


def measurement_plan(today: dt.date | None = None) -> list[plan.PlanRow]:
    """Every active indicator's line in the plan: the feeds of its last run (or, before its
    first run, the files loaded now), their schedules and the agreement covering each today."""
    today = today or timezone.localdate()
    indicators = list(Indicator.objects.filter(active=True).select_related("owner"))
    last_runs = dict(Result.objects.values_list("indicator_id").annotate(Max("run_id")).order_by())
    runs = ComputeRun.objects.in_bulk(set(last_runs.values()))
    current = _current_submissions()
    feeds: dict[int | None, list[plan.Feed]] = {}
    rows = []
    for indicator in indicators:
        run_id = last_runs.get(indicator.pk)
        if run_id not in feeds:
            ids = runs[run_id].submissions if run_id is not None else current
            feeds[run_id] = _feeds(ids, today)
        rows.append(_plan_row(indicator, feeds[run_id]))
    return sorted(rows, key=lambda r: r.name)


def _plan_row(indicator: Indicator, feeds: list[plan.Feed]) -> plan.PlanRow:
    owner = indicator.owner.name if indicator.owner else ""
    try:
        definition = definition_of(indicator)
    except ValidationError:  # a stored definition the code no longer reads: say so, go on
        return plan.PlanRow(indicator.slug, indicator.name, (), (), (), owner, (plan.UNREADABLE,))
    return plan.plan_row(plan.Planned(definition, owner), feeds)


def _current_submissions() -> list[int]:
    loaded = Submission.objects.filter(status=Submission.Status.LOADED, destroyed_at__isnull=True)
    return list(loaded.values_list("pk", flat=True))


def _feeds(submission_ids: Iterable[int], today: dt.date) -> list[plan.Feed]:
    """One feed per partner and contract among ``submission_ids``, with the tables their rows
    went to, their schedule and the agreement covering them on ``today``."""
    tables: dict[tuple[Partner, str], set[str]] = {}
    for s in Submission.objects.filter(pk__in=list(submission_ids)).select_related("partner"):
        delivered = {t for t, n in (s.rows or {}).items() if n} or set(contract(s.contract).tables)
        tables.setdefault((s.partner, s.contract), set()).update(delivered)
    schedules = {(r.partner_id, r.contract): r for r in ReportingSchedule.objects.all()}
    return [
        _feed(partner, name, frozenset(found), schedules.get((partner.pk, name)), today)
        for (partner, name), found in tables.items()
    ]


def _feed(
    partner: Partner, name: str, tables: frozenset[str], schedule: Any, today: dt.date
) -> plan.Feed:
    agreement, gap = "", ""
    try:
        check = FieldCheck.start(disclosing_terms(partner), partner.slug, name, today)
        agreement = check.candidates[0].slug
    except NotCovered as refused:
        gap = plan.uncovered(partner.name, name, str(refused).partition(": ")[2])
    when = (
        f"{schedule.get_frequency_display()}, due {schedule.due_days} days after"
        if schedule
        else ""
    )
    return plan.Feed(partner.slug, partner.name, name, tables, when, agreement, gap)


def write_plan_csv(rows: Sequence[plan.PlanRow], handle: Any) -> None:
    """The plan as CSV (through the disclosure module's formula-safe writer)."""
    writer = safe_csv.writer(handle)
    writer.writerow(plan.CSV_COLUMNS)
    writer.writerows(plan.csv_rows(rows))
