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


def test_exit_cohorts_give_each_comparison_its_participants_calendar_quarters(engine):
    # P9 entered 2021-10-01 (2021Q4), exited 2022-02-15 (2022Q1); w-2 entered 2022-01-10
    # (2022Q1) and exited 2022-05-01 (2022Q2); w-3 is still in training (no exit); w-4 entered
    # in 2019-20, outside the programme years, and is u-4 in the UI records (P4): neither a
    # participant nor a comparison. u-2 was never trained: the only comparison.
    engine.register("training", _table(
        record_id=["w-1", "w-2", "w-3", "w-4"], program=["Welding"] * 4,
        entry_date=[D(2021, 10, 1), D(2022, 1, 10), D(2021, 9, 1), D(2019, 9, 1)],
        exit_date=[D(2022, 2, 15), D(2022, 5, 1), None, D(2020, 1, 1)],
    ))  # fmt: skip
    engine.register("wages", _table(
        record_id=["u-1", "u-1", "u-2", "u-2", "u-2", "u-2", "u-4"],
        year=[2021, 2023, 2020, 2023, 2023, 2024, 2024],
        quarter=[1, 2, 4, 1, 2, 1, 4], wages=[4000.0, 9000.0, 500.0, 1000.0, 2000.0, 3000.0, 1.0],
        employer_id=["E"] * 7,
    ))  # fmt: skip
    engine.register("crosswalk", _table(record_id=["w-1", "u-1", "w-4", "u-4"],
                                        person_key=["P9", "P9", "P4", "P4"]))  # fmt: skip
    windows = {"year_one": (1, 4), "years": (2,)}
    rows = warehouse_samples.training_exit_cohorts(engine, "*", (2021, 2021), windows)
    got = {(r["person"], r["anchor"]): r for r in rows.to_dict("records")}
    assert sorted(got) == [("P9", "8087>8088"), ("u-2", "8087>8088"), ("u-2", "8088>8089"),
                           ("w-2", "8088>8089")]  # fmt: skip
    # P9: year 2 = 2023Q1-Q4 (9000 in Q2); pre = 2020Q4-2021Q3 (4000 in 2021Q1).
    p9 = got[("P9", "8087>8088")]
    assert (p9["treated"], p9["year2_earnings"], p9["pre_earnings"]) == (1, 9000.0, 4000.0)
    # u-2 beside P9: the same quarters, 1000 + 2000 after and 500 (2020Q4) before; beside w-2
    # (year 2 = 2023Q2-2024Q1, pre = 2021Q1-Q4): 2000 + 3000 after and nothing before.
    beside_p9, beside_w2 = got[("u-2", "8087>8088")], got[("u-2", "8088>8089")]
    assert (beside_p9["year2_earnings"], beside_p9["pre_earnings"]) == (3000.0, 500.0)
    assert (beside_w2["year2_earnings"], beside_w2["pre_earnings"]) == (5000.0, 0.0)
    assert got[("w-2", "8088>8089")]["year2_earnings"] == 0.0  # no wages at all: $0


def test_exit_cohorts_in_dollars_of_a_year_the_table_lacks_name_it(engine):
    engine.register("training", _table(
        record_id=["w-1"], program=["Welding"], entry_date=[D(2021, 10, 1)],
        exit_date=[D(2022, 2, 15)],
    ))  # fmt: skip
    engine.register("wages", _table(
        record_id=["u-2", "u-2"], year=[2020, 2025], quarter=[1, 1], wages=[1.0, 1.0],
        employer_id=["E"] * 2,
    ))  # fmt: skip
    table = {2020: 258.811, 2021: 270.970, 2022: 292.655, 2023: 304.702}
    windows = {"years": (2,), "cpi_base_year": 2023, "cpi_table": table}
    # Year 2 ends in 2023Q4 and the baseline starts in 2019Q4, before the records (2020Q1):
    # every year the windows reach is in the table.
    rows = warehouse_samples.training_exit_cohorts(engine, "*", (2021, 2021), windows)
    assert rows.loc[rows["person"] == "u-2", "early_earnings"].isna().all()  # 2019Q4 unobserved
    with pytest.raises(ValueError, match="no CPI-U annual average for 2024"):
        warehouse_samples.training_exit_cohorts(
            engine, "*", (2021, 2021), {**windows, "years": (3,)}
        )
