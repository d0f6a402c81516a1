"""The standard library: the indicators every partnership starts from, one YAML file each.

Each file under ``library/`` is an ``IndicatorDefinition`` (slug, name, description, table,
joins, denominator, numerator, cohort, period, dimensions, unit, value, higher_is_better) plus
what a reader of a scorecard needs to know about it:

- ``level``: ``population_indicator`` (a whole population: the city's third graders) or
  ``performance_measure`` (a programme's clients: the workforce board's exiters);
- ``rba_category``: Results-Based Accountability's question, ``how_much``, ``how_well`` or
  ``better_off``;
- ``period_type``: how periods are named (``school_year`` spring years, ``program_year``
  WIOA years named for their start, ``calendar_year``);
- ``data_sources``: the partners' data the indicator reads, in words;
- ``citation``: where the formula comes from.

A file may use a partnership setting as ``${name}`` (``${living_wage_hourly}``): loading puts
the partnership's figure in its place (``partnership.yaml``), else the library's default in
``DEFAULT_SETTINGS``, so the stored definition states the number it was computed with and a new
figure gives a new version.

``standard_library()`` loads and checks every file (``check_definition``), so a broken file
fails loudly rather than at the first scorecard. Formulas and sources are in
``docs/indicators.md`` ("Standard library").

>>> [i.slug for i in standard_library()][:2]
['chronic_absence', 'chronic_absence_housing']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict

from backbone.indicators.definitions import IndicatorDefinition, check_definition

Level = Literal["population_indicator", "performance_measure"]
RbaCategory = Literal["how_much", "how_well", "better_off"]
PeriodType = Literal["school_year", "program_year", "calendar_year", "cohort_year"]

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
    "young_adult_living_wage_employment": "young-adult-living-wage-employment",
    "chronic_absence_housing": "housing-education-stability",
    "school_moves_housing": "housing-education-stability",
    "exits_to_permanent_housing": "housing-education-stability",
}
LIBRARY_LEVELS = {"population_indicator": "population", "performance_measure": "performance"}

# The demo city's living wage, per hour; a partnership sets its own in partnership.yaml.
DEFAULT_SETTINGS: dict[str, float] = {"living_wage_hourly": 17.50}
SETTING = re.compile(r"\$\{([a-z_]+)\}")
LIBRARY_PACKAGE = "backbone.indicators"
LIBRARY_FOLDER = "library"


class StandardIndicator(BaseModel):
    """One standard-library indicator: its definition and what a reader needs to know."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    definition: IndicatorDefinition
    level: Level
    rba_category: RbaCategory
    period_type: PeriodType
    data_sources: tuple[str, ...]
    citation: str

    @property
    def slug(self) -> str:
        return self.definition.slug

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StandardIndicator:
        """Read the flat form the YAML files use: definition fields and metadata side by side."""
        fields = set(IndicatorDefinition.model_fields)
        definition = {k: v for k, v in data.items() if k in fields}
        metadata = {k: v for k, v in data.items() if k not in fields}
        return cls.model_validate({"definition": definition, **metadata})

    def to_dict(self) -> dict[str, Any]:
        """The flat form again (``from_dict(x.to_dict()) == x``)."""
        metadata = self.model_dump(mode="json", exclude={"definition"})
        return {**self.definition.model_dump(mode="json", exclude_defaults=True), **metadata}


def with_settings(text: str, settings: Mapping[str, float] | None = None) -> str:
    """``text`` with each ``${name}`` replaced by the setting's figure (``settings`` first,
    then ``DEFAULT_SETTINGS``); an unknown name raises ``KeyError``.

    >>> with_settings("wages >= 13 * 40 * ${living_wage_hourly}", {"living_wage_hourly": 21.5})
    'wages >= 13 * 40 * 21.50'
    """
    known = {**DEFAULT_SETTINGS, **(settings or {})}

    def figure(match: re.Match[str]) -> str:
        if match.group(1) not in known:
            raise KeyError(f"no setting {match.group(1)!r}; known: {', '.join(sorted(known))}")
        return f"{known[match.group(1)]:.2f}"

    return SETTING.sub(figure, text)


def load_indicator(path: Path, settings: Mapping[str, float] | None = None) -> StandardIndicator:
    """One library file with ``settings`` filled in, validated and checked; errors name the
    file."""
    try:
        text = with_settings(path.read_text(encoding="utf-8"), settings)
        indicator = StandardIndicator.from_dict(yaml.safe_load(text))
        check_definition(indicator.definition)
    except (ValueError, KeyError) as error:  # ValidationError and DefinitionError are ValueErrors
        raise ValueError(f"{path.name}: {error}") from error
    if indicator.slug != path.stem:
        raise ValueError(f"{path.name}: slug {indicator.slug!r} differs from the file name")
    return indicator


def library_files() -> list[Path]:
    folder = resources.files(LIBRARY_PACKAGE) / LIBRARY_FOLDER
    return sorted(Path(str(item)) for item in folder.iterdir() if item.name.endswith(".yaml"))


def standard_library(settings: Mapping[str, float] | None = None) -> list[StandardIndicator]:
    """Every standard indicator, sorted by slug, each checked with ``check_definition``;
    ``settings`` are the partnership's figures (``Partnership.settings()``)."""
    return [load_indicator(path, settings) for path in library_files()]


def standard_indicator(slug: str) -> StandardIndicator:
    """The standard indicator called ``slug``; ``KeyError`` lists the known slugs otherwise."""
    indicators = {i.slug: i for i in standard_library()}
    try:
        return indicators[slug]
    except KeyError:
        raise KeyError(f"no standard indicator {slug!r}; known: {', '.join(indicators)}") from None
