"""Targets, baselines, milestones and stories in the token API (``/api/v1/``, docs/targets.md):
the same services and permission checks as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from backbone.indicators import target_services as ts
from backbone.indicators.models import Indicator, Target
from backbone.indicators.targets import OVERALL
from backbone.partnership.models import Partner

VIEW = "partnership.view_registry"
router = Router(tags=["targets"])


class BaselinesIn(Schema):
    period: str
    dimension: str = OVERALL
    values: dict[str, float]


class TargetIn(Schema):
    method: str
    goal_year: int
    dimension: str = OVERALL
    goal: float | None = None
    reference_group: str = ""
    note: str = ""


class TargetOut(Schema):
    method: str
    dimension: str
    goal: float | None
    goal_year: int
    baseline_year: int | None
    reference_group: str
    path: dict[str, dict[str, float]]


class MilestoneIn(Schema):
    date: dt.date
    title: str
    evidence: str = ""
    status: str = "planned"


class StoryIn(Schema):
    network: str
    story: str
    contributing_factors: str = ""
    restricting_factors: str = ""
    what_works: str = ""
    no_cost_idea: str = ""
    action_plan: str = ""
    partners: list[str] = []


def _indicator(request: HttpRequest, slug: str, permission: str) -> Indicator:
    if not request.user.has_perm(permission):
        raise HttpError(403, f"you need the {permission} permission")
    return get_object_or_404(Indicator, slug=slug)


def _out(target: Target) -> dict[str, Any]:
    return {name: getattr(target, name) for name in TargetOut.model_fields}


@router.get("/indicators/{slug}/targets", response=list[TargetOut], url_name="target_list")
def target_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    """The indicator's targets, each with its stored yearly path per group."""
    indicator = _indicator(request, slug, VIEW)
    return [_out(t) for t in indicator.targets.order_by("dimension")]


@router.post("/indicators/{slug}/baselines", response=dict[str, int], url_name="baselines_set")
def baselines_set(request: HttpRequest, slug: str, body: BaselinesIn) -> dict[str, int]:
    indicator = _indicator(request, slug, ts.SET_TARGETS)
    try:
        saved = ts.save_baselines(indicator, body.period, body.dimension, body.values, request.user)
    except ValueError as error:
        raise HttpError(422, str(error)) from None
    return {"saved": len(saved)}


@router.post("/indicators/{slug}/targets/preview", response=TargetOut, url_name="target_preview")
def target_preview(request: HttpRequest, slug: str, body: TargetIn) -> dict[str, Any]:
    """The yearly path the target would set, without saving it."""
    indicator = _indicator(request, slug, ts.SET_TARGETS)
    choice = ts.TargetChoice(**body.dict())
    try:
        path = ts.target_path(indicator, choice)
    except ValueError as error:
        raise HttpError(422, str(error)) from None
    year, _ = ts.baselines_of(indicator, choice.dimension)
    unsaved = Target(indicator=indicator, **body.dict())
    unsaved.baseline_year = year
    unsaved.path = {g: {str(y): v for y, v in s.items()} for g, s in path.items()}
    return _out(unsaved)


@router.post("/indicators/{slug}/targets", response=TargetOut, url_name="target_save")
def target_save(request: HttpRequest, slug: str, body: TargetIn) -> dict[str, Any]:
    indicator = _indicator(request, slug, ts.SET_TARGETS)
    try:
        return _out(ts.save_target(indicator, ts.TargetChoice(**body.dict()), request.user))
    except ValueError as error:
        raise HttpError(422, str(error)) from None


@router.post("/indicators/{slug}/milestones", response=dict[str, int], url_name="milestone_add")
def milestone_add(request: HttpRequest, slug: str, body: MilestoneIn) -> dict[str, int]:
    indicator = _indicator(request, slug, ts.RECORD_MILESTONES)
    made = ts.add_milestone(indicator, body.date, body.title, request.user, body.evidence,
                            body.status)  # fmt: skip
    return {"id": made.pk}


@router.post("/indicators/{slug}/stories", response=dict[str, int], url_name="story_add")
def story_add(request: HttpRequest, slug: str, body: StoryIn) -> dict[str, int]:
    """A turn-the-curve story by a member of an action network working on the indicator."""
    indicator = _indicator(request, slug, ts.WRITE_STORIES)
    networks = {n.slug: n for n in ts.story_networks(request.user, indicator)}
    if body.network not in networks:
        raise HttpError(
            403, f"you hold no seat on an action network {body.network!r} of this indicator"
        )
    texts = body.dict(exclude={"network", "partners"})
    partners = list(Partner.objects.filter(slug__in=body.partners))
    return {
        "id": ts.save_story(indicator, networks[body.network], texts, request.user, partners).pk
    }
