"""Baselines, targets, milestones and turn-the-curve stories entered in the app (docs/targets.md).

The pages, the API and the targets file all call these functions, so each save is checked
the same way and recorded in the audit log. A target's yearly path is computed by
``targets.targets`` from the dimension's baselines and stored with the target, so what the
director saw in the preview is what the scorecard shows later.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction

from backbone.governance.services import record
from backbone.indicators import services, targets_file
from backbone.indicators.models import Baseline, Indicator, Milestone, Target, TurnTheCurve
from backbone.indicators.targets import OVERALL, Method, TargetSpec, targets
from backbone.partnership.models import GovernanceBody, Partner

SET_TARGETS = "indicators.set_targets"
RECORD_MILESTONES = "indicators.record_milestones"
WRITE_STORIES = "indicators.write_stories"
NETWORK = "action_network"
# Bumped by every save here: the public scorecard's page cache keys on it, so a new target or
# story shows at once instead of when the cached page expires.
EDITS_KEY = "indicators:report-card-edits"


def _edited() -> None:
    cache.set(EDITS_KEY, time.time_ns(), None)


@dataclass(frozen=True)
class TargetChoice:
    """What a director chooses for one target: the method, the dimension whose groups get a
    path (``overall`` for the whole population only), the goal and its year, and for
    halve-the-gap the reference group."""

    method: str
    goal_year: int
    dimension: str = OVERALL
    goal: float | None = None
    reference_group: str = ""
    note: str = ""


def baselines_of(indicator: Indicator, dimension: str) -> tuple[int | None, dict[str, float]]:
    """The baseline year and values of ``dimension``'s groups, the overall one included: those
    of the dimension's latest baseline period, with the overall value of that period (or the
    latest overall value when none was saved for it)."""
    own = indicator.baselines.filter(dimension=dimension).order_by("-period")
    latest = own.values_list("period", flat=True).first()
    rows = list(own.filter(period=latest)) if latest is not None else []
    if dimension != OVERALL:
        overall = indicator.baselines.filter(dimension=OVERALL).order_by("-period")
        row = overall.filter(period=latest).first() or overall.first()
        rows += [row] if row is not None else []
    found = {OVERALL if r.dimension == OVERALL else r.group_value: r.value for r in rows}
    periods = {r.period for r in rows}
    year = int(min(periods)) if periods and all(p.isdigit() for p in periods) else None
    return year, found


def save_baselines(
    indicator: Indicator, period: str, dimension: str, values: dict[str, float], actor: Any
) -> list[Baseline]:
    """Set ``dimension``'s baselines for ``period`` (``overall`` is the whole population's)."""
    if not period.isdigit():
        raise ValueError(f"the baseline period must be a year like 2025, not {period!r}")
    saved = []
    with transaction.atomic():
        for group, value in values.items():
            where = (OVERALL, "all") if group == OVERALL else (dimension, group)
            row, _ = Baseline.objects.update_or_create(
                indicator=indicator, dimension=where[0], group_value=where[1], period=period,
                defaults={"value": value},
            )  # fmt: skip
            saved.append(row)
        record(actor, "change", "indicators.baseline", indicator.slug, "targets",
               {"period": period, "dimension": dimension, "values": values})  # fmt: skip
    _edited()
    return saved


def target_path(indicator: Indicator, choice: TargetChoice) -> dict[str, dict[int, float]]:
    """Each group's target per year under ``choice``, from the stored baselines, rounded to two
    decimals. ``ValueError`` lists every problem (no baselines, a goal year too early, …)."""
    year, baselines = baselines_of(indicator, choice.dimension)
    if year is None or not baselines:
        raise ValueError(f"set the baselines of {choice.dimension!r} (with a year) first")
    spec = TargetSpec(
        cast(Method, choice.method), year, choice.goal_year, choice.goal,
        reference_group=choice.reference_group or None,
        higher_is_better=indicator.higher_is_better,
    )  # fmt: skip
    computed = targets(spec, baselines)
    return {g: {y: round(v, 2) for y, v in s.items()} for g, s in computed.items()}


def save_target(indicator: Indicator, choice: TargetChoice, actor: Any) -> Target:
    """Compute ``choice``'s path and keep it as the dimension's one target (replacing any)."""
    path = target_path(indicator, choice)
    year, _ = baselines_of(indicator, choice.dimension)
    stored = {g: {str(y): v for y, v in s.items()} for g, s in path.items()}  # JSON keys
    fields = {
        "method": choice.method, "goal": choice.goal, "goal_year": choice.goal_year,
        "reference_group": choice.reference_group, "note": choice.note,
        "baseline_year": year, "path": stored,
    }  # fmt: skip
    with transaction.atomic():
        indicator.targets.filter(dimension=choice.dimension).delete()
        target = Target.objects.create(indicator=indicator, dimension=choice.dimension, **fields)
        record(actor, "change", "indicators.target", target.pk, "targets",
               {"indicator": indicator.slug, "dimension": choice.dimension, **fields})  # fmt: skip
    _edited()
    return target


def add_milestone(
    indicator: Indicator, date: dt.date, title: str, actor: Any, evidence: str = "",
    status: str = Milestone.Status.PLANNED,
) -> Milestone:  # fmt: skip
    """Record a milestone of ``indicator`` (and its outcome)."""
    milestone = Milestone.objects.create(
        indicator=indicator, outcome=indicator.outcome, date=date, title=title,
        evidence=evidence, status=status,
    )  # fmt: skip
    record(actor, "create", "indicators.milestone", milestone.pk, "targets",
           {"indicator": indicator.slug, "title": title, "date": date.isoformat()})  # fmt: skip
    _edited()
    return milestone


def story_networks(user: Any, indicator: Indicator) -> list[GovernanceBody]:
    """The action networks working on ``indicator``'s outcome where ``user`` holds a current
    seat (in person or through their partner); every such network for a superuser."""
    if not user.has_perm(WRITE_STORIES) or indicator.outcome_id is None:
        return []
    working = GovernanceBody.objects.filter(kind=NETWORK, outcomes=indicator.outcome_id)
    if user.is_superuser:
        return list(working.order_by("name"))
    return [b for b in services.bodies_of(user) if b.kind == NETWORK and b in set(working)]


def save_story(
    indicator: Indicator, network: GovernanceBody, fields: dict[str, str], actor: Any,
    partners: list[Partner] | None = None, written_on: dt.date | None = None,
) -> TurnTheCurve:  # fmt: skip
    """Keep a turn-the-curve story of ``network`` about ``indicator``."""
    story = TurnTheCurve.objects.create(
        indicator=indicator, network=network, written_on=written_on or dt.date.today(),
        written_by=getattr(actor, "username", str(actor or "")), **fields,
    )  # fmt: skip
    story.partners.set(partners or [])
    record(actor, "create", "indicators.turnthecurve", story.pk, "targets",
           {"indicator": indicator.slug, "network": network.slug})  # fmt: skip
    _edited()
    return story


# The targets file ---------------------------------------------------------------------------


def import_targets_file(path: Path, actor: Any = None) -> list[str]:
    """Create the baselines, targets and stories of a ``targets.yaml`` (docs/targets.md); what
    was done, one line each. Stories already there (same indicator, network and date) are
    left alone, so importing again changes nothing. ``ValueError`` lists every problem."""
    plan = targets_file.parse(path.read_text())
    indicators = {i.slug: i for i in Indicator.objects.all()}
    networks = {b.slug: b for b in GovernanceBody.objects.filter(kind=NETWORK)}
    _known(plan, indicators, networks)
    done = []
    with transaction.atomic():
        for planned in plan.targets:
            done.append(_import_target(indicators[planned.indicator], planned, actor))
        for story in plan.stories:
            done.append(_import_story(indicators[story.indicator], networks[story.network], story,
                                      actor))  # fmt: skip
    return done


def _known(plan: targets_file.TargetsPlan, indicators: dict[str, Indicator],
           networks: dict[str, GovernanceBody]) -> None:  # fmt: skip
    missing = [
        f"no indicator {t.indicator!r}" for t in plan.targets if t.indicator not in indicators
    ]
    missing += [
        f"no indicator {s.indicator!r}" for s in plan.stories if s.indicator not in indicators
    ]
    missing += [
        f"no action network {s.network!r}" for s in plan.stories if s.network not in networks
    ]
    if missing:
        raise ValueError("\n".join(sorted(set(missing))))


def _import_target(indicator: Indicator, planned: targets_file.PlannedTarget, actor: Any) -> str:
    found = (
        published_baselines(indicator, planned.dimension)
        if isinstance(planned.baselines, str)
        else planned.baselines
    )
    if found is None:
        return f"{indicator.slug}: no published values to take baselines from; skipped"
    period, values = found
    save_baselines(indicator, period, planned.dimension, values, actor)
    choice = TargetChoice(planned.method, planned.goal_year, planned.dimension, planned.goal,
                          planned.reference_group, planned.note)  # fmt: skip
    target = save_target(indicator, choice, actor)
    groups = len(values) - (OVERALL in values)
    said = f"{target.method} target by {target.goal_year} from {period}, {groups} groups"
    return f"{indicator.slug}: {said}"


def published_baselines(
    indicator: Indicator, dimension: str
) -> tuple[str, dict[str, float]] | None:
    """The latest complete year's overall value and ``dimension``'s group values as the public
    would see them (protected; withheld groups left out), or None without an overall value."""
    rows = [r for r in services.gated_results(indicator, AnonymousUser(), "targets").rows
            if r.complete and r.value is not None and r.period.isdigit()]  # fmt: skip
    years = sorted({r.period for r in rows if r.dimension == OVERALL}, key=int)
    if not years:
        return None
    latest = [r for r in rows if r.period == years[-1]]
    values = {OVERALL if r.dimension == OVERALL else r.group: float(r.value or 0) for r in latest
              if r.dimension in {OVERALL, dimension}}  # fmt: skip
    return years[-1], values


def _import_story(indicator: Indicator, network: GovernanceBody,
                  planned: targets_file.PlannedStory, actor: Any) -> str:  # fmt: skip
    there = indicator.stories.filter(network=network, written_on=planned.written_on).exists()
    if not there:
        partners = list(Partner.objects.filter(slug__in=planned.partners))
        save_story(indicator, network, planned.texts, actor, partners, planned.written_on)
    return f"{indicator.slug}: story of {network.slug} ({'kept' if there else 'added'})"
