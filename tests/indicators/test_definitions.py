"""Definitions compile to one query; DuckDB runs it on hand-made tables and the numbers are
worked out by hand in each test. Refused definitions never reach the engine."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
import yaml

from backbone.indicators.definitions import (
    DefinitionError,
    IndicatorDefinition,
    Join,
    Period,
    check_definition,
    compile_sql,
)
from tests.indicators.tables import create_crosswalk, create_table, table_names

GRADE3_READING = {
    "slug": "grade3_reading",
    "name": "Grade 3 reading proficiency",
    "table": "assessment",
    "joins": [{"table": "person_demographics", "latest_by": "as_of"}],
    "denominator": "assessment.grade = '3' AND assessment.subject = 'ELA'",
    "numerator": "assessment.proficient",
    "period": {"column": "assessment.school_year"},
    "dimensions": ["person_demographics.race_ethnicity", "economically_disadvantaged"],
}


def assessment(record_id, year, grade, subject, proficient):
    return {
        "record_id": record_id,
        "school_year": year,
        "assessment_id": "state-reading",
        "grade": grade,
        "subject": subject,
        "proficient": proficient,
    }


def demographics(record_id, as_of, race, disadvantaged=None):
    return {
        "record_id": record_id,
        "as_of": as_of,
        "race_ethnicity": race,
        "economically_disadvantaged": disadvantaged,
    }


@pytest.fixture
def district() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    create_table(
        connection,
        "assessment",
        [
            assessment("p1", 2024, "3", "ELA", True),
            assessment("p1", 2024, "3", "ELA", False),  # a retest: p1 still counts once
            assessment("p2", 2024, "3", "ELA", False),
            assessment("p3", 2024, "3", "ELA", True),
            assessment("p4", 2024, "3", "ELA", False),
            assessment("p5", 2024, "4", "ELA", True),  # grade 4: not in the population
            assessment("p6", 2024, "3", "Math", True),  # math: not in the population
            assessment("p7", 2025, "3", "ELA", True),
            assessment("p8", 2025, "3", "ELA", True),
            assessment("p9", 2025, "3", "ELA", False),
        ],
    )
    create_table(
        connection,
        "person_demographics",
        [
            demographics("p1", date(2023, 9, 1), "Black or African American", False),
            demographics("p1", date(2024, 9, 1), "Two or more races", False),  # latest wins
            demographics("p2", date(2023, 9, 1), "Black or African American", True),
            demographics("p3", date(2023, 9, 1), "White", False),
            demographics("p4", date(2023, 9, 1), "White", True),
            demographics("p7", date(2024, 9, 1), "White", False),
            demographics("p8", date(2024, 9, 1), "Black or African American", True),
            # p9 has no demographics: their group is "missing"
        ],
    )
    return connection


def run(connection, definition: IndicatorDefinition) -> dict[tuple, tuple]:
    rows = connection.execute(compile_sql(definition, "duckdb")).fetchall()
    return {(period, dim, group): (num, den, value) for period, dim, group, num, den, value in rows}


def test_grade3_reading_per_year_overall_and_by_group(district):
    results = run(district, IndicatorDefinition.model_validate(GRADE3_READING))
    # 2024: p1..p4 in grade-3 ELA; p1 (on either sitting) and p3 proficient → 2 of 4.
    assert results[(2024, "overall", "all")] == (2, 4, 50.0)
    assert results[(2024, "race_ethnicity", "Two or more races")] == (1, 1, 100.0)  # p1, latest
    assert results[(2024, "race_ethnicity", "Black or African American")] == (0, 1, 0.0)  # p2
    assert results[(2024, "race_ethnicity", "White")] == (1, 2, 50.0)  # p3, p4
    assert results[(2024, "economically_disadvantaged", "true")] == (0, 2, 0.0)  # p2, p4
    assert results[(2024, "economically_disadvantaged", "false")] == (2, 2, 100.0)  # p1, p3
    # 2025: p7, p8 proficient, p9 not → 2 of 3; p9 has no demographics.
    assert results[(2025, "overall", "all")] == (2, 3, pytest.approx(200 / 3))
    assert results[(2025, "race_ethnicity", "missing")] == (0, 1, 0.0)
    assert len(results) == 2 * 1 + 3 + 2 + 3 + 3  # overall ×2, race 2024/2025, econ 2024/2025


def test_rows_come_back_overall_first_within_each_period(district):
    sql = compile_sql(IndicatorDefinition.model_validate(GRADE3_READING))
    rows = district.execute(sql).fetchall()
    assert [r[:2] for r in rows[:2]] == [(2024, "overall"), (2024, "economically_disadvantaged")]


def test_count_and_rate_units(district):
    base = {**GRADE3_READING, "joins": [], "dimensions": []}
    count = run(district, IndicatorDefinition.model_validate({**base, "unit": "count"}))
    rate = run(district, IndicatorDefinition.model_validate({**base, "unit": "rate", "per": 1000}))
    assert count[(2024, "overall", "all")] == (2, 4, 2.0)
    assert rate[(2024, "overall", "all")] == (2, 4, 500.0)


def test_cohort_narrows_the_population(district):
    definition = {**GRADE3_READING, "cohort": "assessment.record_id <> 'p4'"}
    results = run(district, IndicatorDefinition.model_validate(definition))
    assert results[(2024, "overall", "all")] == (2, 3, pytest.approx(200 / 3))


def test_median_earnings_sums_each_persons_wages_first():
    connection = duckdb.connect()
    create_table(
        connection,
        "wages",
        [
            {"record_id": "w1", "employer_id": "A", "year": 2024, "quarter": 2, "wages": 3000},
            {"record_id": "w1", "employer_id": "B", "year": 2024, "quarter": 2, "wages": 2000},
            {"record_id": "w2", "employer_id": "A", "year": 2024, "quarter": 2, "wages": 4000},
            {"record_id": "w3", "employer_id": "A", "year": 2024, "quarter": 2, "wages": 0},
            {"record_id": "w4", "employer_id": "C", "year": 2024, "quarter": 2, "wages": 7000},
            {"record_id": "w4", "employer_id": "C", "year": 2024, "quarter": 3, "wages": 9000},
        ],
    )
    definition = IndicatorDefinition(
        slug="median_q2_earnings",
        name="Median Q2 earnings",
        table="wages",
        denominator="quarter = 2",
        numerator="wages > 0",
        period=Period(column="year"),
        unit="median",
        value="wages",
    )
    # Employed persons' Q2 earnings: w1 5000 (two employers), w2 4000, w4 7000 → median 5000.
    assert run(connection, definition) == {(2024, "overall", "all"): (3, 4, 5000.0)}


def test_date_periods_follow_school_and_program_years():
    connection = duckdb.connect()
    entries = [date(2024, 6, 30), date(2024, 7, 1), date(2025, 1, 15)]
    create_table(
        connection,
        "training",
        [
            {"record_id": f"t{i}", "provider": "P", "program": "CNA", "entry_date": d}
            for i, d in enumerate(entries)
        ],
    )
    periods = {}
    for rule in ["school_year", "program_year", "calendar_year", "quarter"]:
        definition = IndicatorDefinition(
            slug="starts",
            name="Training starts",
            table="training",
            denominator="true",
            numerator="true",
            period=Period(column="entry_date", rule=rule),
            unit="count",
        )
        periods[rule] = {key[0]: value[1] for key, value in run(connection, definition).items()}
    assert periods["school_year"] == {2024: 1, 2025: 2}  # spring-named: Jul 2024 is 2025
    assert periods["program_year"] == {2023: 1, 2024: 2}  # start-named: PY2024 from Jul 2024
    assert periods["calendar_year"] == {2024: 2, 2025: 1}
    assert periods["quarter"] == {"2024-Q2": 1, "2024-Q3": 1, "2025-Q1": 1}


def test_person_key_join_links_records_across_partners(district):
    create_table(
        district,
        "program_participation",
        [
            {"record_id": "cbo-a", "program": "Reading Buddies", "start_date": date(2023, 10, 1)},
            {"record_id": "cbo-b", "program": "Reading Buddies", "start_date": date(2023, 10, 1)},
            {"record_id": "cbo-c", "program": "Chess Club", "start_date": date(2023, 10, 1)},
        ],
    )
    # cbo-a is p1 and cbo-b is p2 (linked); cbo-c is p3; p4 took part in nothing.
    create_crosswalk(
        district,
        {
            "p1": "K1",
            "p2": "K2",
            "p3": "K3",
            "p4": "K4",
            "cbo-a": "K1",
            "cbo-b": "K2",
            "cbo-c": "K3",
        },
    )
    definition = IndicatorDefinition.model_validate(
        {
            **GRADE3_READING,
            "slug": "reading_buddies_grade3",
            "joins": [{"table": "program_participation", "on": "person_key"}],
            "cohort": "program_participation.program = 'Reading Buddies'",
            "dimensions": [],
        }
    )
    # Participants in grade-3 ELA 2024: p1 (proficient) and p2 (not) → 1 of 2.
    assert run(district, definition) == {(2024, "overall", "all"): (1, 2, 50.0)}


def test_a_table_joined_twice_under_aliases_compares_two_of_a_persons_rows():
    """Retention with the same employer on a hand-made table. Exits in 2024-Q1, so Q2 after exit
    is 2024-Q3 and Q4 after exit 2025-Q1:
    t1 paid by A in Q3 and by A in Q1 → retained; t2 by A then B → not; t3 by A and B in Q3,
    B again in Q1 → retained (one of its Q3 employers); t4 paid nothing in Q3 → not in the
    population; t5 paid 0 by A in Q1 → not retained. 2 of 4 = 50%."""
    connection = duckdb.connect()
    exits = [f"t{i}" for i in range(1, 6)]
    create_table(connection, "training", [
        {"record_id": r, "provider": "P", "program": "CNA", "exit_date": date(2024, 2, 1)}
        for r in exits
    ])  # fmt: skip
    paid = [("t1", "A", 2024, 3, 900), ("t1", "A", 2025, 1, 950), ("t2", "A", 2024, 3, 800),
            ("t2", "B", 2025, 1, 990), ("t3", "A", 2024, 3, 300), ("t3", "B", 2024, 3, 400),
            ("t3", "B", 2025, 1, 700), ("t4", "A", 2025, 1, 500), ("t5", "A", 2024, 3, 600),
            ("t5", "A", 2025, 1, 0)]  # fmt: skip
    create_table(connection, "wages", [
        {"record_id": f"w-{r}", "employer_id": e, "year": y, "quarter": q, "wages": w}
        for r, e, y, q, w in paid
    ])  # fmt: skip
    create_crosswalk(connection, {**{r: r.upper() for r in exits},
                                  **{f"w-{r}": r.upper() for r in exits}})  # fmt: skip
    after = (
        "{a}.year * 4 + {a}.quarter - (YEAR(training.exit_date) * 4 + QUARTER(training.exit_date))"
    )
    definition = IndicatorDefinition.model_validate({
        "slug": "retention", "name": "Retention", "table": "training",
        "joins": [
            {"table": "wages", "alias": "q2", "on": "person_key",
             "condition": after.format(a="q2") + " = 2"},
            {"table": "wages", "alias": "q4", "on": "person_key",
             "condition": f"q4.employer_id = q2.employer_id AND {after.format(a='q4')} = 4"},
        ],
        "denominator": "q2.wages > 0", "numerator": "q4.wages > 0",
        "period": {"column": "training.exit_date", "rule": "calendar_year"},
    })  # fmt: skip
    assert run(connection, definition) == {(2024, "overall", "all"): (2, 4, 50.0)}
    assert "AS q4" in compile_sql(definition, "spark")


def test_a_declared_reference_group_is_kept_and_one_left_out_stores_nothing():
    declared = {**GRADE3_READING, "reference_groups": {"race_ethnicity": "best"}}
    check_definition(IndicatorDefinition.model_validate(declared))  # a dimension's column name
    assert IndicatorDefinition.model_validate(declared).model_dump()["reference_groups"] == {
        "race_ethnicity": "best"
    }
    assert "reference_groups" not in IndicatorDefinition.model_validate(GRADE3_READING).model_dump()


def test_definition_round_trips_through_its_data():
    definition = IndicatorDefinition.model_validate(GRADE3_READING)
    again = IndicatorDefinition.model_validate(definition.model_dump())
    assert again == definition
    assert definition.joins == (Join(table="person_demographics", latest_by="as_of"),)


def test_spark_sql_is_the_same_query_in_spark_spelling():
    sql = compile_sql(IndicatorDefinition.model_validate(GRADE3_READING), "spark")
    assert "CAST(person_demographics.race_ethnicity AS STRING)" in sql
    assert "ROW_NUMBER() OVER (" in sql and "QUALIFY" not in sql


# --- refusals: nothing runs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("denominator", "1=1; DROP TABLE wages", "';' is not allowed"),
        (
            "numerator",
            "assessment.record_id IN (SELECT record_id FROM wages)",
            "subqueries are not allowed",
        ),
        ("numerator", "assessment.proficent", "unknown column 'proficent' in table assessment"),
    ],
)
def test_done_when_refusals_name_the_problem_and_nothing_runs(district, field, text, message):
    create_table(district, "wages", [{"record_id": "w1", "year": 2024, "quarter": 1, "wages": 1}])
    before = table_names(district), district.execute("SELECT count(*) FROM wages").fetchone()
    definition = IndicatorDefinition.model_validate({**GRADE3_READING, field: text})
    with pytest.raises(DefinitionError, match=f"{field}: {message}") as caught:
        district.execute(compile_sql(definition, "duckdb"))
    assert caught.value.first.line == 1
    after = table_names(district), district.execute("SELECT count(*) FROM wages").fetchone()
    assert after == before == (["assessment", "person_demographics", "wages"], (1,))


def test_every_problem_of_a_definition_is_listed_with_its_field():
    definition = IndicatorDefinition.model_validate(
        {
            **GRADE3_READING,
            "denominator": "grade = 3; DROP TABLE wages",
            "numerator": "proficent",
            "dimensions": ["race_ethnicity || sex"],
        }
    )
    with pytest.raises(DefinitionError) as caught:
        compile_sql(definition)
    assert [p.field for p in caught.value.problems] == ["denominator", "numerator", "dimensions[0]"]
    assert "must be a column" in caught.value.problems[2].message


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"table": "identity_record"}, "table: table 'identity_record' is in the identity tier"),
        ({"table": "wagez"}, "table: unknown table 'wagez'"),
        ({"joins": [{"table": "assessment"}]}, "joins\\[0\\]: 'assessment' is already declared"),
        (
            {"joins": [{"table": "assessment", "alias": "wages"}]},
            "joins\\[0\\]: alias 'wages' is the name of another table",
        ),
        (
            {"joins": [{"table": "assessment", "alias": "a2", "condition": "a3.grade = '3'"}]},
            "joins\\[0\\].condition: table 'a3' is not declared",
        ),
        (
            {"joins": [{"table": "assessment", "alias": "a2", "condition": "a2.grade"}]},
            "joins\\[0\\].condition: expected a true/false condition",
        ),
        (
            {"joins": [{"table": "person_demographics", "latest_by": "asof"}]},
            "unknown column 'asof'",
        ),
        ({"unit": "median"}, "value: a median needs a value expression"),
        ({"value": "assessment.scale_score"}, "value: a percent takes no value expression"),
        ({"period": {"column": "assessment.administration_date"}}, "is a date: choose"),
        ({"period": {"column": "school_year", "rule": "quarter"}}, "quarters need a date column"),
        ({"period": {"column": "assessment.grade"}}, "is VARCHAR: a period needs"),
        (
            {"reference_groups": {"race": "White"}},
            "reference_groups.race: 'race' is not one of the dimensions",
        ),
    ],
)
def test_definition_refusals(change, message):
    definition = IndicatorDefinition.model_validate({**GRADE3_READING, **change})
    with pytest.raises(DefinitionError, match=message):
        compile_sql(definition)


def test_the_documented_example_is_the_tested_definition(project_root):
    text = (project_root / "docs" / "indicators.md").read_text()
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    documented = IndicatorDefinition.model_validate(yaml.safe_load(block))
    assert documented == IndicatorDefinition.model_validate(GRADE3_READING)
