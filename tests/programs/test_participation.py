"""Monthly participation, yearly take-up and dosage against the hand-worked figures of
``tests/programs/spells.py``."""

from __future__ import annotations

import datetime as dt

import pytest

from backbone.programs import participation as pp
from backbone.warehouse.engines import DuckDBEngine
from tests.programs.spells import READING, THROUGH, plant, plant_people


@pytest.fixture
def engine():
    engine = DuckDBEngine()
    plant(engine)
    yield engine
    engine.close()


def test_months_count_overlapping_people_and_spread_sessions_and_hours_by_days(engine):
    rows = pp.monthly(engine, [READING], THROUGH)
    got = {
        str(r["month"]): (r["participants"], round(r["sessions"], 9), round(r["hours"], 9))
        for r in rows
    }
    assert got == {
        "2024-01-01": (1, 17, 34),
        "2024-02-01": (2, 14 + 8, 28 + 10),
        "2024-06-01": (1, 11, 22),
        "2024-07-01": (1, 10, 20),
        "2024-09-01": (1, 5, 5),
    }


def test_take_up_is_distinct_people_by_school_year_of_start_with_dosage_met(engine):
    rows = pp.yearly(engine, [READING], THROUGH)
    got = {r["year"]: (r["participants"], r["sessions"], r["hours"], r["met_dosage"]) for r in rows}
    # 2023-24: r1 (31 sessions, 62 h: met), r2 (8, 10: not), r4 (21, 42: met).
    assert got == {"2023-24": (3, 60, 114.0, 2), "2024-25": (1, 5, 5.0, 0)}


def test_a_rule_on_sessions_only_ignores_hours(engine):
    sessions_only = pp.Matcher("reading-buddies", "bft", READING.aliases, None, 25)
    rows = pp.yearly(engine, [sessions_only], THROUGH)
    assert {r["year"]: r["met_dosage"] for r in rows} == {"2023-24": 1, "2024-25": 0}


def test_unmatched_values_are_per_partner_with_people_and_dates(engine):
    rows = pp.unmatched(engine, [READING])
    assert [(r["partner"], r["value"], r["participants"], r["first_day"], r["last_day"])
            for r in rows] == [
        ("bft", "Chess Club", 1, dt.date(2024, 3, 1), dt.date(2024, 3, 1)),
        ("eyc", "Reading Buddies Tutoring", 1, dt.date(2024, 1, 10), dt.date(2024, 1, 20)),
    ]  # fmt: skip


def test_with_no_programs_every_value_is_unmatched(engine):
    assert len(pp.unmatched(engine, [])) == 4
    assert pp.monthly(engine, [], THROUGH) == []


@pytest.mark.parametrize(
    ("day", "year"),
    [(dt.date(2024, 6, 30), "2023-24"), (dt.date(2024, 7, 1), "2024-25"),
     (dt.date(1999, 12, 31), "1999-00")],
)  # fmt: skip
def test_school_year_in_sql_equals_python(engine, day, year):
    sql = f"SELECT {pp.school_year_sql('d')} FROM (SELECT CAST(? AS DATE) AS d)"
    assert engine.run(sql, [day])[0][0] == year == pp.school_year(day)


def test_reach_counts_people_of_each_group_and_zero_for_a_group_no_program_reaches(engine):
    plant_people(engine)
    rows = pp.reach(engine, [READING], THROUGH)
    got = {(r["year"], r["dimension"], r["group"]): r["reached"] for r in rows}
    black, white, asian = "Black or African American", "White", "Asian"
    assert got == {
        ("2023-24", "economically_disadvantaged", "false"): 1,
        ("2023-24", "economically_disadvantaged", "true"): 2,
        ("2023-24", "race_ethnicity", asian): 0,
        ("2023-24", "race_ethnicity", black): 2,
        ("2023-24", "race_ethnicity", white): 1,
        ("2024-25", "economically_disadvantaged", "false"): 0,
        ("2024-25", "economically_disadvantaged", "true"): 1,
        ("2024-25", "race_ethnicity", asian): 0,
        ("2024-25", "race_ethnicity", black): 1,
        ("2024-25", "race_ethnicity", white): 0,
    }
