"""Indicator definitions as data, and the one SQL query that computes each of them.

A definition names a base canonical table (one row per event: an assessment, an enrolment, a
quarter of wages), optional joins to other analytic tables, and four expressions checked by
``backbone.indicators.expressions``:

- ``denominator``: which rows put a person in the population (``assessment.grade = '3'``);
- ``numerator``: which of those rows count as success (``assessment.proficient``);
- ``cohort`` (optional): a further condition on who belongs to the cohort being followed;
- ``value`` (medians only): the number to take the median of (``wages.wages``).

``compile_sql`` turns a definition into one query that gives, per period and per group of each
disaggregation dimension (plus an ``overall`` row), the numerator, denominator and value. The
query is written once in DuckDB's dialect and transpiled by sqlglot, so DuckDB and Spark run the
same semantics. Persons are counted once per period and group: a person is in the denominator
if any of their rows meets the denominator (and cohort), and in the numerator if any of those
rows also meets the numerator. See ``docs/indicators.md`` for the format and a full example.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import sqlglot
from pydantic import BaseModel, ConfigDict, Field
from sqlglot import exp

from backbone.disclosure.units import Unit
from backbone.indicators.completeness import CompleteWhen, awaited_problems
from backbone.indicators.crossed import CROSS, cross_name
from backbone.indicators.expressions import (
    DIALECTS,
    CheckedExpression,
    Dialect,
    ExpressionError,
    Kind,
    Problem,
    analytic_columns,
    check_expression,
    table_problem,
)

# A dimension: one column, or a list of columns crossed into one group per combination.
Dimension = str | tuple[str, ...]
PeriodRule = Literal["value", "school_year", "program_year", "calendar_year", "quarter"]
JoinKey = Literal["record_id", "person_key"]

OVERALL = "overall"
MISSING = "missing"  # the group of persons with no value for a dimension

# How a DATE column becomes a period. School years are named for their spring (2022 = 2021-22,
# as in the canonical tables); WIOA program years for their start (PY2024 = Jul 2024–Jun 2025).
DATE_PERIODS: dict[str, str] = {
    "school_year": "CASE WHEN MONTH({c}) >= 7 THEN YEAR({c}) + 1 ELSE YEAR({c}) END",
    "program_year": "CASE WHEN MONTH({c}) >= 7 THEN YEAR({c}) ELSE YEAR({c}) - 1 END",
    "calendar_year": "YEAR({c})",
    "quarter": "CAST(YEAR({c}) AS VARCHAR) || '-Q' || CAST(QUARTER({c}) AS VARCHAR)",
}
INTEGER_TYPES = {"INTEGER", "BIGINT", "SMALLINT"}


class Join(BaseModel):
    """Another analytic table joined to the base table's rows for the same person.

    ``on="record_id"`` joins the same partner's rows (a district's assessments to its enrolments);
    ``on="person_key"`` joins across partners through the crosswalk linkage publishes.
    ``latest_by`` keeps only each person's row with the latest value of that column (e.g.
    ``as_of`` for ``person_demographics``), so the join cannot multiply rows.
    ``alias`` names the joined rows, so one table can be joined twice (wages in the 2nd and in
    the 4th quarter after exit); ``condition`` keeps only the joined rows it holds for, e.g.
    ``wages_q4.year * 4 + wages_q4.quarter = ...``, and may read the base table and earlier joins.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    table: str
    on: JoinKey = "record_id"
    latest_by: str | None = None
    # Left out of the stored data when unset, so definitions saved before aliases existed keep
    # their version.
    alias: str | None = Field(
        default=None, pattern=r"^[a-z][a-z0-9_]*$", exclude_if=lambda v: v is None
    )
    condition: str | None = Field(default=None, exclude_if=lambda v: v is None)

    @property
    def name(self) -> str:
        """What expressions call the joined rows: the alias, or else the table's name."""
        return self.alias or self.table


class Period(BaseModel):
    """The column that places a row in a period, and how: ``value`` uses an integer column as
    it is (``assessment.school_year``); the other rules turn a DATE column into a school year,
    program year, calendar year or ``YYYY-Qn`` quarter."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    column: str
    rule: PeriodRule = "value"


class IndicatorDefinition(BaseModel):
    """One indicator, declared as data (loadable from YAML/JSON with ``model_validate``).

    >>> definition = IndicatorDefinition(
    ...     slug="grade3_reading",
    ...     name="Grade 3 reading proficiency",
    ...     table="assessment",
    ...     denominator="grade = '3' AND subject = 'ELA'",
    ...     numerator="proficient",
    ...     period=Period(column="school_year"),
    ... )
    >>> "GROUP BY" in compile_sql(definition, "spark")
    True
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    description: str = ""
    table: str
    joins: tuple[Join, ...] = ()
    denominator: str
    numerator: str
    cohort: str | None = None
    period: Period
    dimensions: tuple[Dimension, ...] = ()
    unit: Unit = "percent"
    value: str | None = None
    per: int = Field(default=1000, gt=0)  # rates are per this many persons
    higher_is_better: bool = True
    # Per dimension (its column name): the group equity is measured against — a group code,
    # ``best`` or ``all`` (everyone, the default). Left out of the stored data when unset.
    reference_groups: dict[str, str] = Field(default_factory=dict, exclude_if=lambda v: not v)
    # When a period is complete (``backbone.indicators.completeness``); left out of the stored
    # data when unset, so definitions saved before it existed keep their version.
    complete_when: CompleteWhen | None = Field(default=None, exclude_if=lambda v: v is None)

    @property
    def tables(self) -> tuple[str, ...]:
        """The analytic tables read, each once."""
        return tuple(dict.fromkeys([self.table, *(join.table for join in self.joins)]))

    @property
    def sources(self) -> dict[str, str]:
        """Each name expressions may use (a table's own name or a join's alias) → its table."""
        return {self.table: self.table, **{join.name: join.table for join in self.joins}}


class DefinitionError(ExpressionError):
    """A definition was refused; ``problems`` lists every problem, each naming its field."""


@dataclass(frozen=True)
class CheckedDefinition:
    """A definition whose every expression passed the checks, columns qualified."""

    definition: IndicatorDefinition
    denominator: CheckedExpression
    numerator: CheckedExpression
    cohort: CheckedExpression | None
    period: CheckedExpression
    dimensions: tuple[tuple[CheckedExpression, ...], ...]  # a crossed one has several columns
    value: CheckedExpression | None
    join_conditions: tuple[CheckedExpression | None, ...] = ()


def check_definition(definition: IndicatorDefinition) -> CheckedDefinition:
    """Check every part of ``definition``; raise ``DefinitionError`` listing all problems."""
    problems = _table_problems(definition)
    if problems:
        raise DefinitionError(problems)
    checked: dict[str, Any] = {}
    for field, text, kind in _expressions(definition):
        try:
            sources = _sources_for(definition, field)
            checked[field] = check_expression(text, sources, kind=kind, field=field)
        except ExpressionError as error:
            problems += error.problems
    problems += _shape_problems(definition, checked)
    if problems:
        raise DefinitionError(problems)
    return CheckedDefinition(
        definition,
        checked["denominator"],
        checked["numerator"],
        checked.get("cohort"),
        checked["period.column"],
        tuple(
            tuple(checked[field] for field, _ in dimension_fields(i, d))
            for i, d in enumerate(definition.dimensions)
        ),
        checked.get("value"),
        tuple(checked.get(f"joins[{i}].condition") for i in range(len(definition.joins))),
    )


def compile_sql(definition: IndicatorDefinition, dialect: Dialect = "duckdb") -> str:
    """One query computing ``definition`` per period and group, in ``dialect``.

    Columns: ``period``, ``dimension`` (``overall`` or a dimension's column name),
    ``group_value`` (``all`` for overall; ``missing`` when a person has no value), ``numerator``
    and ``denominator`` (persons), and ``value`` (a DOUBLE: the count, percent, rate per
    ``per`` persons, or median). Raises ``DefinitionError`` before building anything.
    """
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; known: {', '.join(DIALECTS)}")
    checked = check_definition(definition)
    groups = " UNION ALL ".join(
        group_sql(checked, index) for index in [None, *range(len(checked.dimensions))]
    )
    sql = (
        f"WITH indicator_rows AS ({rows_sql(checked)}) SELECT * FROM ({groups}) AS results "
        "ORDER BY period, dimension <> 'overall', dimension, group_value"
    )
    return sqlglot.transpile(sql, read="duckdb", write=dialect, pretty=True)[0]


# --- checking -----------------------------------------------------------------------------------


def _table_problems(definition: IndicatorDefinition) -> list[Problem]:
    problems = [Problem(m, field="table") for m in [table_problem(definition.table)] if m]
    seen = {definition.table}
    for index, join in enumerate(definition.joins):
        message = table_problem(join.table) or _join_name_problem(join, seen)
        if message is None and join.latest_by not in (None, *analytic_columns(join.table)):
            message = f"unknown column {join.latest_by!r} in table {join.table}"
        if message:
            problems.append(Problem(message, field=f"joins[{index}]"))
        seen.add(join.name)
    return problems


def _join_name_problem(join: Join, seen: set[str]) -> str | None:
    if join.name in seen:
        again = "give it an alias" if join.alias is None else "choose another alias"
        return f"{join.name!r} is already declared; to join a table again, {again}"
    if join.alias is not None and join.alias != join.table and table_problem(join.alias) is None:
        return f"alias {join.alias!r} is the name of another table; choose another alias"
    return None


def _sources_for(definition: IndicatorDefinition, field: str) -> dict[str, str]:
    """What an expression may read: everything, except that a join's condition sees only the
    base table, the joins before it and its own rows."""
    sources = definition.sources
    if field.startswith("joins["):
        index = int(field[len("joins[") : field.index("]")])
        names = [definition.table, *(join.name for join in definition.joins[: index + 1])]
        sources = {name: sources[name] for name in names}
    return sources


def _expressions(definition: IndicatorDefinition) -> list[tuple[str, str, Kind]]:
    """Every expression of the definition: (field, text, kind)."""
    parts: list[tuple[str, str, Kind]] = [
        ("denominator", definition.denominator, "condition"),
        ("numerator", definition.numerator, "condition"),
        ("period.column", definition.period.column, "value"),
    ]
    if definition.cohort is not None:
        parts.append(("cohort", definition.cohort, "condition"))
    parts += [
        (field, column, "value")
        for i, d in enumerate(definition.dimensions)
        for field, column in dimension_fields(i, d)
    ]
    if definition.value is not None:
        parts.append(("value", definition.value, "value"))
    parts += [
        (f"joins[{i}].condition", join.condition, "condition")
        for i, join in enumerate(definition.joins)
        if join.condition is not None
    ]
    return parts


def _shape_problems(
    definition: IndicatorDefinition, checked: dict[str, CheckedExpression]
) -> list[Problem]:
    """Problems no single expression shows: bare columns where needed, units, period rules."""
    problems = [
        Problem("must be a column (table.column), not an expression", field=field)
        for field, expression in checked.items()
        if (field == "period.column" or field.startswith("dimensions"))
        and not isinstance(expression.tree, exp.Column)
    ]
    if definition.unit == "median" and definition.value is None:
        problems.append(Problem("a median needs a value expression", field="value"))
    if definition.unit != "median" and definition.value is not None:
        problems.append(Problem(f"a {definition.unit} takes no value expression", field="value"))
    period = checked.get("period.column")
    if period is not None and isinstance(period.tree, exp.Column):
        kind = analytic_columns(definition.sources[period.tree.table])[period.tree.name]
        problems += _period_problems(definition.period.rule, period.tree, kind)
    named = set(dimension_names(definition))
    problems += [
        Problem("a crossed dimension needs at least two columns", field=f"dimensions[{i}]")
        for i, d in enumerate(definition.dimensions)
        if not isinstance(d, str) and len(d) < 2
    ]
    problems += [
        Problem(f"{name!r} is not one of the dimensions", field=f"reference_groups.{name}")
        for name in definition.reference_groups
        if name not in named
    ]
    if definition.complete_when is not None:
        columns = {t: analytic_columns(t) for t in definition.tables}
        problems += [
            Problem(message, field=field)
            for field, message in awaited_problems(
                definition.complete_when, definition.tables, columns
            )
        ]
    return problems


def dimension_fields(index: int, dimension: Dimension) -> list[tuple[str, str]]:
    """(field, column) of each column of a dimension: ``dimensions[1]`` for a single column,
    ``dimensions[1][0]``, ``dimensions[1][1]`` … for a crossed one.

    >>> dimension_fields(1, ("a.race", "a.sex"))
    [('dimensions[1][0]', 'a.race'), ('dimensions[1][1]', 'a.sex')]
    """
    if isinstance(dimension, str):
        return [(f"dimensions[{index}]", dimension)]
    return [(f"dimensions[{index}][{j}]", column) for j, column in enumerate(dimension)]


def dimension_names(definition: IndicatorDefinition) -> list[str]:
    """What results call each dimension: its column, or a crossed one's columns joined by ×.

    >>> d = IndicatorDefinition(slug="x", name="x", table="t", denominator="", numerator="",
    ...     period=Period(column="t.y"), dimensions=("t.sex", ("t.race", "t.sex")))
    >>> dimension_names(d)
    ['sex', 'race × sex']
    """
    return [
        cross_name(column.rsplit(".", 1)[-1] for _, column in dimension_fields(i, d))
        for i, d in enumerate(definition.dimensions)
    ]


def _period_problems(rule: PeriodRule, column: exp.Column, kind: str) -> list[Problem]:
    if kind == "DATE" and rule == "value":
        message = f"{column.sql()} is a date: choose school_year, program_year, … as the rule"
        return [Problem(message, field="period.rule")]
    if kind in INTEGER_TYPES and rule == "quarter":
        message = f"{column.sql()} is a year, not a date: quarters need a date column"
        return [Problem(message, field="period.rule")]
    if kind != "DATE" and kind not in INTEGER_TYPES:
        message = f"{column.sql()} is {kind}: a period needs a date or an integer year"
        return [Problem(message, field="period.column")]
    return []


# --- building -----------------------------------------------------------------------------------


def rows_sql(checked: CheckedDefinition) -> str:
    """The population's rows: period, person, each dimension as text, and the numerator flag."""
    definition = checked.definition
    condition = f"({checked.denominator.sql()})"
    if checked.cohort is not None:
        condition += f" AND ({checked.cohort.sql()})"
    columns = [
        f"{period_sql(checked)} AS period",
        f"{_person_sql(definition)} AS person",
        *(f"{_dimension_sql(d)} AS dimension_{i}" for i, d in enumerate(checked.dimensions)),
        f"CASE WHEN {checked.numerator.sql()} THEN 1 ELSE 0 END AS in_numerator",
    ]
    if checked.value is not None:
        columns.append(f"CAST({checked.value.sql()} AS DOUBLE) AS value")
    return (
        f"SELECT {', '.join(columns)} FROM {sources_sql(checked)} "
        f"WHERE {condition} AND {period_sql(checked)} IS NOT NULL"
    )


def _dimension_sql(columns: tuple[CheckedExpression, ...]) -> str:
    """A dimension's group as text; a crossed one's codes joined, ``missing`` where absent."""
    if len(columns) == 1:
        return f"CAST({columns[0].sql()} AS VARCHAR)"
    codes = [f"COALESCE(CAST({c.sql()} AS VARCHAR), '{MISSING}')" for c in columns]
    return f" || '{CROSS}' || ".join(codes)


def period_sql(checked: CheckedDefinition) -> str:
    column = checked.period.tree
    assert isinstance(column, exp.Column)  # checked in _shape_problems
    table = checked.definition.sources[column.table]
    if analytic_columns(table)[column.name] != "DATE":
        return column.sql()
    return DATE_PERIODS[checked.definition.period.rule].format(c=column.sql())


def sources_sql(checked: CheckedDefinition) -> str:
    """The FROM clause: the base table and its joins, each named by its alias or its own table
    name so the definition's ``table.column`` references read it."""
    definition = checked.definition
    by_person_key = joins_partners(definition)
    base = definition.table
    sql = _source_sql(base, with_person_key=by_person_key)
    for join, condition in zip(definition.joins, checked.join_conditions, strict=True):
        source = _source_sql(
            join.table, join.on == "person_key", join.latest_by, join.on, name=join.name
        )
        sql += f" LEFT JOIN {source} ON {join.name}.{join.on} = {base}.{join.on}"
        if condition is not None:
            sql += f" AND ({condition.sql()})"
    return sql


def joins_partners(definition: IndicatorDefinition) -> bool:
    """Whether ``definition`` joins partners' records through the crosswalk (``on: person_key``)."""
    return any(join.on == "person_key" for join in definition.joins)


def own_records_crosswalk_sql(tables: Iterable[str]) -> str:
    """A crosswalk in which every record is its own person: what indicators read when all the
    workspace's people come from one partner, so there is nobody to link them to.

    >>> own_records_crosswalk_sql(["wages", "graduation"]).split(" FROM (")[1]
    'SELECT record_id FROM graduation UNION ALL SELECT record_id FROM wages) AS records'
    """
    # canonical table names (the definition was checked), plain in either dialect
    union = " UNION ALL ".join(f"SELECT record_id FROM {t}" for t in sorted(tables))
    return (
        "CREATE OR REPLACE TEMP VIEW crosswalk AS SELECT DISTINCT record_id, "
        f"record_id AS person_key FROM ({union}) AS records"
    )


def _source_sql(
    table: str,
    with_person_key: bool,
    latest_by: str | None = None,
    key: JoinKey = "record_id",
    *,
    name: str | None = None,
) -> str:
    name = name or table
    if not with_person_key and latest_by is None:
        return f"{table} AS {name}"
    extra = ", crosswalk.person_key" if with_person_key else ""
    sql = f"SELECT source.*{extra} FROM {table} AS source"
    if with_person_key:
        sql += " LEFT JOIN crosswalk AS crosswalk ON source.record_id = crosswalk.record_id"
    if latest_by is not None:
        # Ties on the date go to the latest load, then the last row of the file: deterministic on
        # every engine, so DuckDB and Spark keep the same row.
        partition = "crosswalk.person_key" if key == "person_key" else "source.record_id"
        order = f"source.{latest_by} DESC, source.submission_id DESC, source.source_row DESC"
        ranked = f"ROW_NUMBER() OVER (PARTITION BY {partition} ORDER BY {order}) AS latest_rank"
        sql = sql.replace(" FROM ", f", {ranked} FROM ", 1)
        sql = f"SELECT * FROM ({sql}) AS ranked WHERE latest_rank = 1"
    return f"({sql}) AS {name}"


def _person_sql(definition: IndicatorDefinition) -> str:
    """Persons are linked ``person_key``s when the definition crosses partners; an unlinked
    record then counts as a person of its own."""
    if any(join.on == "person_key" for join in definition.joins):
        return f"COALESCE({definition.table}.person_key, {definition.table}.record_id)"
    return f"{definition.table}.record_id"


def group_sql(checked: CheckedDefinition, dimension: int | None) -> str:
    """Numerator, denominator and value per period for the overall population (``None``) or
    for each group of one dimension. Persons are first reduced to one row per period (and
    group), so a person with several qualifying rows counts once."""
    value = ", SUM(CASE WHEN in_numerator = 1 THEN value END) AS value"
    person_value = value * (checked.value is not None)
    if dimension is None:  # no constant in GROUP BY: Spark may read literals as ordinals
        name, group, keys, person_group = f"'{OVERALL}'", "'all'", "period", ""
    else:
        name = f"'{cross_name(c.tree.name for c in checked.dimensions[dimension])}'"
        group, keys = "group_value", "period, group_value"
        person_group = f", COALESCE(dimension_{dimension}, '{MISSING}')"
    group_column = f"{person_group} AS group_value" if person_group else ""
    persons = (
        f"SELECT period, person{group_column}, MAX(in_numerator) AS in_numerator{person_value} "
        "FROM indicator_rows "
        f"GROUP BY period, person{person_group}"
    )
    return (
        f"SELECT period, {name} AS dimension, {group} AS group_value, "
        "CAST(SUM(in_numerator) AS BIGINT) AS numerator, CAST(COUNT(*) AS BIGINT) AS denominator, "
        f"{_value_sql(checked.definition)} AS value FROM ({persons}) AS persons GROUP BY {keys}"
    )


def _value_sql(definition: IndicatorDefinition) -> str:
    numerator, denominator = "CAST(SUM(in_numerator) AS DOUBLE)", "COUNT(*)"
    return {
        "count": numerator,
        "percent": f"{numerator} * 100 / {denominator}",
        "rate": f"{numerator} * {definition.per} / {denominator}",
        "median": "MEDIAN(value)",
    }[definition.unit]
