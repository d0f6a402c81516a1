"""The indicator editor's form: a definition typed field by field, checked before it is saved.

The form is the web's spelling of an ``IndicatorDefinition``: joins and dimensions are one per
line, the period is two fields. ``definition_problems`` turns the definition's problems (from
pydantic or ``check_definition``) into problems named by form field, so the page, the JSON
check endpoint and the script in the browser all point at the same box.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, get_args

from django import forms
from pydantic import ValidationError

from backbone.disclosure.units import UNITS
from backbone.indicators.completeness import YearKind
from backbone.indicators.crossed import CROSS
from backbone.indicators.definitions import (
    DefinitionError,
    IndicatorDefinition,
    PeriodRule,
    check_definition,
)
from backbone.indicators.expressions import Problem, analytic_tables
from backbone.indicators.models import Indicator
from backbone.partnership.models import SharedOutcome

# A definition's field (as ``Problem.field`` or a pydantic location names it) → the form field.
FORM_FIELDS = {"description": "plain_definition", "period.column": "period_column"}
FORM_FIELDS |= {"period.rule": "period_rule", "period": "period_column"}
FORM_FIELDS |= {
    "complete_when": "waits_for", "complete_when.waits_for": "waits_for",
    "complete_when.follow_up_months": "follow_up_months",
    "complete_when.integer_period": "integer_period",
}  # fmt: skip
ITEM = re.compile(r"^(joins|dimensions|complete_when\.waits_for)\[(\d+)\]")
# A "waits for" line: ``table through quarter|school_year|program_year|calendar_year [of column]``
AWAITED = re.compile(r"^(\S+)\s+through\s+(\S+)(?:\s+of\s+(\S+))?$", re.IGNORECASE)
# Join line words → Join fields; ``where`` starts the condition, which runs to the line's end.
JOIN_OPTIONS = {"as": "alias", "on": "on", "latest_by": "latest_by"}
WHERE = re.compile(r"\s+where\s+", re.IGNORECASE)
RESERVED_SLUGS = {"new", "check", "openapi"}  # /indicators/new/ and the API's paths
# Stand-ins for boxes that failed their own check, so every other box is still checked.
BLANK = {"slug": "draft", "table": "", "period_rule": "value", "unit": "percent", "per": 1000}


def form_field(field: str) -> tuple[str, int | None]:
    """The form field a definition field is typed into, and for list fields the item's line.

    >>> form_field("dimensions[1]"), form_field("period.rule"), form_field("numerator")
    (('dimensions', 2), ('period_rule', None), ('numerator', None))
    >>> form_field("complete_when.waits_for[0]")
    ('waits_for', 1)
    """
    item = ITEM.match(field)
    if item:
        return FORM_FIELDS.get(item.group(1), item.group(1)), int(item.group(2)) + 1
    return FORM_FIELDS.get(field, field), None


def located(problem: Problem) -> Problem:
    """``problem`` named by its form field; an item of a list field is placed on its line."""
    field, line = form_field(problem.field)
    if line is not None:
        return replace(problem, field=field, line=line, col=problem.col or 1)
    return replace(problem, field=field)


def message(problem: Problem) -> str:
    """What the page shows under the field: the reason, and where in the text it is."""
    if problem.line is None:
        return problem.message
    near = f", at {problem.token!r}" if problem.token else ""
    return f"{problem.message} (line {problem.line}, column {problem.col}{near})"


def parse_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def parse_dimension(line: str) -> str | list[str]:
    """One dimension line: a column, or columns joined by ``×`` for a crossed dimension.

    >>> parse_dimension("d.race_ethnicity × d.sex"), parse_dimension("d.sex")
    (['d.race_ethnicity', 'd.sex'], 'd.sex')
    """
    columns = [c.strip() for c in line.split("×")]
    return columns if len(columns) > 1 else columns[0]


def dimension_line(dimension: str | list[str] | tuple[str, ...]) -> str:
    """A dimension as the form writes it: a crossed one's columns joined by ``×``."""
    return dimension if isinstance(dimension, str) else CROSS.join(dimension)


def parse_join(line: str) -> dict[str, str]:
    """One join line, ``table [as alias] [on record_id|person_key] [latest_by column]
    [where condition]``, as the definition's ``Join`` dict; ``where`` takes the rest of the line;
    an odd option is left for pydantic to refuse.

    >>> parse_join("person_demographics latest_by as_of")
    {'table': 'person_demographics', 'latest_by': 'as_of'}
    >>> parse_join("wages as w4 on person_key where w4.quarter = 4")
    {'table': 'wages', 'alias': 'w4', 'on': 'person_key', 'condition': 'w4.quarter = 4'}
    """
    head, *condition = WHERE.split(line.strip(), maxsplit=1)
    table, *rest = head.split()
    join = {"table": table}
    for index in range(0, len(rest), 2):
        option, value = rest[index], rest[index + 1] if index + 1 < len(rest) else ""
        name = JOIN_OPTIONS.get(option.lower(), f"unknown option {option}")
        join[name] = value
    if condition:
        join["condition"] = condition[0].strip()
    return join


def join_line(join: Mapping[str, Any]) -> str:
    parts = [join["table"]]
    if join.get("alias"):
        parts += ["as", join["alias"]]
    if join.get("on", "record_id") != "record_id":
        parts += ["on", join["on"]]
    if join.get("latest_by"):
        parts += ["latest_by", join["latest_by"]]
    if join.get("condition"):
        parts += ["where", " ".join(join["condition"].split())]
    return " ".join(parts)


def parse_awaited(line: str) -> dict[str, str]:
    """One "waits for" line, ``table through quarter|school_year|program_year|calendar_year
    [of column]``, as the definition's ``Awaited`` dict; a line not of that form is left for
    pydantic to refuse.

    >>> parse_awaited("wages through quarter")
    {'table': 'wages', 'through': 'quarter'}
    >>> parse_awaited("postsecondary through school_year of enrollment_begin")
    {'table': 'postsecondary', 'through': 'school_year', 'column': 'enrollment_begin'}
    """
    match = AWAITED.match(line.strip())
    if match is None:
        return {"table": line.strip(), "through": "(write: table through … [of column])"}
    table, through, column = match.groups()
    return {"table": table, "through": through} | ({"column": column} if column else {})


def awaited_line(awaited: Mapping[str, Any]) -> str:
    line = f"{awaited['table']} through {awaited['through']}"
    return f"{line} of {awaited['column']}" if awaited.get("column") else line


def definition_problems(
    data: Mapping[str, Any],
) -> tuple[IndicatorDefinition | None, list[Problem]]:
    """Validate ``data`` as a definition and check it; the definition when it passes, and
    every problem, each named by the form field it belongs to."""
    try:
        definition = IndicatorDefinition.model_validate(data)
    except ValidationError as error:
        return None, [located(_pydantic_problem(e)) for e in error.errors()]
    try:
        check_definition(definition)
    except DefinitionError as error:
        return None, [located(p) for p in error.problems]
    return definition, []


def _pydantic_problem(error: Any) -> Problem:
    location = [str(part) for part in error["loc"]]
    field = location[0] if location else ""
    if field in ("joins", "dimensions") and len(location) > 1 and location[1].isdigit():
        field = f"{field}[{location[1]}]"
    elif field == "period" and len(location) > 1:
        field = f"period.{location[1]}"
    elif field == "complete_when" and len(location) > 1:
        field = f"complete_when.{location[1]}"
        if len(location) > 2 and location[2].isdigit():
            field += f"[{location[2]}]"
    text = str(error["msg"])
    if field == "slug" and error["type"] == "string_pattern_mismatch":
        text = "use lower-case letters, digits and _, starting with a letter"
    if error["type"] == "missing":
        text = "this field is required"
    if error["type"] == "extra_forbidden" and len(location) > 2:
        text = f"{location[-1]} is not a join option; use as, on, latest_by or where"
    return Problem(text, field=field)


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(value, value) for value in values]


class IndicatorForm(forms.Form):
    """An indicator's definition and its place in the registry."""

    name = forms.CharField(max_length=200)
    slug = forms.CharField(
        max_length=80, help_text="Lower-case letters, digits and _; fixed once saved."
    )
    plain_definition = forms.CharField(
        label="Plain-language definition",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What it measures, in words a partner's board reads.",
    )
    table = forms.ChoiceField(
        choices=_choices(analytic_tables()),
        help_text="The base table: one row per event (a test, a wage quarter).",
    )
    joins = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text="One per line: table [as alias] [on record_id|person_key] [latest_by column] "
        "[where condition], e.g. person_demographics latest_by as_of.",
    )
    denominator = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text="A condition: which rows put a person in the population.",
    )
    numerator = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text="A condition: which of those rows count as success.",
    )
    cohort = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text="Optional condition: who belongs to the cohort being followed.",
    )
    period_column = forms.CharField(
        label="Period column", help_text="An integer year or a date column, e.g. wages.year."
    )
    period_rule = forms.ChoiceField(
        label="Period rule",
        choices=_choices(get_args(PeriodRule)),
        help_text="value for a year column; for a date, how it becomes a period.",
    )
    dimensions = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text="Columns to break it down by, one per line.",
    )
    unit = forms.ChoiceField(choices=_choices(UNITS), initial="percent")
    per = forms.IntegerField(
        min_value=1, initial=1000, help_text="Rates only: per this many persons."
    )
    value = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 1, "spellcheck": "false"}),
        help_text="Medians only: the number to take the median of, e.g. wages.wages.",
    )
    higher_is_better = forms.BooleanField(required=False, initial=True)
    follow_up_months = forms.IntegerField(
        label="Follow-up (months)",
        required=False,
        min_value=0,
        initial=0,
        help_text="A period is complete this many months after it ends, e.g. 12 for the 4th "
        "quarter after exit.",
    )
    waits_for = forms.CharField(
        label="Waits for",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text="Data that must reach that day, one table per line: table through quarter|"
        "school_year|program_year|calendar_year [of column], e.g. wages through quarter. "
        "Empty: every period is complete.",
    )
    integer_period = forms.ChoiceField(
        label="Integer periods are",
        required=False,
        choices=_choices(get_args(YearKind)),
        initial="school_year",
        help_text="school_year (by its spring), program_year (by its start) or calendar_year.",
    )
    level = forms.ChoiceField(choices=Indicator.Level.choices, initial=Indicator.Level.POPULATION)
    category = forms.ChoiceField(
        label="RBA category",
        choices=Indicator.Category.choices,
        initial=Indicator.Category.BETTER_OFF,
    )
    outcome = forms.ModelChoiceField(queryset=SharedOutcome.objects.all(), required=False)

    def __init__(self, *args: Any, indicator: Indicator | None = None, **kwargs: Any) -> None:
        if indicator is not None:
            kwargs.setdefault("initial", initial_of(indicator))
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.definition: IndicatorDefinition | None = None
        if indicator is not None:
            self.fields["slug"].disabled = True
        for name, field in self.fields.items():
            described = [f"id_{name}_helptext"] if field.help_text else []
            field.widget.attrs["aria-describedby"] = " ".join([*described, f"id_{name}_error"])

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        if self.indicator is None and Indicator.objects.filter(slug=slug).exists():
            raise forms.ValidationError("an indicator with this slug exists: edit it instead")
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(f"{slug!r} names a page of its own: choose another slug")
        return slug

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.definition, problems = definition_problems(definition_data({**BLANK, **cleaned}))
        for problem in problems:
            field = problem.field if problem.field in self.fields else None
            if field not in self.errors:  # "this field is required" already says it
                self.add_error(field, message(problem))
        return cleaned

    def registry_fields(self) -> dict[str, Any]:
        """What ``services.save_indicator`` stores beside the definition."""
        names = ("plain_definition", "level", "category", "outcome")
        return {name: self.cleaned_data[name] for name in names}


TEXT_FIELDS = (
    "name", "plain_definition", "joins", "denominator", "numerator", "cohort", "period_column",
    "dimensions", "value", "waits_for",
)  # fmt: skip


def definition_data(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The definition's dict from the form's cleaned fields (the JSON the check endpoint takes)."""
    text = {name: str(fields.get(name) or "") for name in TEXT_FIELDS}
    return {
        "slug": fields["slug"],
        "name": text["name"],
        "description": text["plain_definition"],
        "table": fields["table"],
        "joins": [parse_join(line) for line in parse_lines(text["joins"])],
        "denominator": text["denominator"],
        "numerator": text["numerator"],
        "cohort": text["cohort"] or None,
        "period": {"column": text["period_column"], "rule": fields["period_rule"]},
        "dimensions": [parse_dimension(line) for line in parse_lines(text["dimensions"])],
        "unit": fields["unit"],
        "per": fields["per"],
        "value": text["value"] or None,
        "higher_is_better": bool(fields.get("higher_is_better")),
        "complete_when": _complete_when(fields, parse_lines(text["waits_for"])),
    }


def _complete_when(fields: Mapping[str, Any], waits_for: list[str]) -> dict[str, Any] | None:
    """The rule from its three boxes; none when nothing is awaited and no follow-up is set."""
    months = fields.get("follow_up_months") or 0
    if not waits_for and not months:
        return None
    return {
        "follow_up_months": months,
        "waits_for": [parse_awaited(line) for line in waits_for],
        "integer_period": fields.get("integer_period") or "school_year",
    }


def initial_of(indicator: Indicator) -> dict[str, Any]:
    """The form's initial values for a stored indicator."""
    definition = indicator.definition
    return {
        "name": indicator.name,
        "slug": indicator.slug,
        "plain_definition": indicator.plain_definition or definition.get("description", ""),
        "table": definition["table"],
        "joins": "\n".join(join_line(join) for join in definition.get("joins", [])),
        "denominator": definition["denominator"],
        "numerator": definition["numerator"],
        "cohort": definition.get("cohort") or "",
        "period_column": definition["period"]["column"],
        "period_rule": definition["period"].get("rule", "value"),
        "dimensions": "\n".join(dimension_line(d) for d in definition.get("dimensions", [])),
        "unit": definition.get("unit", "percent"),
        "per": definition.get("per", 1000),
        "value": definition.get("value") or "",
        "higher_is_better": definition.get("higher_is_better", True),
        **_complete_when_initial(definition.get("complete_when") or {}),
        "level": indicator.level,
        "category": indicator.category,
        "outcome": indicator.outcome_id,
    }


def _complete_when_initial(rule: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "follow_up_months": rule.get("follow_up_months", 0),
        "waits_for": "\n".join(awaited_line(a) for a in rule.get("waits_for", [])),
        "integer_period": rule.get("integer_period", "school_year"),
    }
