"""The ``networks.yaml`` format: the action networks' charters, plans, PDSA history and barriers,
kept beside ``partnership.yaml`` and validated the same way — the whole file first, every
problem listed with where it is, nothing written when one is found.

>>> text = '''
... networks:
...   - network: reading
...     charter: {aim: improve reading soon, indicator: grade3_reading,
...               baseline: {value: 58, period: "2024"}}
... '''
>>> try:
...     parse_networks(text)
... except NetworksFileError as error:
...     print(str(error).splitlines()[0])
...     for where, what in error.problems:
...         print(where, what.split(":")[0])
4 problem(s) in networks.yaml:
networks[0].charter The aim has no number
networks[0].charter The aim has no date
networks[0].charter Give the target value the aim names.
networks[0].charter Give the date by which the target is to be reached.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from backbone.improvement.aims import aim_problems

FORMAT: Literal["backbone.networks/1"] = "backbone.networks/1"
Slug = str


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Baseline(Entry):
    value: float
    period: str = Field(min_length=1)


class Target(Entry):
    value: float
    date: dt.date


class MeasureEntry(Entry):
    kind: Literal["outcome", "process", "balancing"]
    indicator: Slug
    definition: str = ""


class CharterEntry(Entry):
    aim: str = Field(min_length=1)
    indicator: Slug
    dimension: str = ""
    group: str = ""
    baseline: Baseline
    target: Target | None = None
    measures: list[MeasureEntry] = []

    @model_validator(mode="after")
    def measurable_and_dated(self) -> CharterEntry:
        target = self.target
        problems = aim_problems(
            self.aim, target.value if target else None, target.date if target else None
        )
        if problems:
            raise ValueError("\n".join(problems))
        return self


class ActionEntry(Entry):
    title: str = Field(min_length=1, max_length=300)
    owner: Slug
    due: dt.date
    status: Literal["planned", "underway", "done", "dropped"] = "planned"


class CycleEntry(Entry):
    """One PDSA cycle (methods §3.2); its number is its place in the list of its change idea."""

    owner: Slug | None = None
    purpose: Literal["collect", "develop", "test", "implement"] = "test"
    objective: str
    question: str
    prediction: str
    measure: Slug | None = None  # the indicator of one of the charter's measures
    plan: str = ""
    planned_start: dt.date
    planned_end: dt.date
    actual_start: dt.date | None = None
    actual_end: dt.date | None = None
    as_planned: bool | None = None
    observations: str = ""
    analysis: str = ""
    prediction_confirmed: bool | None = None
    learning: str = ""
    decision: Literal["", "adopt", "adapt", "abandon"] = ""
    next_cycle: str = ""


class SeriesEntry(Entry):
    change_idea: str = Field(min_length=1, max_length=300)
    cycles: list[CycleEntry] = Field(min_length=1)


class BarrierEntry(Entry):
    title: str = Field(min_length=1, max_length=300)
    description: str
    level: Literal["organization", "local", "state", "federal"]
    status: Literal["raised", "reviewing", "advocating", "resolved", "set_aside"] = "raised"
    partner: Slug | None = None
    raised_on: dt.date
    advocacy: list[str] = []


class NetworkEntry(Entry):
    network: Slug
    charter: CharterEntry | None = None
    actions: list[ActionEntry] = []
    pdsa: list[SeriesEntry] = []
    barriers: list[BarrierEntry] = []


class NetworksFile(Entry):
    format: Literal["backbone.networks/1"] = FORMAT
    networks: list[NetworkEntry] = []


class NetworksFileError(ValueError):
    """A networks file that cannot be imported; ``problems`` lists every ``(where, what)``."""

    def __init__(self, problems: list[tuple[str, str]], filename: str = "networks.yaml"):
        self.problems = problems
        lines = "\n".join(f"{where}: {what}" for where, what in problems)
        super().__init__(f"{len(problems)} problem(s) in {filename}:\n{lines}")


def parse_networks(text: str, filename: str = "networks.yaml") -> NetworksFile:
    """Validate ``text`` as a networks file and return it, or raise ``NetworksFileError``."""
    try:
        data = yaml.safe_load(text) or {}
        return NetworksFile.model_validate(data)
    except yaml.YAMLError as error:
        raise NetworksFileError([("(file)", f"not valid YAML: {error}")], filename) from None
    except ValidationError as error:
        raise NetworksFileError(_problems(error), filename) from None


def _problems(error: ValidationError) -> list[tuple[str, str]]:
    found = []
    for item in error.errors(include_url=False):
        where = _path(item["loc"])
        for line in str(item["msg"]).removeprefix("Value error, ").splitlines():
            found.append((where, line))
    return found


def _path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(file)"
