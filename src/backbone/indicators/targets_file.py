"""The ``targets.yaml`` format: a partnership's baselines, targets and stories as one file kept
next to ``partnership.yaml`` (docs/targets.md).

Every problem is found before anything is written, each named by where it is.

>>> plan = parse('''
... targets:
...   - {indicator: grade3_reading, dimension: race_ethnicity, method: equitable,
...      goal: 80, goal_year: 2030, baselines: published}
... ''')
>>> plan.targets[0].goal_year, plan.targets[0].baselines
(2030, 'published')
>>> parse("targets: [{indicator: x, method: sideways, goal_year: 2030}]")
Traceback (most recent call last):
...
ValueError: targets[1]: unknown method 'sideways'; known: fixed, steady, equitable, halve_gap
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import yaml

from backbone.indicators.targets import METHODS, OVERALL

PUBLISHED = "published"  # baselines read from the latest complete published values
STORY_TEXTS = (
    "story", "contributing_factors", "restricting_factors", "what_works", "no_cost_idea",
    "action_plan",
)  # fmt: skip


@dataclass(frozen=True)
class PlannedTarget:
    """A target of the file; ``baselines`` is ``published`` or ``(year, {group: value})``."""

    indicator: str
    method: str
    goal_year: int
    dimension: str = OVERALL
    goal: float | None = None
    reference_group: str = ""
    note: str = ""
    baselines: str | tuple[str, dict[str, float]] = PUBLISHED


@dataclass(frozen=True)
class PlannedStory:
    indicator: str
    network: str
    written_on: dt.date
    texts: dict[str, str]
    partners: tuple[str, ...] = ()


@dataclass
class TargetsPlan:
    targets: list[PlannedTarget] = field(default_factory=list)
    stories: list[PlannedStory] = field(default_factory=list)


def parse(text: str) -> TargetsPlan:
    """The plan in ``text``; ``ValueError`` lists every problem, each with its place."""
    data = yaml.safe_load(text) or {}
    problems: list[str] = []
    plan = TargetsPlan()
    for number, item in enumerate(data.get("targets") or [], start=1):
        _collect(problems, f"targets[{number}]", lambda i=item: plan.targets.append(_target(i)))
    for number, item in enumerate(data.get("stories") or [], start=1):
        _collect(problems, f"stories[{number}]", lambda i=item: plan.stories.append(_story(i)))
    if problems:
        raise ValueError("\n".join(problems))
    return plan


def _collect(problems: list[str], where: str, read: Any) -> None:
    try:
        read()
    except (KeyError, TypeError, ValueError) as error:
        said = f"needs {error}" if isinstance(error, KeyError) else str(error)
        problems.append(f"{where}: {said}")


def _target(item: dict[str, Any]) -> PlannedTarget:
    if item["method"] not in METHODS:
        raise ValueError(f"unknown method {item['method']!r}; known: {', '.join(METHODS)}")
    baselines = item.get("baselines", PUBLISHED)
    if baselines != PUBLISHED:
        values = {str(g): float(v) for g, v in baselines["values"].items()}
        baselines = (str(baselines["period"]), values)
    goal = item.get("goal")
    return PlannedTarget(
        str(item["indicator"]), item["method"], int(item["goal_year"]),
        str(item.get("dimension", OVERALL)), None if goal is None else float(goal),
        str(item.get("reference_group", "")), str(item.get("note", "")), baselines,
    )  # fmt: skip


def _story(item: dict[str, Any]) -> PlannedStory:
    if not str(item.get("story", "")).strip():
        raise ValueError("needs 'story': the story behind the curve")
    texts = {name: str(item.get(name, "")).strip() for name in STORY_TEXTS}
    written = item.get("written_on", dt.date.today())
    written = written if isinstance(written, dt.date) else dt.date.fromisoformat(str(written))
    partners = tuple(str(p) for p in item.get("partners", ()))
    return PlannedStory(str(item["indicator"]), str(item["network"]), written, texts, partners)
