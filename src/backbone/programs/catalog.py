"""The ``programs.yaml`` format: partners' programs, the outcomes they aim at, and strategies.

It sits next to ``partnership.yaml`` and is read the same way: ``parse_programs`` validates the
whole file before anything is written and raises ``RegistryFileError`` listing every problem
with its line and field. A program's target population is a condition in the indicators'
expression language (``indicators.expressions``), checked here, so a typo is refused at load.

>>> text = '''
... programs:
...   - slug: reading-buddies
...     partner: bright-futures-tutoring
...     name: Reading Buddies Tutoring
...     aliases: [Reading Buddies Tutoring]
...     dosage: {hours: 20, sessions: 10}
... '''
>>> parse_programs(text).programs[0].dosage.met(hours=12, sessions=10)
True
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from backbone.governance.registry_file import (
    Loc,
    Problem,
    RegistryFileError,
    Slug,
    field_path,
    line_of,
    schema_problems,
)
from backbone.indicators.expressions import ExpressionError, check_expression

FILENAME = "programs.yaml"
FORMAT = "backbone.programs/1"
GROUP_DIMENSIONS = ("race_ethnicity", "economically_disadvantaged")


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Dosage(Entry):
    """Who got enough of a program in a year: at least ``hours`` or at least ``sessions``
    (either suffices; a rule left blank does not count)."""

    hours: float | None = Field(default=None, gt=0)
    sessions: int | None = Field(default=None, gt=0)

    def met(self, hours: float, sessions: int) -> bool:
        """Whether a year's ``hours`` and ``sessions`` meet the rule.

        >>> Dosage(hours=20).met(19.5, 40), Dosage(hours=20, sessions=10).met(0, 10)
        (False, True)
        """
        by_hours = self.hours is not None and hours >= self.hours
        return by_hours or (self.sessions is not None and sessions >= self.sessions)

    @property
    def text(self) -> str:
        rules = [f"≥ {self.hours:g} hours"] if self.hours else []
        rules += [f"≥ {self.sessions} sessions"] if self.sessions else []
        return " or ".join(rules) or "none"


class Population(Entry):
    """Whom a program is for: a condition over canonical analytic ``tables``."""

    tables: list[str] = Field(min_length=1)
    condition: str = Field(min_length=1)

    @model_validator(mode="after")
    def checked(self) -> Population:
        try:
            check_expression(self.condition, self.tables)
        except ExpressionError as error:
            raise ValueError("; ".join(str(p) for p in error.problems)) from None
        return self


class Program(Entry):
    """One partner's program or practice."""

    slug: Slug
    partner: Slug
    name: str = Field(min_length=1, max_length=200)
    aliases: list[str] = []  # values of program_participation.program that mean this program
    service_type: str = ""
    sites: list[str] = []
    target_population: Population | None = None
    dosage: Dosage = Dosage()
    outcomes: list[Slug] = []
    description: str = ""


class Strategy(Entry):
    """How the partnership works on one outcome: for everyone or for a target group."""

    outcome: Slug
    name: str = Field(min_length=1, max_length=200)
    reach: Literal["universal", "targeted"] = "universal"
    target_group: str = ""
    programs: list[Slug] = []

    @model_validator(mode="after")
    def targeted_names_group(self) -> Strategy:
        if self.reach == "targeted" and not self.target_group:
            raise ValueError("a targeted strategy names its target_group")
        return self


class ProgramsFile(Entry):
    """The whole ``programs.yaml``."""

    format: str = FORMAT
    programs: list[Program] = []
    strategies: list[Strategy] = []

    @model_validator(mode="after")
    def known_format(self) -> ProgramsFile:
        if self.format != FORMAT:
            raise ValueError(f"format {self.format!r} is not {FORMAT!r}")
        return self


def parse_programs(text: str, filename: str = FILENAME) -> ProgramsFile:
    """Validate ``text`` as a programs file and return it, or raise ``RegistryFileError``.

    References to partners and outcomes are checked against the registry when it is imported
    (``programs.registry``); this checks the file's own shape and references.
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
        raise RegistryFileError(
            [Problem(1, "", "expected a mapping with a 'programs' key")], filename
        )
    problems = schema_problems(ProgramsFile, data, root)
    problems += [Problem(line_of(root, loc), field_path(loc), m) for loc, m in _references(data)]
    if problems:
        raise RegistryFileError(problems, filename)
    return ProgramsFile.model_validate(data)


def _references(data: dict[str, Any]) -> list[tuple[Loc, str]]:
    """Duplicate slugs, an alias claimed twice by one partner, strategies naming no program."""
    problems: list[tuple[Loc, str]] = []
    slugs: set[str] = set()
    aliases: dict[tuple[str, str], str] = {}
    for i, program in _entries(data, "programs"):
        slug = str(program.get("slug", ""))
        if slug in slugs:
            problems.append((("programs", i, "slug"), f"slug {slug!r} is used twice"))
        slugs.add(slug)
        for j, alias in enumerate(_list(program.get("aliases"))):
            owner = aliases.setdefault((str(program.get("partner", "")), str(alias)), slug)
            if owner != slug:
                problems.append((("programs", i, "aliases", j), f"alias {alias!r} is {owner}'s"))
    for i, strategy in _entries(data, "strategies"):
        for j, named in enumerate(_list(strategy.get("programs"))):
            if named not in slugs:
                problems.append((("strategies", i, "programs", j), f"no program {named!r}"))
    return problems


def _entries(data: dict[str, Any], section: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for index, entry in enumerate(_list(data.get(section))):
        if isinstance(entry, dict):
            yield index, entry


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
