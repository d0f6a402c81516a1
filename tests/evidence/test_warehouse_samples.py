"""The study pools read from warehouse-shaped tables, on planted rows whose answer is worked out
by hand: who is a full-year student, which demographics row counts for a year, and people joined
across partners through the crosswalk."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest

from backbone.evidence import samples, warehouse_samples
from backbone.warehouse.engines.duckdb_engine import DuckDBEngine

D = dt.date


def _table(**columns: list) -> pa.Table:
    return pa.table(columns)


@pytest.fixture
def engine() -> DuckDBEngine:
    engine = DuckDBEngine()
    # a, b, c at school S (180 instructional days in 2024); c left early; d had two schools;
    # e is in grade 7 (not elementary). The tutoring partner's record t-a is a's.
    engine.register("school_enrollment", _table(
        record_id=["a", "b", "c", "d", "d", "e"], school_year=[2024] * 6,
        school_id=["S", "S", "S", "S", "T", "S"], grade=["3", "3", "2", "3", "3", "7"],
    ))  # fmt: skip
    engine.register("attendance", _table(
        record_id=["a", "b", "c", "d", "d", "e"], school_year=[2024] * 6,
        school_id=["S", "S", "S", "S", "T", "S"],
        days_enrolled=[180.0, 180.0, 90.0, 60.0, 120.0, 180.0],
        days_absent=[4.0, 10.0, 2.0, 1.0, 1.0, 0.0],
    ))  # fmt: skip
    engine.register("person_demographics", _table(
        record_id=["a", "a", "b"], as_of=[D(2024, 6, 30), D(2025, 6, 30), D(2024, 6, 30)],
        economically_disadvantaged=[True, False, False], english_learner=[False, False, True],
        disability=[False, False, False], race_ethnicity=["Asian", "Asian", "White"],
        homeless=[False, False, False],
    ))  # fmt: skip
    engine.register("assessment", _table(
        record_id=["a", "b"], school_year=[2024, 2024], grade=["3", "3"],
        subject=["English Language Arts", "Mathematics"], scale_score=[410.0, 380.0],
        proficient=[True, False], administration_date=[D(2024, 4, 1), D(2024, 4, 1)],
    ))  # fmt: skip
    engine.register("program_participation", _table(
        record_id=["t-a", "t-a", "t-z"], program=["Tutoring"] * 3,
        start_date=[D(2023, 9, 10), D(2024, 1, 8), D(2023, 9, 10)], hours=[10.0, 12.5, 8.0],
    ))  # fmt: skip
    engine.register("crosswalk", _table(record_id=["a", "t-a"], person_key=["P1", "P1"]))
    yield engine
    engine.close()


def test_full_year_elementary_students_with_that_years_demographics(engine):
    pool = warehouse_samples.student_years(engine)
    # c enrolled 90 of 180 days, d at two schools, e in grade 7: only a (as P1) and b remain.
    assert pool["person"].tolist() == ["P1", "b"]
    a = pool.iloc[0]
    # 2023-24's row (as of 2024-06-30), not 2024-25's: disadvantaged that year.
    assert (a["econ"], a["race"], a["grade"], a["days_absent"]) == (True, "Asian", 3, 4.0)
    assert a["scale_score"] == 410.0
    assert pool.iloc[1]["scale_score"] != pool.iloc[1]["scale_score"]  # b took maths only: NaN


def test_participation_joins_the_tutoring_roster_through_the_crosswalk(engine):
    pool = warehouse_samples.student_years(engine)
    roster = warehouse_samples.participation(engine)
    flagged = samples.participation_flags(pool, roster, "Tutoring")
    # P1's two terms of 2023-24 add up; t-z is linked to nobody in the pool.
    assert flagged[["person", "treated", "dose"]].values.tolist() == [
        ["P1", 1, 22.5], ["b", 0, 0.0],
    ]  # fmt: skip


def test_training_cohorts_take_earnings_before_july_and_two_years_on(engine):
    engine.register("training", _table(
        record_id=["w-1"], program=["Welding"], entry_date=[D(2021, 9, 1)],
    ))  # fmt: skip
    engine.register("wages", _table(
        record_id=["u-1", "u-1", "u-2", "u-2"], year=[2021, 2023, 2021, 2023],
        quarter=[1, 2, 2, 1], wages=[4000.0, 9000.0, 5000.0, 6000.0],
        employer_id=["E"] * 4,
    ))  # fmt: skip
    engine.register("crosswalk", _table(record_id=["w-1", "u-1"], person_key=["P9", "P9"]))
    cohorts = warehouse_samples.training_cohorts(engine, "*", (2021, 2021))
    rows = {r["person"]: r for r in cohorts.to_dict("records")}
    # Programme year 2021-22: pre = 2020Q3..2021Q2, post = calendar 2023.
    assert set(rows) == {"P9", "u-2"} and rows["P9"]["treated"] == 1
    assert rows["P9"]["pre_earnings"] == 4000.0 and rows["P9"]["post_earnings"] == 9000.0
    assert rows["u-2"]["pre_employed"] == 0.25 and rows["u-2"]["post_employed"] == 0.25


def test_program_assessments_name_each_mentee_by_their_person(engine):
    engine.register("program_assessment", _table(
        record_id=["m-1", "m-2"], program=["Mentoring"] * 2, instrument=["DESSA"] * 2,
        domain=["SEL"] * 2, pre_date=[D(2024, 9, 20), D(2024, 9, 21)], pre_score=[44, 50],
        post_date=[D(2025, 5, 1), None], post_score=[49, None],
    ))  # fmt: skip
    engine.register("crosswalk", _table(record_id=["m-1"], person_key=["P1"]))
    rows = warehouse_samples.program_assessments(engine)
    assert rows["person"].tolist() == ["P1", "m-2"]  # m-2 is linked to nobody: its own person
    assert rows["post_score"].tolist()[0] == 49.0 and pd.isna(rows["post_score"].tolist()[1])
