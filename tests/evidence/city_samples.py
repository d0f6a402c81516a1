"""The synthetic city's tutoring and training samples, built from its raw partner files.

District data come from the Ed-Fi zips (``tests/indicators/raw_city``); who a tutoring roster
or training record is comes from the truth folder's links, standing in for the crosswalk the
identity layer would build (linkage has its own tests).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.indicators import raw_city

TUTORING = "bright-futures-tutoring"
GRADE_NUMBERS = {"First grade": 1, "Second grade": 2, "Third grade": 3, "Fourth grade": 4,
                 "Fifth grade": 5}  # fmt: skip


def _links(root: Path, partner: str) -> pd.DataFrame:
    persons = pd.read_csv(root / "truth" / "persons.csv", dtype=str, keep_default_na=False)
    people = pd.read_csv(root / "truth" / "people.csv", dtype=str, keep_default_na=False)
    persons = persons[persons["partner"] == partner][["local_id", "person_id"]]
    return persons.drop_duplicates().merge(
        people[["person_id", "student_unique_id", "ssn"]], on="person_id"
    )


def tutoring_roster(root: Path) -> pd.DataFrame:
    """Tutoring rows as (person = StudentUniqueId, period = spring year, program, hours)."""
    roster = raw_city.csvs(root, TUTORING, "program_participation")
    linked = roster.merge(_links(root, TUTORING), on="local_id")
    start = pd.to_datetime(linked["start_date"])
    return pd.DataFrame({
        "person": linked["student_unique_id"],
        "period": start.dt.year + (start.dt.month >= 7),
        "program": linked["program"],
        "hours": linked["hours"].astype(float),
    })  # fmt: skip


def full_year_students(edfi: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Student-years in grades 1-5 enrolled at one school from its first to its last
    instructional day, with that year's demographics, days absent and grade-3 ELA result."""
    days = edfi["days"].assign(period=lambda d: d["date"].dt.year + (d["date"].dt.month >= 7))
    span = days.groupby(["school", "period"])["date"].agg(["min", "max"]).reset_index()
    enrol = edfi["enrolments"].rename(columns={"student": "person", "school_year": "period"})
    enrol = enrol[enrol["grade"].isin(GRADE_NUMBERS)]
    single = enrol.groupby(["person", "period"])["school"].transform("size") == 1
    enrol = enrol[single].merge(span, on=["school", "period"])
    whole = (enrol["entry"] <= enrol["min"]) & (
        enrol["exit"].isna() | (enrol["exit"] >= enrol["max"])
    )
    pool = enrol[whole][["person", "period", "school", "grade"]].copy()
    pool["grade"] = pool["grade"].map(GRADE_NUMBERS)
    return _with_outcomes(_with_demographics(pool, edfi["students"]), edfi)


def _with_demographics(pool: pd.DataFrame, students: pd.DataFrame) -> pd.DataFrame:
    spring = students["file"].str.extract(r"(\d{4})-(\d{2})\.zip$")[0].astype(float) + 1
    yearly = students.assign(period=spring).dropna(subset=["period"])
    yearly = yearly.rename(columns={"student": "person"}).astype({"period": int})
    columns = ["person", "period", "econ", "english_learner", "disability", "race", "homeless"]
    return pool.merge(
        yearly[columns].drop_duplicates(["person", "period"]), on=["person", "period"]
    )


def _with_outcomes(pool: pd.DataFrame, edfi: dict[str, pd.DataFrame]) -> pd.DataFrame:
    absent = edfi["absences"].rename(columns={"student": "person", "school_year": "period"})
    absent = absent.groupby(["person", "period"], as_index=False)["days"].sum()
    tests = edfi["assessments"]
    ela = tests[(tests["subject"] == "English Language Arts") & (tests["grade"] == "3")]
    ela = ela.rename(columns={"student": "person", "school_year": "period"})
    ela = ela[["person", "period", "scale_score", "proficient"]]
    merged = pool.merge(absent.rename(columns={"days": "days_absent"}), how="left",
                        on=["person", "period"]).merge(ela, how="left", on=["person", "period"])  # fmt: skip
    merged["days_absent"] = merged["days_absent"].fillna(0.0)
    return merged


WORKFORCE = "three-rivers-workforce-board"


def training_cohorts(root: Path, first_year: int = 2021, last_year: int = 2023) -> pd.DataFrame:
    """Adults 25+ by programme year (July to June): those who entered training that year
    (``treated``) and everyone never trained, each with the four quarters before July (pre)
    and the calendar year after next (post: after every exit of that programme year)."""
    people = pd.read_csv(root / "truth" / "people.csv", dtype=str, keep_default_na=False)
    training = raw_city.csvs(root, WORKFORCE, "training").merge(_links(root, WORKFORCE),
                                                                on="local_id")  # fmt: skip
    entry = pd.to_datetime(training["entry_date"])
    trained = pd.DataFrame(
        {"person": training["ssn_y"], "cohort": entry.dt.year + (entry.dt.month >= 7) - 1}
    )
    adults = people[people["ssn"] != ""][["ssn", "birth_date"]].rename(columns={"ssn": "person"})
    frames = []
    for year in range(first_year, last_year + 1):
        pool = adults.assign(cohort=year)
        age = year - pd.to_datetime(pool["birth_date"]).dt.year
        pool = pool[age >= 25].assign(age=age[age >= 25])
        took = set(trained.loc[trained["cohort"] == year, "person"])
        ever = set(trained["person"])
        pool = pool[pool["person"].isin(took) | ~pool["person"].isin(ever)]
        frames.append(pool.assign(treated=pool["person"].isin(took).astype(int)))
    cohorts = pd.concat(frames, ignore_index=True)
    july = cohorts["cohort"] * 4 + 2  # quarter number of July (Q3) of the programme year
    return cohorts.assign(pre_first=july - 4, pre_last=july - 1,
                          post_first=(cohorts["cohort"] + 2) * 4, post_last=(cohorts["cohort"] + 2) * 4 + 3)  # fmt: skip


def ui_wages(root: Path) -> pd.DataFrame:
    wages = raw_city.csvs(root, WORKFORCE, "ui_wages")
    return pd.DataFrame({"person": wages["ssn"], "year": wages["year"].astype(int),
                         "quarter": wages["quarter"].astype(int),
                         "wages": wages["wages"].astype(float)})  # fmt: skip


def with_kindergarten_score(pool: pd.DataFrame, edfi: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The pool with ``kea``: the student's kindergarten entry assessment composite (taken in the
    fall of kindergarten, before any tutoring in grades 1-5), NaN when the district has none."""
    tests = edfi["assessments"]
    kea = tests[tests["grade"] == "K"].sort_values("school_year")
    kea = kea.drop_duplicates("student")[["student", "scale_score"]]
    kea = kea.rename(columns={"student": "person", "scale_score": "kea"})
    return pool.merge(kea, on="person", how="left")


def absence_truth(effects: dict, flagged: pd.DataFrame) -> float:
    """Tutoring's planted effect on recorded days absent for the tutored in ``flagged``: each
    year's effect (``effects.json`` gives it per school year: the attendance change from 2025
    keeps only some absences) averaged over the tutored student-years, as the ATT averages."""
    by_year = effects["tutoring"]["absence_days_reduction_by_school_year"]
    tutored = flagged.loc[flagged["treated"] == 1, "period"].astype(int).astype(str)
    return -float(tutored.map(by_year).mean())
