"""The ``workforce.yaml`` format: sector partnerships, job roles, competencies, curricula and
employers' commitments as numbers.

It sits next to ``partnership.yaml`` and ``programs.yaml`` and is read the same way:
``parse_workforce`` validates the whole file before anything is written and raises
``RegistryFileError`` listing every problem with its line and field.

>>> text = '''
... partnerships:
...   - slug: health
...     name: Health Sector Partnership
...     sector: Health care
...     employers: [st-brigid-health]
...     programs: [Healthcare Career Pathway]
...     backbone: {partner: riverton-c2c, funding: line_item}
...     commitments:
...       - {employer: st-brigid-health, kind: interviews, per_completer: 1.0, level: sustained}
... '''
>>> c = parse_workforce(text).partnerships[0].commitments[0]
>>> c.kind, c.has_number
('interviews', True)
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, model_validator

from backbone.governance.registry_file import (
    Entry,
    Loc,
    Problem,
    RegistryFileError,
    Slug,
    field_path,
    line_of,
    schema_problems,
)

FILENAME = "workforce.yaml"
FORMAT = "backbone.workforce/1"
Kind = Literal["interviews", "hires", "internship_slots", "apprenticeship_slots", "wage_floor",
               "financial_contribution"]  # fmt: skip
Level = Literal["letter_of_support", "tactical", "sustained", "deep"]
Funding = Literal["line_item", "in_kind", "volunteer", "none"]
OutcomeSource = Literal["ui_wages", "survey", "none"]
SOC = r"^\d{2}-\d{4}$"


class JobRole(Entry):
    """A job at a named employer that a curriculum trains for."""

    slug: Slug
    employer: Slug
    title: str = Field(min_length=1, max_length=200)
    soc: str = Field(pattern=SOC)
    hourly_wage: float | None = Field(default=None, gt=0)
    hiring_months: list[int] = []
    aliases: list[str] = []  # values of training.job_role / employer_event.job_role meaning it

    @model_validator(mode="after")
    def months_are_months(self) -> JobRole:
        if any(not 1 <= m <= 12 for m in self.hiring_months):
            raise ValueError("hiring_months are month numbers 1 to 12")
        return self


class Competency(Entry):
    """A skill the employer says the job needs, validated by a named person on a date."""

    slug: Slug
    name: str = Field(min_length=1, max_length=200)
    employer: Slug | None = None
    validated_by: str = ""
    validated_on: dt.date | None = None

    @property
    def validated(self) -> bool:
        return bool(self.employer and self.validated_by and self.validated_on)


class Curriculum(Entry):
    """A provider's course, mapped to the job roles and competencies it prepares for."""

    slug: Slug
    name: str = Field(min_length=1, max_length=200)
    provider: Slug
    job_roles: list[Slug] = []
    competencies: list[Slug] = []


class Commitment(Entry):
    """An employer's written commitment: a number per period, or only words."""

    employer: Slug
    kind: Kind
    level: Level
    quantity: int | None = Field(default=None, gt=0)  # per period
    per_completer: float | None = Field(default=None, gt=0, le=1)  # e.g. 1.0 = every completer
    amount: float | None = Field(default=None, gt=0)  # dollars: hourly floor or contribution
    period: Literal["year", "quarter", "cohort"] = "year"
    job_role: Slug | None = None
    conversion_target: float | None = Field(default=None, gt=0, le=1)  # hires per interview
    agreement: Slug | None = None
    reporting: Literal["monthly", "quarterly", "semiannual", "annual", "none"] = "none"
    text: str = ""

    @property
    def has_number(self) -> bool:
        return any(v is not None for v in (self.quantity, self.per_completer, self.amount))


class Backbone(Entry):
    partner: Slug
    funding: Funding = "none"
    annual_budget: float | None = Field(default=None, ge=0)


class Outcomes(Entry):
    source: OutcomeSource = "none"
    years_after_exit: list[int] = []


class SectorPartnership(Entry):
    """Employers and training providers of one sector and region, with their backbone."""

    slug: Slug
    name: str = Field(min_length=1, max_length=200)
    sector: str = Field(min_length=1)
    region: str = ""
    target_occupations: list[Annotated[str, Field(pattern=SOC)]] = []
    employers: list[Slug] = []
    training_providers: list[Slug] = []
    programs: list[str] = []  # values of training.program this partnership's training carries
    ui_accounts: dict[str, str] = {}  # employer slug → UI account number (wage records)
    backbone: Backbone | None = None
    outcomes: Outcomes = Outcomes()
    job_roles: list[JobRole] = []
    competencies: list[Competency] = []
    curricula: list[Curriculum] = []
    commitments: list[Commitment] = []


class WorkforceFile(Entry):
    """The whole ``workforce.yaml``."""

    format: str = FORMAT
    partnerships: list[SectorPartnership] = []

    @model_validator(mode="after")
    def known_format(self) -> WorkforceFile:
        if self.format != FORMAT:
            raise ValueError(f"format {self.format!r} is not {FORMAT!r}")
        return self


def parse_workforce(text: str, filename: str = FILENAME) -> WorkforceFile:
    """Validate ``text`` as a workforce file and return it, or raise ``RegistryFileError``.

    Partners and agreements are checked against the registry on import
    (``workforce.registry``); this checks the file's shape and its own references.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else None
        problem = Problem(line, "", f"not valid YAML: {error.problem}")
        raise RegistryFileError([problem], filename) from None
    data = {} if data is None else data
    if not isinstance(data, dict):
        problem = Problem(1, "", "expected a mapping with a 'partnerships' key")
        raise RegistryFileError([problem], filename)
    problems = schema_problems(WorkforceFile, data, root)
    if not problems:
        problems = [Problem(line_of(root, loc), field_path(loc), m) for loc, m in _refs(data)]
    if problems:
        raise RegistryFileError(problems, filename)
    return WorkforceFile.model_validate(data)


def _refs(data: dict[str, Any]) -> list[tuple[Loc, str]]:
    """Job roles, competencies and employers a partnership names but does not hold."""
    found: list[tuple[Loc, str]] = []
    parsed = WorkforceFile.model_validate(data)
    for i, sp in enumerate(parsed.partnerships):
        roles = {r.slug for r in sp.job_roles}
        skills = {c.slug for c in sp.competencies}
        at = ("partnerships", i)
        for j, role in enumerate(sp.job_roles):
            if role.employer not in sp.employers:
                found.append(((*at, "job_roles", j, "employer"), "not one of its employers"))
        for j, course in enumerate(sp.curricula):
            found += [((*at, "curricula", j, "job_roles"), f"no job role {r!r}")
                      for r in course.job_roles if r not in roles]  # fmt: skip
            found += [((*at, "curricula", j, "competencies"), f"no competency {c!r}")
                      for c in course.competencies if c not in skills]  # fmt: skip
        for j, promise in enumerate(sp.commitments):
            if promise.employer not in sp.employers:
                found.append(((*at, "commitments", j, "employer"), "not one of its employers"))
            if promise.job_role and promise.job_role not in roles:
                found.append(((*at, "commitments", j, "job_role"), "no such job role"))
    return found
