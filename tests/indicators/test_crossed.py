"""Crossed dimensions: one group per combination, counted by hand on a small table, labelled in
words, refused when malformed, and written in the editor's form as ``a × b``."""

from __future__ import annotations

import duckdb
import pytest

from backbone.indicators.definitions import (
    DefinitionError,
    IndicatorDefinition,
    Period,
    compile_sql,
    dimension_names,
)
from backbone.indicators.forms import dimension_line, parse_dimension
from backbone.indicators.labels import FIXED, dimension_label
from tests.indicators.tables import create_table

CROSSED = ("person_demographics.race_ethnicity", "person_demographics.economically_disadvantaged")
READING = IndicatorDefinition(
    slug="grade3_reading",
    name="Grade 3 reading",
    table="assessment",
    joins=({"table": "person_demographics", "latest_by": "as_of"},),  # type: ignore[arg-type]
    denominator="assessment.grade = '3'",
    numerator="assessment.proficient",
    period=Period(column="assessment.school_year"),
    dimensions=("person_demographics.race_ethnicity", CROSSED),
)
NAME = "race_ethnicity × economically_disadvantaged"

# (student, race, low income, proficient); s6 has no demographics row at all.
STUDENTS = [
    ("s1", "Asian", True, True),
    ("s2", "Asian", True, False),
    ("s3", "Asian", False, True),
    ("s4", "White", False, False),
    ("s5", "White", None, True),
    ("s6", None, None, True),
]


@pytest.fixture
def connection() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    create_table(connection, "assessment", [
        {"record_id": s, "school_year": 2025, "assessment_id": "ela", "grade": "3",
         "proficient": ok} for s, _, _, ok in STUDENTS
    ])  # fmt: skip
    create_table(connection, "person_demographics", [
        {"record_id": s, "as_of": "2024-10-01", "race_ethnicity": race,
         "economically_disadvantaged": low}
        for s, race, low, _ in STUDENTS if race is not None
    ])  # fmt: skip
    return connection


def test_crossed_cells_are_counted_per_combination(connection):
    rows = connection.execute(compile_sql(READING)).fetchall()
    crossed = {(group, n, d) for _, dimension, group, n, d, _ in rows if dimension == NAME}
    # By hand: Asian × yes = s1, s2 (1 proficient); Asian × no = s3; White × no = s4;
    # White × missing = s5 (income not recorded); missing × missing = s6 (no row at all).
    assert crossed == {
        ("Asian × true", 1, 2),
        ("Asian × false", 1, 1),
        ("White × false", 0, 1),
        ("White × missing", 1, 1),
        ("missing × missing", 1, 1),
    }


def test_crossed_cells_add_up_to_their_margin_rows(connection):
    rows = connection.execute(compile_sql(READING)).fetchall()
    race = {group: (n, d) for _, dim, group, n, d, _ in rows if dim == "race_ethnicity"}
    summed: dict[str, tuple[int, int]] = {}
    for _, dimension, group, n, d, _ in rows:
        if dimension == NAME:
            before = summed.get(group.split(" × ")[0], (0, 0))
            summed[group.split(" × ")[0]] = (before[0] + n, before[1] + d)
    assert summed == race == {"Asian": (2, 3), "White": (1, 2), "missing": (1, 1)}


def test_a_crossed_dimension_is_named_and_labelled_in_words():
    assert dimension_names(READING) == ["race_ethnicity", NAME]
    assert dimension_label(NAME) == "race and ethnicity × economic disadvantage"
    assert FIXED.group(NAME, "Black or African American × true") == (
        "Black or African American · Economically disadvantaged"
    )
    assert FIXED.group(NAME, "missing × false") == "Not recorded · Not economically disadvantaged"


@pytest.mark.parametrize(
    "dimensions, field, message",
    [
        ((("person_demographics.race_ethnicity",),), "dimensions[0]", "at least two columns"),
        (
            (("person_demographics.race_ethnicity", "person_demographics.colour"),),
            "dimensions[0][1]",
            "unknown column 'colour'",
        ),
    ],
)
def test_a_malformed_crossed_dimension_is_refused_naming_its_place(dimensions, field, message):
    with pytest.raises(DefinitionError, match=message) as error:
        compile_sql(READING.model_copy(update={"dimensions": dimensions}))
    assert field in {p.field for p in error.value.problems}


def test_a_reference_group_may_name_a_crossed_dimension():
    update = {"reference_groups": {NAME: "best"}}
    assert "GROUP BY" in compile_sql(READING.model_copy(update=update))


def test_the_editor_writes_a_crossed_dimension_as_columns_joined_by_a_cross():
    line = dimension_line(list(CROSSED))
    assert (
        line
        == "person_demographics.race_ethnicity × person_demographics.economically_disadvantaged"
    )
    assert parse_dimension(line) == list(CROSSED)


def test_a_crossed_definition_round_trips_through_its_stored_form():
    stored = READING.model_dump(mode="json")
    assert stored["dimensions"][1] == list(CROSSED)
    assert IndicatorDefinition.model_validate(stored) == READING
