"""The standard library: every file loads and checks, and on the synthetic city every indicator
the city's data can carry equals an independent pandas computation from the raw partner files.

The city (1,000 students) is generated, loaded through the real importers and given a
crosswalk built from the truth folder (``truth/persons.csv``: partner and local id → person), so
cross-partner indicators are compared exactly; linkage quality is tested in ``tests/identity``.
The pandas side (``raw_city``) reads the Ed-Fi zips, HMIS zips and CSVs itself and applies each
formula as ``docs/indicators.md`` states it: numerators and denominators must match exactly,
overall and per group (every demographic group the library defines), for every period. The
kindergarten entry assessment and the graduation cohort files are checked on the city too, and
their edge cases (retests, summer and fifth-year graduates, GED) on hand-made tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
import yaml

from backbone.indicators import engines
from backbone.indicators.definitions import compile_sql
from backbone.indicators.library import (
    StandardIndicator,
    load_indicator,
    standard_indicator,
    standard_library,
)
from backbone.warehouse.store import Warehouse
from tests.indicators import raw_city as raw
from tests.indicators.tables import create_table

TODAY = dt.date(2026, 11, 23)
Cells = dict[tuple[int, str, str], tuple[int, int]]


# --- the library as data --------------------------------------------------------------------


def test_every_library_file_loads_checks_and_compiles_for_both_engines():
    library = standard_library()
    assert len(library) == 22
    assert len({i.slug for i in library}) == len(library)
    for indicator in library:
        for dialect in ("duckdb", "spark"):
            assert "GROUP BY" in compile_sql(indicator.definition, dialect)
        assert indicator.citation and indicator.data_sources and indicator.definition.description


def test_library_entries_round_trip_through_their_flat_form():
    for indicator in standard_library():
        assert StandardIndicator.from_dict(indicator.to_dict()) == indicator


def test_workforce_measures_are_program_performance_measures():
    levels = {i.slug: i.level for i in standard_library()}
    assert levels["employment_q2_after_exit"] == "performance_measure"
    assert levels["grade3_reading"] == "population_indicator"


def test_a_broken_library_file_is_refused_naming_the_file_and_field(tmp_path):
    data = standard_indicator("grade8_math").to_dict()
    data["numerator"] = "assessment.proficent"
    path = tmp_path / "grade8_math.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(
        ValueError, match=r"grade8_math.yaml: numerator: unknown column 'proficent'"
    ):
        load_indicator(path)


def test_a_file_whose_slug_differs_from_its_name_is_refused(tmp_path):
    path = tmp_path / "other.yaml"
    path.write_text(yaml.safe_dump(standard_indicator("grade8_math").to_dict()))
    with pytest.raises(ValueError, match="slug 'grade8_math' differs from the file name"):
        load_indicator(path)


def test_unknown_slug_names_the_known_ones():
    with pytest.raises(KeyError, match="known: chronic_absence"):
        standard_indicator("grade_3_reading")


def test_docs_give_every_library_indicator_a_section(project_root):
    text = (project_root / "docs" / "indicators.md").read_text()
    section = text.split("## Standard library", 1)[1]
    for indicator in standard_library():
        assert f"`{indicator.slug}`" in section, indicator.slug


def test_library_yaml_ships_as_package_data(project_root):
    pyproject = (project_root / "pyproject.toml").read_text()
    assert '"indicators/library/*.yaml"' in pyproject


# --- edge cases the city does not produce: hand-made tables ----------------------------------


def run(connection: duckdb.DuckDBPyConnection, slug: str) -> Cells:
    frame = connection.execute(compile_sql(standard_indicator(slug).definition)).df()
    return cells(frame)


def cells(frame: pd.DataFrame) -> Cells:
    return {
        (int(r.period), r.dimension, r.group_value): (int(r.numerator), int(r.denominator))
        for r in frame.itertuples()
    }


def test_kindergarten_readiness_counts_benchmarked_kindergarteners():
    connection = duckdb.connect()
    kea = {"assessment_id": "KEA", "grade": "K", "subject": "Composite"}
    create_table(connection, "assessment", [
        {**kea, "record_id": "k1", "school_year": 2025, "proficient": True},
        {**kea, "record_id": "k2", "school_year": 2025, "proficient": False},
        {**kea, "record_id": "k3", "school_year": 2025, "proficient": True},
        {**kea, "record_id": "k3", "school_year": 2025, "proficient": False},  # a retest
        {**kea, "record_id": "k4", "school_year": 2025, "grade": "1", "proficient": True},
        {**kea, "record_id": "k5", "school_year": 2025, "subject": "Mathematics",
         "proficient": True},
    ])  # fmt: skip
    create_table(connection, "person_demographics", [
        {"record_id": "k1", "as_of": dt.date(2025, 6, 1), "economically_disadvantaged": True},
        {"record_id": "k2", "as_of": dt.date(2025, 6, 1), "economically_disadvantaged": True},
    ])  # fmt: skip
    result = run(connection, "kindergarten_readiness")
    assert result[(2025, "overall", "all")] == (2, 3)
    assert result[(2025, "economically_disadvantaged", "true")] == (1, 2)
    assert result[(2025, "economically_disadvantaged", "missing")] == (1, 1)


def test_graduation_rate_keeps_dropouts_and_drops_documented_leavers():
    connection = duckdb.connect()
    create_table(connection, "graduation", [
        {"record_id": "g1", "cohort_year": 2024, "status": "regular diploma",
         "diploma_date": dt.date(2024, 6, 1)},
        {"record_id": "g2", "cohort_year": 2024, "status": "regular diploma",
         "diploma_date": dt.date(2024, 8, 31)},  # summer graduate: within four years
        {"record_id": "g3", "cohort_year": 2024, "status": "regular diploma",
         "diploma_date": dt.date(2024, 9, 1)},  # a fifth-year graduate: not in the 4-year rate
        {"record_id": "g4", "cohort_year": 2024, "status": "dropout"},
        {"record_id": "g5", "cohort_year": 2024, "status": "GED", "diploma_date":
         dt.date(2024, 5, 1)},
        {"record_id": "g6", "cohort_year": 2024, "status": "transferred out"},
        {"record_id": "g7", "cohort_year": 2024, "status": "deceased"},
        {"record_id": "g8", "cohort_year": 2025, "status": "regular diploma",
         "diploma_date": dt.date(2025, 5, 30)},
    ])  # fmt: skip
    create_table(connection, "person_demographics", [])
    result = run(connection, "graduation_rate_4yr")
    assert result[(2024, "overall", "all")] == (2, 5)
    assert result[(2025, "overall", "all")] == (1, 1)


# --- the synthetic city: warehouse against raw files -----------------------------------------


@pytest.fixture(scope="module")
def city(tmp_path_factory, loaded_cities) -> tuple[Path, Warehouse]:
    """A 1,000-student city loaded by the real importers, with the truth crosswalk published."""
    folder = tmp_path_factory.mktemp("library") / "warehouse"
    manifest, warehouse = loaded_cities(folder, students=1000, seed=11)
    publish_truth_crosswalk(manifest.root, warehouse)
    return manifest.root, warehouse


def publish_truth_crosswalk(root: Path, warehouse: Warehouse) -> None:
    truth = raw.truth_people(root)
    with warehouse.engine(tier="identity") as engine:
        records = engine.run(
            "SELECT DISTINCT record_id, source_partner, local_id FROM identity_record"
        )
    persons = [truth[(partner, local_id)] for _, partner, local_id in records]
    rows = pa.table({"record_id": [r[0] for r in records], "person_key": persons})
    warehouse.write_derived("crosswalk", "analytic", rows)


@pytest.fixture(scope="module")
def district(city) -> dict[str, pd.DataFrame]:
    return raw.edfi(city[0])


@pytest.fixture(scope="module")
def people(city) -> dict[tuple[str, str], str]:
    return raw.truth_people(city[0])


def warehouse_result(warehouse: Warehouse, slug: str, dimensions: list[str]) -> pd.DataFrame:
    with warehouse.engine() as engine:
        frame = engine.arrow(compile_sql(standard_indicator(slug).definition)).to_pandas()
    return frame[frame["dimension"].isin(["overall", *dimensions])]


def group_text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "missing"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def tally(rows: pd.DataFrame, dimensions: list[str]) -> tuple[Cells, dict[tuple, float]]:
    """Persons per period and group: in the denominator once, in the numerator when any of
    their rows succeeded; medians of each successful person's summed ``value``."""
    counts: Cells = {}
    medians: dict[tuple, float] = {}
    rows = rows.assign(overall="all")
    for dimension in ["overall", *dimensions]:
        frame = rows.assign(group=[group_text(v) for v in rows[dimension]])
        for (period, group), members in frame.groupby(["period", "group"]):
            success = members.groupby("person")["success"].max()
            key = (int(period), dimension, str(group))
            counts[key] = (int(success.sum()), len(success))
            if "value" in members:
                earned = members[members["success"]].groupby("person")["value"].sum()
                medians[key] = float(earned.median()) if len(earned) else float("nan")
    return counts, medians


def assert_same(
    warehouse: Warehouse, slug: str, rows: pd.DataFrame, dimensions: list[str]
) -> Cells:
    result = warehouse_result(warehouse, slug, dimensions)
    expected, medians = tally(rows, dimensions)
    assert cells(result) == expected
    # Not vacuous: people in the population and some of them counted as successes.
    overall = {k: v for k, v in expected.items() if k[1] == "overall"}
    assert sum(n for n, _ in overall.values()) > 0 and sum(d for _, d in overall.values()) > 0
    if standard_indicator(slug).definition.unit != "median":
        return expected
    for r in result.itertuples():
        if r.numerator:
            expected_median = medians[(int(r.period), r.dimension, r.group_value)]
            assert r.value == pytest.approx(expected_median, abs=0.005), (r.period, r.group_value)
    return expected


def attendance_rows(district: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Days enrolled (instructional days within each enrolment) and absent, per student,
    school and school year, as the Ed-Fi attendance guidance counts them."""
    days = district["days"].drop_duplicates()
    spans = district["enrolments"].reset_index(names="enrolment")
    within = spans.merge(days, on="school")
    within = within[(within["date"] >= within["entry"]) & (within["date"] <= within["exit"])]
    spans["days_enrolled"] = spans["enrolment"].map(within.groupby("enrolment").size()).fillna(0)
    keys = ["student", "school", "school_year"]
    enrolled = spans.groupby(keys, as_index=False)["days_enrolled"].sum()
    absent = district["absences"].groupby(keys, as_index=False)["days"].sum()
    frame = enrolled.merge(absent, on=keys, how="left").fillna({"days": 0.0})
    return frame.rename(columns={"days": "days_absent"})


DEMOGRAPHICS = [
    "race_ethnicity", "economically_disadvantaged", "english_learner", "disability", "sex",
]  # fmt: skip
RACE_INCOME = "race_ethnicity × economically_disadvantaged"  # the crossed dimension


def with_econ(frame: pd.DataFrame, district: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """``frame`` with each student's demographics from the district's latest file about them."""
    latest = raw.district_demographics(district["students"])
    columns = {"economically_disadvantaged": "econ", "race_ethnicity": "race",
               "english_learner": "english_learner", "disability": "disability",
               "homeless": "homeless", "sex": "sex"}  # fmt: skip
    frame = frame.assign(**{
        name: frame["student"].map(latest[column]) for name, column in columns.items()
    })  # fmt: skip
    pairs = zip(frame["race_ethnicity"], frame["economically_disadvantaged"], strict=True)
    return frame.assign(**{RACE_INCOME: [f"{group_text(r)} × {group_text(e)}" for r, e in pairs]})


@pytest.mark.city
def test_chronic_absence_matches_the_raw_edfi_files(city, district):
    rows = attendance_rows(district)
    rows = rows[rows["days_enrolled"] >= 10]
    rows = with_econ(rows, district).assign(
        period=rows["school_year"], person=rows["student"], school_id=rows["school"],
        success=rows["days_absent"] >= 0.1 * rows["days_enrolled"],
    )  # fmt: skip
    assert_same(city[1], "chronic_absence", rows, ["school_id", *DEMOGRAPHICS, RACE_INCOME])


@pytest.mark.city
def test_suspensions_match_the_raw_edfi_discipline_files(city, district):
    spans = district["enrolments"]
    actions = district["actions"]
    suspended = actions[
        actions["action"].isin(["In School Suspension", "Out of School Suspension"])
    ]
    keys = set(zip(suspended["student"], suspended["school_year"], strict=True))
    pairs = zip(spans["student"], spans["school_year"], strict=True)
    rows = with_econ(spans, district).assign(
        period=spans["school_year"], person=spans["student"], success=[k in keys for k in pairs]
    )
    expected = assert_same(city[1], "suspension_rate", rows, [*DEMOGRAPHICS, RACE_INCOME])
    # Removals from class happen and are not suspensions; the planted disparities show.
    assert (actions["action"] == "Removal from Classroom").any()
    rate = {
        (d, g): n / size
        for d, g in [("economically_disadvantaged", "true"), ("economically_disadvantaged", "false"),
                     ("race_ethnicity", "Black or African American"), ("race_ethnicity", "White")]
        for n, size in [tally_sum(expected, d, g)]
    }  # fmt: skip
    assert (
        rate[("economically_disadvantaged", "true")] > rate[("economically_disadvantaged", "false")]
    )
    assert rate[("race_ethnicity", "Black or African American")] > rate[("race_ethnicity", "White")]


@pytest.mark.city
@pytest.mark.parametrize(
    "slug, grade, subject",
    [("grade3_reading", "3", "English Language Arts"), ("grade8_math", "8", "Mathematics")],
)
def test_proficiency_matches_the_raw_edfi_files(city, district, slug, grade, subject):
    tests = district["assessments"]
    rows = tests[(tests["grade"] == grade) & (tests["subject"] == subject)]
    rows = with_econ(rows, district).assign(
        period=rows["school_year"], person=rows["student"], success=rows["proficient"]
    )
    crossed = [RACE_INCOME] if slug == "grade3_reading" else []
    assert_same(city[1], slug, rows, [*DEMOGRAPHICS, *crossed])


@pytest.mark.city
def test_kindergarten_readiness_matches_the_raw_edfi_assessment_files(city, district):
    tests = district["assessments"]
    rows = tests[(tests["grade"] == "K") & (tests["subject"] == "Composite")]
    rows = with_econ(rows, district).assign(
        period=rows["school_year"], person=rows["student"], success=rows["proficient"]
    )
    expected = assert_same(city[1], "kindergarten_readiness", rows, DEMOGRAPHICS)
    # Every school year has a screened kindergarten cohort, and the city's gap shows.
    overall = {k[0] for k in expected if k[1] == "overall"}
    assert overall == set(range(2021, 2027))
    ready = {g: tally_sum(expected, "economically_disadvantaged", g) for g in ("true", "false")}
    assert ready["true"][0] / ready["true"][1] < ready["false"][0] / ready["false"][1]


@pytest.mark.city
def test_race_by_income_cells_add_up_to_the_race_rows_on_the_city(city, district):
    result = warehouse_result(city[1], "grade3_reading", ["race_ethnicity", RACE_INCOME])
    crossed = result[result["dimension"] == RACE_INCOME]
    race = crossed["group_value"].str.split(" × ").str[0]
    summed = crossed.groupby([crossed["period"], race])[["numerator", "denominator"]].sum()
    margins = result[result["dimension"] == "race_ethnicity"]
    margins = margins.set_index(["period", "group_value"])[["numerator", "denominator"]]
    assert summed.sort_index().to_dict() == margins.sort_index().to_dict()
    # Not vacuous: several races, each split into low-income and not, in several years.
    assert crossed["group_value"].str.endswith(" × true").sum() >= 6
    assert crossed["group_value"].str.endswith(" × false").sum() >= 6


def tally_sum(cells_: Cells, dimension: str, group: str) -> tuple[int, int]:
    """Numerator and denominator of one group summed over periods."""
    pairs = [v for k, v in cells_.items() if k[1] == dimension and k[2] == group]
    return sum(n for n, _ in pairs), sum(d for _, d in pairs)


@pytest.mark.city
def test_graduation_rate_matches_the_raw_cohort_files(city, district):
    cohorts = raw.graduation(city[0])
    rows = cohorts[~cohorts["status"].isin(["transferred out", "emigrated", "deceased"])]
    deadline = pd.to_datetime({"year": rows["cohort_year"], "month": 8, "day": 31})
    rows = with_econ(rows, district).assign(
        period=rows["cohort_year"], person=rows["student"],
        success=(rows["status"] == "regular diploma") & (rows["diploma_date"] <= deadline),
    )  # fmt: skip
    dimensions = [*DEMOGRAPHICS, "homeless", RACE_INCOME]
    expected = assert_same(city[1], "graduation_rate_4yr", rows, dimensions)
    assert {k[0] for k in expected if k[1] == "overall"} == {2024, 2025, 2026}
    # Dropouts and undocumented leavers stay in the cohort; documented transfers leave it.
    assert set(cohorts["status"]) == {"regular diploma", "dropout", "transferred out", "unknown"}


def leavers(district, people, exit_types: set[str]) -> pd.DataFrame:
    spans = district["enrolments"]
    spans = spans[spans["exit_type"].isin(exit_types)]
    persons = [people[(raw.DISTRICT, s)] for s in spans["student"]]
    return with_econ(spans, district).assign(person=persons, period=spans["school_year"])


def college(root: Path, people) -> pd.DataFrame:
    terms = raw.csvs(root, raw.COLLEGE, "postsecondary")
    return pd.DataFrame({
        "person": [people[(raw.COLLEGE, i)] for i in terms["local_id"]],
        "begin": pd.to_datetime(terms["enrollment_begin"]),
        "award_date": pd.to_datetime(terms["award_date"]),
        "level": terms["level"],
    })  # fmt: skip


@pytest.mark.city
def test_postsecondary_enrollment_matches_district_and_college_files(city, district, people):
    rows = leavers(district, people, {"Graduated"}).merge(college(city[0], people), "left",
                                                           "person")  # fmt: skip
    begin, graduated = rows["begin"], rows["exit"]
    rows["success"] = (
        (begin >= graduated) & (begin.dt.year == graduated.dt.year) & (begin.dt.month <= 10)
    )
    assert_same(city[1], "postsecondary_enrollment", rows, DEMOGRAPHICS)


@pytest.mark.city
def test_postsecondary_completion_matches_district_and_college_files(city, district, people):
    rows = leavers(district, people, {"Graduated"}).merge(college(city[0], people), on="person")
    rows = rows[rows["begin"] >= rows["exit"]]
    windows = {"certificate": pd.DateOffset(months=18), "associate": pd.DateOffset(years=3)}
    deadline = [e + windows[level] for e, level in zip(rows["exit"], rows["level"], strict=True)]
    rows = rows.assign(success=rows["award_date"].notna() & (rows["award_date"] <= deadline))
    expected = assert_same(city[1], "postsecondary_completion", rows,
                           ["level", "race_ethnicity", "economically_disadvantaged", "sex"])  # fmt: skip
    assert any(k[1] == "level" and k[2] == "certificate" for k in expected)


def wage_records(root: Path, people) -> pd.DataFrame:
    wages = raw.csvs(root, raw.WORKFORCE, "ui_wages")
    return pd.DataFrame({
        "person": [people[(raw.WORKFORCE, s)] for s in wages["ssn"]],
        "quarter_index": wages["year"].astype(int) * 4 + wages["quarter"].astype(int),
        "value": wages["wages"].astype(float),
    })  # fmt: skip


def quarter_index(day: pd.Series) -> pd.Series:
    return day.dt.year * 4 + day.dt.quarter


@pytest.mark.city
@pytest.mark.parametrize("slug", ["young_adult_employment", "young_adult_median_earnings"])
def test_young_adult_employment_matches_district_and_wage_files(city, district, people, slug):
    rows = leavers(district, people, {"Graduated", "Dropout"})
    rows = rows.merge(wage_records(city[0], people), "left", "person")
    after = rows["quarter_index"] - quarter_index(rows["exit"])
    rows = rows.assign(success=(rows["value"] > 0) & (after == 4))
    dimensions = ["exit_type", "race_ethnicity", "economically_disadvantaged", "sex"]
    assert_same(city[1], slug, rows, dimensions)


@pytest.mark.city
def test_living_wage_employment_matches_district_and_wage_files(city, district, people):
    rows = leavers(district, people, {"Graduated", "Dropout"})
    rows = rows.merge(wage_records(city[0], people), "left", "person")
    after = rows["quarter_index"] - quarter_index(rows["exit"])
    # The library's default living wage, $17.50 an hour: 13 weeks × 40 hours = $9,100.
    rows = rows.assign(success=(rows["value"] >= 9100) & (after == 4))
    dimensions = ["exit_type", "race_ethnicity", "economically_disadvantaged", "sex"]
    living = assert_same(city[1], "young_adult_living_wage_employment", rows, dimensions)
    employed = tally(rows.assign(success=(rows["value"] > 0) & (after == 4)), [])[0]
    overall = [k for k in living if k[1] == "overall"]
    # Fewer earn a living wage than earn anything, in some year strictly fewer.
    assert all(living[k][0] <= employed[k][0] for k in overall)
    assert any(living[k][0] < employed[k][0] for k in overall)


def housing_records(root: Path, people) -> pd.DataFrame:
    episodes = raw.hmis(root)
    return episodes.assign(person=[people[(raw.HMIS, i)] for i in episodes["local_id"]])


def overlapping(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows whose school year (July to June) overlaps the housing episode."""
    year_end = pd.to_datetime({"year": rows["school_year"], "month": 6, "day": 30})
    year_start = pd.to_datetime({"year": rows["school_year"] - 1, "month": 7, "day": 1})
    overlap = (rows["entry_h"] <= year_end) & (
        rows["exit_h"].isna() | (rows["exit_h"] >= year_start)
    )
    return rows[overlap]


@pytest.mark.city
def test_chronic_absence_in_housing_programs_matches_edfi_and_hmis(city, district, people):
    students = attendance_rows(district)
    students = students[students["days_enrolled"] >= 10]
    students = students.assign(person=[people[(raw.DISTRICT, s)] for s in students["student"]])
    episodes = housing_records(city[0], people).rename(columns={"entry": "entry_h",
                                                                "exit": "exit_h"})  # fmt: skip
    rows = overlapping(students.merge(episodes, on="person"))
    rows = rows.assign(
        period=rows["school_year"], school_id=rows["school"],
        success=rows["days_absent"] >= 0.1 * rows["days_enrolled"],
    )  # fmt: skip
    assert_same(city[1], "chronic_absence_housing", rows, ["project_type", "school_id"])


@pytest.mark.city
def test_school_moves_in_housing_programs_match_edfi_and_hmis(city, district, people):
    spans = district["enrolments"]
    spans = spans.assign(person=[people[(raw.DISTRICT, s)] for s in spans["student"]])
    episodes = housing_records(city[0], people).rename(columns={"entry": "entry_h",
                                                                "exit": "exit_h"})  # fmt: skip
    rows = overlapping(spans.merge(episodes, on="person"))
    october = pd.to_datetime({"year": rows["school_year"] - 1, "month": 10, "day": 1})
    rows = rows.assign(
        period=rows["school_year"], school_id=rows["school"],
        success=(rows["exit_type"] == "Transferred") | (rows["entry"] >= october),
    )  # fmt: skip
    expected = assert_same(city[1], "school_moves_housing", rows, ["project_type", "school_id"])
    assert any(n for (_, d, _), (n, _) in expected.items() if d == "overall")


@pytest.mark.city
def test_exits_to_permanent_housing_match_the_hmis_files(city):
    episodes = raw.hmis(city[0])
    rows = episodes[episodes["exit"].notna() & episodes["project_type"].isin([0, 1, 2, 8, 13])]
    rows = rows.assign(
        period=rows["exit"].dt.year + (rows["exit"].dt.month >= 7), person=rows["local_id"],
        relationship_to_hoh=rows["relationship"],
        success=rows["destination"].between(400, 499),
    )  # fmt: skip
    assert_same(city[1], "exits_to_permanent_housing", rows,
                ["project_type", "relationship_to_hoh"])  # fmt: skip


WIOA_GROUPS = ["program", "race_ethnicity", "low_income", "age_band"]


def training_exits(root: Path, people, *, wioa: bool = True) -> pd.DataFrame:
    """The exits; WIOA measures leave out exits with a PIRL 923 reason (the year-2 and year-4
    earnings of the sectoral evaluations keep them)."""
    trainings = raw.csvs(root, raw.WORKFORCE, "training")
    exits = pd.to_datetime(trainings["exit_date"])
    kept = exits.notna() & ((trainings["exit_reason"] == "") | (not wioa))
    return trainings.assign(
        person=[people[(raw.WORKFORCE, i)] for i in trainings["local_id"]],
        entry=pd.to_datetime(trainings["entry_date"]), exit=exits,
        credential_day=pd.to_datetime(trainings["credential_date"]),
        period=exits.dt.year - (exits.dt.month < 7),
    )[kept]  # fmt: skip


@pytest.mark.city
@pytest.mark.parametrize(
    "slug, first, last",
    [
        ("employment_q2_after_exit", 2, 2),
        ("employment_q4_after_exit", 4, 4),
        ("median_earnings_q2_after_exit", 2, 2),
        ("earnings_year2_after_exit", 5, 8),
        ("earnings_year4_after_exit", 13, 16),
    ],
)
def test_workforce_measures_match_training_and_wage_files(city, people, slug, first, last):
    wioa = slug.endswith("q2_after_exit") or slug.endswith("q4_after_exit")
    rows = training_exits(city[0], people, wioa=wioa)
    rows = rows.merge(wage_records(city[0], people), "left", "person")
    after = rows["quarter_index"] - quarter_index(rows["exit"])
    rows = rows.assign(success=(rows["value"] > 0) & after.between(first, last))
    assert_same(city[1], slug, rows, WIOA_GROUPS)


@pytest.mark.city
def test_retention_with_the_same_employer_matches_training_and_wage_files(city, people):
    """PIRL 1618 by hand: exiters with wages in exit quarter + 2 are the population; those paid
    by one of those employers again in exit quarter + 4 succeed."""
    root = city[0]
    wages = raw.csvs(root, raw.WORKFORCE, "ui_wages")
    paid = pd.DataFrame({
        "person": [people[(raw.WORKFORCE, s)] for s in wages["ssn"]],
        "quarter_index": wages["year"].astype(int) * 4 + wages["quarter"].astype(int),
        "employer": wages["employer_id"],
    })[wages["wages"].astype(float) > 0]  # fmt: skip
    exits = training_exits(root, people)
    exits = exits.assign(exit_row=range(len(exits)))  # one id per exit, across files
    rows = exits.merge(paid, "inner", "person")
    after = rows["quarter_index"] - quarter_index(rows["exit"])
    q2, q4 = rows[after == 2], rows[after == 4]
    kept = set(zip(q4["exit_row"], q4["employer"], strict=True))
    success = [key in kept for key in zip(q2["exit_row"], q2["employer"], strict=True)]
    expected = assert_same(city[1], "retention_same_employer", q2.assign(success=success, employer_id=q2["employer"]),
                           [*WIOA_GROUPS, "employer_id"])  # fmt: skip
    # Not vacuous: some Q2 workers stayed and some moved on.
    overall = [cell for key, cell in expected.items() if key[1] == "overall"]
    assert 0 < sum(n for n, _ in overall) < sum(d for _, d in overall)


@pytest.mark.city
def test_credential_attainment_matches_the_training_files(city, people):
    rows = training_exits(city[0], people)
    rows = rows[~rows["training_type"].isin(["on-the-job", "customized"])]
    day = rows["credential_day"]
    within = (day >= rows["entry"]) & (day <= rows["exit"] + pd.DateOffset(years=1))
    rows = rows.assign(success=(rows["credential"] != "") & within)
    assert_same(city[1], "credential_attainment", rows, WIOA_GROUPS)


# --- complete periods: worked out from the raw files, not from the rule ----------------------


def latest_fall(root: Path) -> int:
    """The latest fall the college has sent a file for: its files are named by academic year."""
    files = sorted((root / raw.COLLEGE / "postsecondary").glob("*.csv"))
    return max(int(path.stem[:4]) for path in files)


def spring_of(day: pd.Timestamp) -> int:
    return day.year + (day.month >= 7)


def source_facts(root: Path, district: dict[str, pd.DataFrame]) -> dict[str, int | dt.date]:
    """How far each partner's raw files reach: school years by their spring, the latest wage
    quarter as year * 4 + quarter, the latest college fall, the latest training exit."""
    wages = raw.csvs(root, raw.WORKFORCE, "ui_wages")
    episodes = raw.hmis(root)
    exits = pd.to_datetime(raw.csvs(root, raw.WORKFORCE, "training")["exit_date"])
    return {
        "enrolments": int(district["enrolments"]["school_year"].max()),
        "assessments": int(district["assessments"]["school_year"].max()),
        "cohorts": int(raw.graduation(root)["cohort_year"].max()),
        "hmis_entries": spring_of(episodes["entry"].max()),
        "hmis_exits": spring_of(episodes["exit"].max()),
        "wage_quarter": int((wages["year"].astype(int) * 4 + wages["quarter"].astype(int)).max()),
        "fall": latest_fall(root),
        "training_exit": exits.max().date(),
    }


def school_year_over(year: int, *latest: int) -> bool:
    """A school year is over when every source has sent it and its 30 June has passed."""
    return year <= min(latest) and dt.date(year, 6, 30) <= TODAY


def after_exit(quarters: int, program_year: bool) -> Callable[[int, dict], bool]:
    """Complete when the wage quarter after the period's last exit quarter (April–June of the
    school year's spring, or of the year after a program year's start) is loaded."""
    return lambda year, f: (year + program_year) * 4 + 2 + quarters <= f["wage_quarter"]


def credential_window(year: int, f: dict) -> bool:
    """Exiters of program year Y (to 30 June Y+1) have a year for a credential: to 30 June Y+2,
    which the training files reach when their latest exit's program year ends by then."""
    last = f["training_exit"]
    reach = min(dt.date(last.year + (last.month >= 7), 6, 30), TODAY)
    return dt.date(year + 2, 6, 30) <= reach


EXPECTED_COMPLETE = {
    "chronic_absence": lambda y, f: school_year_over(y, f["enrolments"]),
    "suspension_rate": lambda y, f: school_year_over(y, f["enrolments"]),
    "grade3_reading": lambda y, f: school_year_over(y, f["assessments"]),
    "grade8_math": lambda y, f: school_year_over(y, f["assessments"]),
    "kindergarten_readiness": lambda y, f: school_year_over(y, f["assessments"]),
    "graduation_rate_4yr": lambda y, f: school_year_over(y, f["cohorts"]),
    "chronic_absence_housing": lambda y, f: school_year_over(y, f["enrolments"],
                                                             f["hmis_entries"]),
    "school_moves_housing": lambda y, f: school_year_over(y, f["enrolments"], f["hmis_entries"]),
    "exits_to_permanent_housing": lambda y, f: school_year_over(y, f["hmis_exits"]),
    # Graduates of year Y: enrolled by 31 October Y, in the college's file for fall Y.
    "postsecondary_enrollment": lambda y, f: y <= f["fall"],
    # A bachelor's degree has to 30 June Y+6; fall F's file runs to 30 June F+1.
    "postsecondary_completion": lambda y, f: y + 6 <= f["fall"] + 1,
    "young_adult_employment": after_exit(4, program_year=False),
    "young_adult_median_earnings": after_exit(4, program_year=False),
    "young_adult_living_wage_employment": after_exit(4, program_year=False),
    "employment_q2_after_exit": after_exit(2, program_year=True),
    "median_earnings_q2_after_exit": after_exit(2, program_year=True),
    "employment_q4_after_exit": after_exit(4, program_year=True),
    "retention_same_employer": after_exit(4, program_year=True),
    "earnings_year2_after_exit": after_exit(8, program_year=True),
    "earnings_year4_after_exit": after_exit(16, program_year=True),
    "credential_attainment": credential_window,
    # The city sends no skill-gain records: no periods (tests/indicators/test_wioa.py).
    "measurable_skill_gains": lambda y, f: False,
}  # fmt: skip


@pytest.fixture(scope="module")
def computed(city) -> dict[str, list[dict]]:
    """What ``backbone compute`` computes for every library indicator on the city, as of the
    day the city was loaded."""
    definitions = [entry.definition for entry in standard_library()]
    rows = engines.compute(city[1], definitions, "duckdb", today=TODAY)
    return {d.slug: r for d, r in zip(definitions, rows, strict=True)}


def test_every_library_indicator_has_a_completeness_check():
    assert set(EXPECTED_COMPLETE) == {i.slug for i in standard_library()}


@pytest.mark.city
@pytest.mark.parametrize("slug", sorted(EXPECTED_COMPLETE))
def test_complete_periods_match_what_the_raw_files_reach(city, district, computed, slug):
    facts = source_facts(city[0], district)
    flags: dict[int, set[bool]] = {}
    for row in computed[slug]:
        flags.setdefault(int(row["period"]), set()).add(row["complete"])
    assert all(len(f) == 1 for f in flags.values()), "every group of a period says the same"
    stored = {period: f.pop() for period, f in flags.items()}
    expected = {period: bool(EXPECTED_COMPLETE[slug](period, facts)) for period in stored}
    assert stored == expected


@pytest.mark.city
def test_young_adult_employment_2026_waits_for_its_wage_quarter(city, district, computed):
    """The issue's case: leavers of 2025-26 need wages for April–June 2027; 2025 is in."""
    facts = source_facts(city[0], district)
    assert facts["wage_quarter"] == 2026 * 4 + 2  # the city's wages end in 2026-Q2
    rows = [r for r in computed["young_adult_employment"] if r["dimension"] == "overall"]
    assert {r["period"]: r["complete"] for r in rows} == {
        "2021": True, "2022": True, "2023": True, "2024": True, "2025": True, "2026": False,
    }  # fmt: skip
    assert {r["data_through"] for r in rows} == {dt.date(2026, 6, 30)}


# --- one definition, two engines ------------------------------------------------------------


@pytest.mark.spark
@pytest.mark.city
def test_duckdb_and_spark_give_identical_result_tables_for_the_standard_library(city):
    """Every library indicator on the city, on both engines: the same rows, cell for cell."""
    _, warehouse = city
    definitions = [entry.definition for entry in standard_library()]
    on_duckdb = engines.compute(warehouse, definitions, "duckdb")
    on_spark = engines.compute(warehouse, definitions, "spark")
    assert sum(len(rows) for rows in on_duckdb) > 0
    for definition, duck_rows, spark_rows in zip(definitions, on_duckdb, on_spark, strict=True):
        key = lambda row: (row["period"], row["dimension"], str(row["group_value"]))  # noqa: E731
        duck, spark = sorted(duck_rows, key=key), sorted(spark_rows, key=key)
        assert [key(r) for r in spark] == [key(r) for r in duck], definition.slug
        for d, s in zip(duck, spark, strict=True):
            assert (s["numerator"], s["denominator"]) == (d["numerator"], d["denominator"])
            assert (s["complete"], s["data_through"]) == (d["complete"], d["data_through"])
            expected = (
                None if d["value"] is None else pytest.approx(d["value"], rel=1e-12, abs=1e-9)
            )
            assert s["value"] == expected, (definition.slug, d, s)
