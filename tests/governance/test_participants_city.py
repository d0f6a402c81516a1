"""A tutoring partner's participants' outcomes on the synthetic city: the yes / no / not yet
counts of every outcome equal counts made straight from the raw partner files.

The city (1,000 students) is generated, loaded by the real importers and given the truth
crosswalk (``truth/persons.csv``), as in ``tests/indicators/test_library.py``; linkage quality
is tested in ``tests/identity``. The expected side reads the Bright Futures rosters, the
district's Ed-Fi zips and graduation cohort files, the wage and college CSVs with pandas and
DuckDB (``tests/indicators/raw_city.py``), applying each outcome's rule as
``docs/governance.md`` states it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from backbone.governance.participants import OUTCOMES, Permit, Source, outcomes_sql
from backbone.warehouse.store import Warehouse
from tests.city_loading import TODAY
from tests.indicators import raw_city as raw
from tests.indicators.test_library import attendance_rows

pytestmark = pytest.mark.city

TUTORING = "bright-futures-tutoring"
HOLDERS = {"wages": raw.WORKFORCE, "postsecondary": raw.COLLEGE}  # the rest: the district
Verdict = bool | None


@pytest.fixture(scope="module")
def city(tmp_path_factory, loaded_cities) -> tuple[Path, Warehouse]:
    folder = tmp_path_factory.mktemp("participants") / "warehouse"
    manifest, warehouse = loaded_cities(folder, students=1000, seed=11)
    truth = raw.truth_people(manifest.root)
    with warehouse.engine(tier="identity") as engine:
        records = engine.run("SELECT DISTINCT record_id, source_partner, local_id FROM identity_record")  # fmt: skip
    warehouse.write_derived("crosswalk", "analytic", pa.table({
        "record_id": [r[0] for r in records], "source_partner": [r[1] for r in records],
        "person_key": [truth[(r[1], r[2])] for r in records],
    }))  # fmt: skip
    return manifest.root, warehouse


@pytest.fixture(scope="module")
def page(city) -> dict[str, Counter[Verdict]]:
    """Yes / no / not yet counts per outcome of every Bright Futures participant, as the
    participants' page reads them (every outcome permitted)."""
    allowed = {
        o.code: [Permit(Source(HOLDERS.get(o.table, raw.DISTRICT), "c"), "dsa")] for o in OUTCOMES
    }
    sql, parameters = outcomes_sql(TUTORING, allowed, TODAY)
    with city[1].engine("all") as engine:
        rows = engine.arrow(sql, [*parameters, 1_000_000, 0]).to_pylist()
    return {o.code: Counter(r[o.code] for r in rows) for o in OUTCOMES}


@pytest.fixture(scope="module")
def district(city) -> dict[str, pd.DataFrame]:
    return raw.edfi(city[0])


@pytest.fixture(scope="module")
def roster(city) -> pd.DataFrame:
    """Each participant (own id) with its person, birth date and exit quarter, from the rosters."""
    root, people = city[0], raw.truth_people(city[0])
    spells = raw.csvs(root, TUTORING, "program_participation")
    spells = spells.assign(
        end=pd.to_datetime(spells["end_date"].replace("", None)),
        birth=pd.to_datetime(spells["birth_date"].replace("", None)),
    )
    frame = spells.groupby("local_id").agg(birth=("birth", "max"), end=("end", "max"),
                                           open=("end", lambda e: e.isna().any()))  # fmt: skip
    frame["exit_quarter"] = (frame["end"].dt.year * 4 + frame["end"].dt.quarter).where(~frame["open"])  # fmt: skip
    return frame.assign(person=[people[(TUTORING, i)] for i in frame.index])


def tally(yes: pd.Series, eligible: pd.Series) -> Counter[Verdict]:
    return Counter(
        True if y else (False if e else None) for y, e in zip(yes, eligible, strict=True)
    )


def persons(frame: pd.DataFrame, partner: str, column: str, people) -> pd.Series:
    return pd.Series([people[(partner, i)] for i in frame[column]], index=frame.index)


def test_the_city_has_the_participants_of_the_finding(page, roster):
    # Every participant is counted once per outcome, and the tutoring roster is not small.
    assert all(sum(c.values()) == len(roster) for c in page.values()) and len(roster) > 100


def test_employment_counts_equal_duckdb_over_the_wage_and_roster_files(city, page, roster):
    root = city[0]
    wage_files = str(root / raw.WORKFORCE / "ui_wages" / "*.csv")
    connection = duckdb.connect()
    latest = connection.execute(f"SELECT max(year * 4 + quarter) FROM read_csv('{wage_files}')").fetchone()[0]  # fmt: skip
    paid = connection.execute(
        f"SELECT DISTINCT CAST(ssn AS VARCHAR), year * 4 + quarter FROM read_csv('{wage_files}', "
        "types={'ssn': 'VARCHAR'}) WHERE wages > 0"
    ).fetchall()
    people = raw.truth_people(root)
    earned = {(people[(raw.WORKFORCE, ssn)], quarter) for ssn, quarter in paid}
    yes = [(p, q + 2) in earned for p, q in zip(roster["person"], roster["exit_quarter"], strict=True)]  # fmt: skip
    assert page["employed"] == tally(pd.Series(yes), roster["exit_quarter"] + 2 <= latest)


def test_graduation_counts_equal_the_raw_cohort_files(city, page, roster):
    cohorts = raw.graduation(city[0])
    cohorts["person"] = persons(cohorts, raw.DISTRICT, "student", raw.truth_people(city[0]))
    passed = pd.to_datetime({"year": cohorts["cohort_year"], "month": 8, "day": 31}) < pd.Timestamp(TODAY)  # fmt: skip
    graduates = set(cohorts.loc[cohorts["status"] == "regular diploma", "person"])
    decided = set(cohorts.loc[passed, "person"])
    expected = tally(roster["person"].isin(graduates), roster["person"].isin(decided))
    assert page["graduated"] == expected
    # The finding: tutored children are not in a cohort yet, so "not yet", never a false "no".
    assert expected[None] > 0


@pytest.mark.parametrize("code", ["enrolled_postsecondary", "postsecondary_award"])
def test_college_counts_equal_the_raw_college_files(city, page, roster, code):
    terms = raw.csvs(city[0], raw.COLLEGE, "postsecondary")
    terms["person"] = persons(terms, raw.COLLEGE, "local_id", raw.truth_people(city[0]))
    if code == "postsecondary_award":
        terms = terms[terms["award"] != ""]
    adult = roster["birth"] <= pd.Timestamp(TODAY) - pd.DateOffset(years=18)
    assert page[code] == tally(roster["person"].isin(set(terms["person"])), adult)


def test_chronic_absence_counts_equal_the_raw_edfi_files_for_the_latest_year(
    city, district, page, roster
):
    rows = attendance_rows(district)
    latest = rows[rows["school_year"] == rows["school_year"].max()]
    days = latest.groupby("student")[["days_enrolled", "days_absent"]].sum()
    days.index = [raw.truth_people(city[0])[(raw.DISTRICT, s)] for s in days.index]
    mine = days.reindex(roster["person"])
    enrolled = mine["days_enrolled"].fillna(0) >= 10
    absent = enrolled & (mine["days_absent"] >= 0.1 * mine["days_enrolled"])
    expected = tally(absent.to_numpy(), enrolled.to_numpy())
    assert page["chronically_absent"] == expected
    assert expected[True] > 0 and expected[False] > 0


def test_grade3_reading_counts_equal_the_raw_edfi_assessment_files(city, district, page, roster):
    tests = district["assessments"]
    tests = tests[(tests["grade"] == "3") & (tests["subject"] == "English Language Arts")]
    tests = tests.assign(person=persons(tests, raw.DISTRICT, "student", raw.truth_people(city[0])))
    proficient = set(tests.loc[tests["proficient"].fillna(False).astype(bool), "person"])
    expected = tally(roster["person"].isin(proficient), roster["person"].isin(set(tests["person"])))
    assert page["grade3_reading_proficient"] == expected
    assert expected[True] > 0 and expected[False] > 0 and expected[None] > 0
