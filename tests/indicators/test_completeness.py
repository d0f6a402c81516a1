"""When a period is complete: the rule as data, its checks, and the day arithmetic, against dates
worked out by hand (a calendar, not the code)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from backbone.indicators.completeness import (
    Awaited,
    CompleteWhen,
    closes,
    data_through,
    is_complete,
    period_end,
    reach,
    through_sql,
)
from backbone.indicators.definitions import (
    DefinitionError,
    IndicatorDefinition,
    Period,
    check_definition,
)
from tests.indicators.tables import create_table

TODAY = dt.date(2026, 11, 23)
WAGES = Awaited(table="wages", through="quarter")
Q4_AFTER_EXIT = CompleteWhen(follow_up_months=12, waits_for=(WAGES,))


@pytest.mark.parametrize(
    "period, kind, integer, end",
    [
        ("2026", "value", "school_year", dt.date(2026, 6, 30)),  # 2025-26
        ("2026", "school_year", "school_year", dt.date(2026, 6, 30)),
        ("2024", "program_year", "school_year", dt.date(2025, 6, 30)),  # PY2024: Jul 24–Jun 25
        ("2024", "calendar_year", "school_year", dt.date(2024, 12, 31)),
        ("2024", "value", "calendar_year", dt.date(2024, 12, 31)),
        ("2024", "value", "program_year", dt.date(2025, 6, 30)),
        ("2025-Q1", "quarter", "school_year", dt.date(2025, 3, 31)),
        ("2024-Q4", "quarter", "school_year", dt.date(2024, 12, 31)),
        ("spring", "value", "school_year", None),
    ],
)
def test_a_period_ends_on_the_last_day_of_its_year_or_quarter(period, kind, integer, end):
    assert period_end(period, kind, integer) == end


@pytest.mark.parametrize(
    "period, kind, months, closing",
    [
        ("2025", "value", 12, dt.date(2026, 6, 30)),  # leavers of 2024-25: Q4 after Q2 2025
        ("2025", "value", 4, dt.date(2025, 10, 31)),  # graduates of 2025: 31 October 2025
        ("2024", "program_year", 6, dt.date(2025, 12, 31)),  # PY2024 exiters: exit Q2 2025 + 2
        ("2024", "program_year", 48, dt.date(2029, 6, 30)),  # year 4: exit quarter + 16
        ("2024-Q4", "quarter", 2, dt.date(2025, 2, 28)),  # to the end of February
        ("2023-Q4", "quarter", 2, dt.date(2024, 2, 29)),  # a leap year's February
    ],
)
def test_the_window_closes_at_the_end_of_the_month_the_follow_up_reaches(
    period, kind, months, closing
):
    rule = CompleteWhen(follow_up_months=months, waits_for=(WAGES,))
    assert closes(period, kind, rule) == closing


@pytest.mark.parametrize(
    "awaited, latest, reached",
    [
        (WAGES, 2026 * 4 + 2, dt.date(2026, 6, 30)),  # 2026-Q2 loaded
        (WAGES, 2025 * 4 + 4, dt.date(2025, 12, 31)),
        (WAGES, 2026 * 4 + 4, TODAY),  # a quarter not over yet reaches today only
        # The college's fall 2025 term: the 2025-26 file, through 30 June 2026.
        (Awaited(table="postsecondary", through="school_year", column="enrollment_begin"),
         dt.date(2025, 8, 25), dt.date(2026, 6, 30)),
        # A district file for 2026-27 sent in November reaches November, not June.
        (Awaited(table="attendance", through="school_year", column="school_year"), 2027, TODAY),
        (Awaited(table="attendance", through="school_year", column="school_year"), 2026,
         dt.date(2026, 6, 30)),
        # The latest training exit, 3 March 2026: program year 2025, through 30 June 2026.
        (Awaited(table="training", through="program_year", column="exit_date"),
         dt.date(2026, 3, 3), dt.date(2026, 6, 30)),
        (Awaited(table="housing", through="calendar_year", column="entry_date"),
         dt.date(2025, 3, 3), dt.date(2025, 12, 31)),
        (WAGES, None, None),  # an empty table reaches nowhere
    ],
)  # fmt: skip
def test_loaded_data_reach_the_end_of_the_period_of_their_latest_value(awaited, latest, reached):
    assert reach(awaited, latest, TODAY) == reached


def test_the_data_through_is_the_earliest_reach_and_nothing_while_a_table_is_empty():
    june, march = dt.date(2026, 6, 30), dt.date(2026, 3, 31)
    assert data_through([june, march]) == march
    assert data_through([june, None]) is None


@pytest.mark.parametrize(
    "period, through, complete",
    [
        ("2025", dt.date(2026, 6, 30), True),  # the window closes on the day the data reach
        ("2025", dt.date(2026, 6, 29), False),
        ("2026", dt.date(2026, 6, 30), False),  # "<=5% in 2026": wages for Q2 2027 not in
        ("2025", None, False),
    ],
)
def test_a_period_is_complete_when_its_window_closed_by_the_data_through(period, through, complete):
    assert is_complete(period, "value", Q4_AFTER_EXIT, through) is complete


def test_without_a_rule_every_period_is_complete():
    assert is_complete("2026", "value", None, None)


def test_the_latest_quarter_query_reads_a_real_table():
    connection = duckdb.connect()
    create_table(connection, "wages", [
        {"record_id": "w1", "year": 2025, "quarter": 4, "wages": 100.0},
        {"record_id": "w2", "year": 2026, "quarter": 2, "wages": 100.0},
        {"record_id": "w3", "year": 2026, "quarter": 1, "wages": 100.0},
    ])  # fmt: skip
    [(latest,)] = connection.execute(through_sql(WAGES)).fetchall()
    assert reach(WAGES, latest, TODAY) == dt.date(2026, 6, 30)


# --- the rule in a definition ---------------------------------------------------------------


def young_adult(**complete_when) -> IndicatorDefinition:
    return IndicatorDefinition.model_validate({
        "slug": "leavers_employed", "name": "Leavers employed", "table": "school_enrollment",
        "joins": [{"table": "wages", "on": "person_key"}],
        "denominator": "school_enrollment.exit_type = 'Graduated'",
        "numerator": "wages.wages > 0",
        "period": {"column": "school_enrollment.school_year"},
        "complete_when": complete_when,
    })  # fmt: skip


def test_a_definition_keeps_its_rule_as_data_and_round_trips():
    definition = young_adult(follow_up_months=12, waits_for=[{"table": "wages",
                                                              "through": "quarter"}])  # fmt: skip
    check_definition(definition)
    data = definition.model_dump(mode="json")
    assert data["complete_when"] == {
        "follow_up_months": 12, "waits_for": [{"table": "wages", "through": "quarter"}],
        "integer_period": "school_year",
    }  # fmt: skip
    assert IndicatorDefinition.model_validate(data) == definition


def test_a_definition_without_a_rule_stores_no_rule_so_its_version_stays():
    definition = IndicatorDefinition(
        slug="x", name="X", table="wages", denominator="wages >= 0", numerator="wages > 0",
        period=Period(column="year"),
    )  # fmt: skip
    assert "complete_when" not in definition.model_dump(mode="json")


@pytest.mark.parametrize(
    "waits_for, message",
    [
        ([{"table": "training", "through": "program_year", "column": "exit_date"}],
         r"complete_when.waits_for\[0\]: waits for 'training', a table the definition does not"),
        ([{"table": "school_enrollment", "through": "quarter"}],
         "through: quarter needs integer year and quarter columns in school_enrollment"),
        ([{"table": "wages", "through": "quarter", "column": "year"}],
         "through: quarter reads the table's year and quarter columns; drop column"),
        ([{"table": "school_enrollment", "through": "school_year"}],
         "through: school_year needs a column"),
        ([{"table": "school_enrollment", "through": "school_year", "column": "exit_dat"}],
         "unknown column 'exit_dat' in table school_enrollment"),
        ([{"table": "school_enrollment", "through": "school_year", "column": "exit_type"}],
         "school_enrollment.exit_type is VARCHAR: it needs a date or an integer year"),
    ],
)  # fmt: skip
def test_a_rule_its_tables_cannot_answer_is_refused_naming_the_field(waits_for, message):
    with pytest.raises(DefinitionError, match=message):
        check_definition(young_adult(waits_for=waits_for))


def test_a_rule_must_wait_for_something_and_follow_up_for_no_negative_time():
    with pytest.raises(ValueError, match="waits_for"):
        young_adult(waits_for=[])
    with pytest.raises(ValueError, match="follow_up_months"):
        young_adult(follow_up_months=-1, waits_for=[{"table": "wages", "through": "quarter"}])
