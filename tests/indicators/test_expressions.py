"""Expressions are checked against allow-lists, and every refusal points at its token."""

from __future__ import annotations

import pytest

from backbone.indicators.expressions import (
    ExpressionError,
    analytic_columns,
    check_expression,
    transpile,
)


def refusal(text: str, tables: list[str] | None = None, **options) -> ExpressionError:
    with pytest.raises(ExpressionError) as caught:
        check_expression(text, tables or ["wages"], **options)
    return caught.value


@pytest.mark.parametrize(
    ("text", "message", "line", "col", "token"),
    [
        ("1=1; DROP TABLE wages", "';' is not allowed", 1, 4, ";"),
        ("record_id IN (SELECT record_id FROM wages)", "subqueries are not allowed", 1, 14, "("),
        ("wages.wagez > 0", "unknown column 'wagez' in table wages", 1, 7, "wagez"),
        ("wagez > 0", "unknown column 'wagez' in table wages", 1, 1, "wagez"),
        ("DROP TABLE wages", "DROP statements are not allowed", 1, 1, "DROP"),
        ("SELECT 1", "SELECT statements are not allowed", 1, 1, "SELECT"),
        ("wages > 0 UNION SELECT 1", "UNION statements are not allowed", 1, 11, "UNION"),
        ("EXISTS (SELECT 1)", "subqueries are not allowed", 1, 1, "EXISTS"),
        ("sum(wages) > 0", "aggregate function 'sum' is not allowed", 1, 1, "sum"),
        ("row_number() OVER () = 1", "window functions are not allowed", 1, 14, "OVER"),
        ("read_csv('x.csv') = 1", "function 'read_csv' is not allowed", 1, 1, "read_csv"),
        ("random() > 0.5", "function 'rand' is not allowed", 1, 1, "random"),
        ("wages > 0 -- and more", "comments are not allowed", 1, 9, "0"),
        ("wages /* hidden */ > 0", "comments are not allowed", 1, 1, "wages"),
        ("$1 = wages", "parameters are not allowed", 1, 1, "$"),
        ("main.wages.wages > 0", "write table.column, nothing longer", 1, 12, "wages"),
        ("wages.wages + 1", "expected a true/false condition", 1, 1, "wages"),
        ("wages >", "the expression is incomplete", 1, 7, ">"),
        ("employer_id = 'x' AND\n  nope = 1", "unknown column 'nope'", 2, 3, "nope"),
    ],
)
def test_refusal_names_the_problem_and_points_at_the_token(text, message, line, col, token):
    problem = refusal(text).first
    assert message in problem.message
    assert (problem.line, problem.col, problem.token) == (line, col, token)


def test_message_reads_as_one_line_a_form_can_show():
    assert str(refusal("wages.wagez > 0")) == (
        "unknown column 'wagez' in table wages (line 1, col 7, near 'wagez')"
    )


def test_refused_functions_are_all_reported():
    error = refusal("foo(wages) = 1 AND bar(quarter) = 2")
    assert [p.token for p in error.problems] == ["foo", "bar"]


def test_unknown_columns_are_all_reported():
    error = refusal("wagez > 0 AND quartr = 1")
    assert [p.token for p in error.problems] == ["wagez", "quartr"]


def test_field_prefixes_the_message():
    error = refusal("wagez > 0", field="numerator")
    assert str(error).startswith("numerator: unknown column 'wagez'")


def test_identity_tier_table_is_refused():
    error = refusal("ssn = '1'", ["identity_record"])
    assert "identity tier" in str(error)


def test_undeclared_table_is_refused():
    error = refusal("assessment.proficient", ["wages"])
    assert "table 'assessment' is not declared" in str(error)


def test_ambiguous_column_must_be_qualified():
    error = refusal("school_year = 2024", ["assessment", "attendance"])
    assert "column 'school_year' is in several tables (assessment, attendance)" in str(error)


def test_columns_are_qualified_by_their_table():
    checked = check_expression("grade = '3' AND proficient", ["assessment", "wages"])
    assert checked.sql() == "assessment.grade = '3' AND assessment.proficient"
    assert checked.columns == {("assessment", "grade"), ("assessment", "proficient")}


def test_boolean_column_alone_is_a_condition_but_a_number_is_not():
    check_expression("proficient", ["assessment"])
    assert "true/false" in str(refusal("scale_score", ["assessment"]))


def test_value_expressions_need_not_be_conditions():
    checked = check_expression("coalesce(wages, 0) * 4", ["wages"], kind="value")
    assert checked.sql("spark") == "COALESCE(wages.wages, 0) * 4"


def test_record_id_and_lineage_columns_come_from_the_stored_table():
    columns = analytic_columns("wages")
    assert {"record_id", "wages", "year", "quarter", "submission_id"} <= set(columns)
    assert "local_id" not in columns  # hashed to record_id on load


@pytest.mark.parametrize(
    ("text", "duckdb", "spark"),
    [
        (
            "exit_date >= DATE '2024-07-01' + INTERVAL 90 DAY",
            "training.exit_date >= CAST('2024-07-01' AS DATE) + INTERVAL '90' DAY",
            "training.exit_date >= CAST('2024-07-01' AS DATE) + INTERVAL '90' DAY",
        ),
        (
            "if(completed, 1, 0) = 1 AND credential IS NOT NULL",
            "CASE WHEN training.completed THEN 1 ELSE 0 END = 1 AND NOT training.credential IS NULL",
            "IF(training.completed, 1, 0) = 1 AND NOT training.credential IS NULL",
        ),
        (
            "provider ILIKE 'north%' AND year(entry_date) IN (2024, 2025)",
            "training.provider ILIKE 'north%' AND YEAR(training.entry_date) IN (2024, 2025)",
            "training.provider ILIKE 'north%' AND YEAR(training.entry_date) IN (2024, 2025)",
        ),
    ],
)
def test_transpile_to_duckdb_and_spark(text, duckdb, spark):
    assert transpile(text, "duckdb", ["training"]) == duckdb
    assert transpile(text, "spark", ["training"]) == spark


def test_transpile_checks_before_writing():
    with pytest.raises(ExpressionError, match="';' is not allowed"):
        transpile("1=1; DROP TABLE wages", "spark")


def test_transpile_refuses_unknown_dialect():
    with pytest.raises(ValueError, match="unknown dialect 'oracle'"):
        transpile("wages > 0", "oracle", ["wages"])  # type: ignore[arg-type]
