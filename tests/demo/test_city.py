"""The synthetic city: deterministic, complete, truthful, noisy at the documented rates, with
visible planted effects, and loadable by the real importers."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import zipfile
from collections import defaultdict
from pathlib import Path

import pytest

from backbone.demo.city import generate_city
from backbone.demo.city import params as p
from backbone.intake.importers import hmis, tabular
from backbone.intake.loading import LoadRequest, load
from backbone.warehouse import contracts
from backbone.warehouse.records import ImportOptions, Problem, RowBatch
from backbone.warehouse.store import Warehouse
from tests.city_loading import options_for
from tests.intake import hmis_files

pytestmark = pytest.mark.city

TODAY = dt.date(2026, 11, 23)
STUDENTS = 500


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return generate_city(tmp_path_factory.mktemp("city") / "riverton", students=STUDENTS, seed=7)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def checksums(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_same_seed_gives_byte_identical_files_and_another_seed_differs(city, tmp_path):
    again = generate_city(tmp_path / "again", students=STUDENTS, seed=7)
    assert checksums(again.root) == checksums(city.root)
    other = generate_city(tmp_path / "other", students=STUDENTS, seed=8)
    theirs = checksums(other.root)
    ours = checksums(city.root)
    assert [name for name in ours if theirs.get(name) == ours[name]] == []


def test_every_manifest_file_exists_and_every_contract_is_present(city):
    assert all(city.path(entry).is_file() for entry in city.files)
    assert {e.contract for e in city.files} == {
        "edfi", "hmis", "ui_wages", "program_participation", "postsecondary", "training",
        "employer_event", "graduation", "program_assessment",
    }  # fmt: skip
    assert len(city.select("three-rivers-workforce-board", "ui_wages")) == 24
    assert [e.period for e in city.select("riverton-public-schools")] == [
        "2020-21", "2021-22", "2022-23", "2023-24", "2024-25", "2025-26",  # yearly zips
        "2020-10", "2021-10", "2022-10", "2023-10", "2024-10", "2025-10",  # kindergarten screen
        "2024", "2025", "2026",  # graduation cohorts with all four years simulated
    ]  # fmt: skip
    keys = [(e.partner, e.contract, e.period) for e in city.files]
    assert len(keys) == len(set(keys))


def local_ids(path: Path, contract: str) -> set[str]:
    """Person ids in a file, read back from the file itself."""
    if contract == "edfi":
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            member = "Student.xml" if "Student.xml" in names else names[-1]  # results only
            text = archive.read(member).decode()
        return set(text.split("<StudentUniqueId>")[1:]) and {
            chunk.split("<")[0] for chunk in text.split("<StudentUniqueId>")[1:]
        }
    if contract == "hmis":
        with zipfile.ZipFile(path) as archive:
            rows = csv.DictReader(io.StringIO(archive.read("Client.csv").decode()))
            return {row["PersonalID"] for row in rows}
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True).worksheets[0]
        return {str(row[0]) for row in list(sheet.iter_rows(values_only=True))[1:]}
    column = {"ui_wages": "ssn"}.get(contract, "local_id")
    rows = read_csv(path)
    return {row.get(column) or row["Youth ID"] for row in rows}


def test_the_truth_maps_every_source_record_of_every_file_to_a_person(city):
    truth = read_csv(city.truth_dir / "persons.csv")
    people = {row["person_id"] for row in read_csv(city.truth_dir / "people.csv")}
    linked = defaultdict(set)
    for row in truth:
        linked[row["file"]].add(row["local_id"])
        assert row["person_id"] in people
    for entry in city.files:
        assert local_ids(city.path(entry), entry.contract) == linked[entry.path], entry.path


def test_a_local_id_is_one_person_within_a_partner(city):
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in read_csv(city.truth_dir / "persons.csv"):
        owners[(row["partner"], row["local_id"])].add(row["person_id"])
    assert all(len(persons) == 1 for persons in owners.values())


def test_observed_noise_rates_are_near_the_documented_ones(tmp_path):
    bigger = generate_city(tmp_path / "c", students=3000, seed=11)
    people = {row["person_id"]: row for row in read_csv(bigger.truth_dir / "people.csv")}
    truth = {
        (row["file"], row["local_id"]): row["person_id"]
        for row in read_csv(bigger.truth_dir / "persons.csv")
    }
    missing = swapped = changed = total = 0
    for entry in bigger.select("bright-futures-tutoring"):
        seen = set()
        for row in read_csv(bigger.path(entry)):
            person = people[truth[(entry.path, row["local_id"])]]
            if person["person_id"] in seen:
                continue
            seen.add(person["person_id"])
            total += 1
            missing += row["birth_date"] == ""
            swapped += (row["first_name"], row["last_name"]) == (
                person["last_name"], person["first_name"])  # fmt: skip
            changed += row["first_name"] != person["first_name"]
    rates = p.NOISE_RATES
    assert total > 300
    assert missing / total == pytest.approx(rates["missing_birth_date"], abs=0.035)
    assert swapped / total == pytest.approx(rates["name_swap"], abs=0.015)
    # first names differ by a nickname (for names that have one), half of typos, or a swap
    assert 0.02 < changed / total < 0.15


def test_tutoring_effect_on_absences_is_visible_within_matched_strata(tmp_path):
    """Exact matching on what selection used (school, grade, disadvantage, English learner)
    recovers the planted reduction; the naive difference does not."""
    bigger = generate_city(tmp_path / "c", students=4000, seed=3)
    people = {row["person_id"]: row for row in read_csv(bigger.truth_dir / "people.csv")}
    tutored_ids = {
        (row["file"].split("/")[-1][:7], row["person_id"])
        for row in read_csv(bigger.truth_dir / "persons.csv")
        if row["partner"] == "bright-futures-tutoring"
    }
    cells: dict[tuple, dict[bool, list[float]]] = defaultdict(lambda: {True: [], False: []})
    naive: dict[bool, list[float]] = {True: [], False: []}
    for row in read_csv(bigger.truth_dir / "student_years.csv"):
        person = people[row["person_id"]]
        if int(row["grade"]) not in p.TUTORING_GRADES or person["neighbourhood"] not in (
            p.TUTORING_NEIGHBOURHOODS) or row["exit_type"] != "End of school year":  # fmt: skip
            continue
        period = f"{int(row['school_year']) - 1}-{row['school_year'][2:]}"
        tutored = (period, row["person_id"]) in tutored_ids
        key = (row["school_id"], row["school_year"], person["economically_disadvantaged"],
               person["english_learner"], row["sheltered"])  # fmt: skip
        cells[key][tutored].append(float(row["days_absent"]))
        naive[tutored].append(float(row["days_absent"]))
    weighted = total = 0.0
    for groups in cells.values():
        if groups[True] and groups[False]:
            difference = mean(groups[True]) - mean(groups[False])
            weighted += difference * len(groups[True])
            total += len(groups[True])
    matched = weighted / total
    assert total > 150
    assert matched == pytest.approx(-p.TUTORING_ABSENCE_REDUCTION, abs=1.2)
    assert mean(naive[True]) - mean(naive[False]) > matched + 0.5


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def test_effects_file_records_the_planted_effects(city):
    import json

    effects = json.loads((city.truth_dir / "effects.json").read_text())
    assert effects["tutoring"]["absence_days_reduction"] == p.TUTORING_ABSENCE_REDUCTION
    assert effects["training"]["quarterly_wage_gain_after_exit"] == p.TRAINING_QUARTERLY_GAIN


def test_tutorings_absence_effect_per_year_shrinks_with_the_attendance_change():
    # Absences fall evenly on a year's instructional days and from 1 January 2025 three in four
    # are kept: a year before the change keeps all 3 days, a year after it 3 x 3/4, and 2024-25
    # keeps 3 x (fall days + 3/4 x spring days) / all days.
    from backbone.demo.city.calendar import school_year
    from backbone.demo.city.truth import effects

    assert dt.date(2025, 1, 1) == p.ATTENDANCE_CHANGE_START
    by_year = effects([2024, 2025, 2026])["tutoring"]["absence_days_reduction_by_school_year"]
    straddling = school_year(2025)
    fall, spring = len(straddling.fall_days), len(straddling.spring_days)
    assert by_year["2024"] == 3.0 and by_year["2026"] == 2.25
    assert by_year["2025"] == pytest.approx(3 * (fall + 0.75 * spring) / (fall + spring), abs=1e-4)


def test_hmis_export_has_exactly_the_fy2026_headers(city):
    entry = city.select("riverton-area-homeless-coalition")[0]
    with zipfile.ZipFile(city.path(entry)) as archive:
        for name in hmis_files.FILES:
            header = archive.read(name).decode().splitlines()[0].split(",")
            assert header == hmis_files.header("2026", name), name


def run_load(tmp_path: Path, stream, partner: str, number: int):
    request = LoadRequest(number, partner, "secret", tmp_path / "staging", today=TODAY)
    return load(stream, request, Warehouse(tmp_path / "warehouse"))


def test_every_non_district_file_loads_with_no_error(city, tmp_path):
    number = 0
    for entry in city.files:
        if entry.contract == "edfi":
            continue
        number += 1
        importer = contracts.contract(entry.contract).importer()
        stream = importer(city.path(entry), options_for(city, entry))
        result = run_load(tmp_path, stream, entry.partner, number)
        errors = [pr.describe() for pr in result.problems if pr.severity == "error"]
        assert result.loaded and errors == [], (entry.path, errors[:5])


def test_hmis_rows_match_the_truth(city, tmp_path):
    entries = city.select("riverton-area-homeless-coalition")
    linked = [r for r in read_csv(city.truth_dir / "persons.csv") if r["contract"] == "hmis"]
    clients = 0
    for entry in entries:
        items = list(hmis.read(city.path(entry), ImportOptions()))
        assert [i for i in items if isinstance(i, Problem)] == []
        clients += sum(len(i) for i in items if i.table == "identity_record")
    assert clients == len(linked)


def test_eastside_roster_needs_its_mapping_and_crosswalk(city):
    entry = city.select("eastside-youth-center")[0]
    people = [  # read as the stream goes: a staged file lasts only until the next item
        row
        for item in tabular.read(city.path(entry), options_for(city, entry))
        if not isinstance(item, Problem) and item.table == "identity_record"
        for row in item.as_rows()
    ]
    assert people and {row["sex"] for row in people} <= {"male", "female"}
    unmapped = ImportOptions(target_table="program_participation")
    problems = [i for i in tabular.read(city.path(entry), unmapped) if isinstance(i, Problem)]
    assert problems  # the partner's own column names are not canonical


def edfi_available() -> bool:
    try:
        from backbone.intake.importers import edfi  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not edfi_available(), reason="the Ed-Fi importer is not there yet")
def test_district_files_load_with_no_error(city, tmp_path):
    entry = city.select("riverton-public-schools")[1]
    importer = contracts.contract("edfi").importer()
    result = run_load(tmp_path, importer(city.path(entry), ImportOptions()), entry.partner, 1)
    errors = [pr.describe() for pr in result.problems if pr.severity == "error"]
    assert result.loaded and errors == []
    assert {"attendance", "assessment", "school_enrollment", "person_demographics"} <= set(
        result.rows
    )


@pytest.mark.skipif(not edfi_available(), reason="the Ed-Fi importer is not there yet")
def test_district_attendance_read_back_matches_the_truth(city):
    from backbone.intake.importers import edfi

    entry = city.select("riverton-public-schools")[2]
    absent = {}
    for item in edfi.read(city.path(entry), ImportOptions()):
        if isinstance(item, RowBatch) and item.table == "attendance":
            for row in item.as_rows():
                absent[(row["local_id"], row["school_year"])] = float(row["days_absent"])
    truth = {
        (row["student_unique_id"], row["school_year"]): float(row["days_absent"])
        for row in read_csv(city.truth_dir / "student_years.csv")
        if row["school_year"] == "2023"
    }
    assert absent == truth


def test_graduation_cohorts_agree_with_the_enrolment_histories_and_the_truth(city):
    people = {row["student_unique_id"]: row for row in read_csv(city.truth_dir / "people.csv")}
    classes = {
        (row["student_unique_id"], int(row["school_year"]) + 12 - int(row["grade"]))
        for row in read_csv(city.truth_dir / "student_years.csv")
        if int(row["grade"]) >= 9
    }
    expected = {(student, year) for student, year in classes if 2024 <= year <= 2026}
    rows = [row for e in city.select(contract="graduation") for row in read_csv(city.path(e))]
    assert sorted((r["local_id"], int(r["cohort_year"])) for r in rows) == sorted(expected)
    statuses = {"graduated": {"regular diploma"}, "dropout": {"dropout"},
                "": {"transferred out", "unknown"}}  # fmt: skip
    for row in rows:
        person = people[row["local_id"]]
        assert row["status"] in statuses[person["graduation_status"]], row
        if row["status"] == "regular diploma":
            assert person["exit_year"] == row["cohort_year"]
            assert row["diploma_date"].startswith(row["cohort_year"])
        else:
            assert row["diploma_date"] == ""
    moved = [r["status"] for r in rows if r["status"] in {"transferred out", "unknown"}]
    assert moved.count("unknown") < moved.count("transferred out")


@pytest.mark.skipif(not edfi_available(), reason="the Ed-Fi importer is not there yet")
def test_kindergarten_entry_assessment_loads_and_matches_the_truth(city, tmp_path):
    from backbone.intake.importers import edfi

    truth = {
        (row["student_unique_id"], row["school_year"]): row
        for row in read_csv(city.truth_dir / "kindergarten_readiness.csv")
    }
    grades = {
        (row["student_unique_id"], row["school_year"]): row["grade"]
        for row in read_csv(city.truth_dir / "student_years.csv")
    }
    read: dict[tuple[str, str], dict] = {}
    for entry in city.select("riverton-public-schools", "edfi")[6:]:
        for item in edfi.read(city.path(entry), options_for(city, entry)):
            assert not isinstance(item, Problem), item.describe()
            read |= {(r["local_id"], r["school_year"]): r for r in item.as_rows()}
    assert read.keys() == truth.keys()
    for key, row in read.items():
        assert grades[key] == "0" and (row["grade"], row["subject"]) == ("K", "Composite")
        assert row["performance_level"] == truth[key]["performance_level"]
        assert row["proficient"] == truth[key]["ready"]
    ready = [r["ready"] == "true" for r in truth.values()]
    assert 0.2 < sum(ready) / len(ready) < 0.6


def age_band_by_hand(birth: str, entry: str) -> str:
    born, day = dt.date.fromisoformat(birth), dt.date.fromisoformat(entry)
    age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    for limit, band in ((16, "under 16"), (19, "16-18"), (25, "19-24"), (45, "25-44"),
                        (55, "45-54"), (60, "55-59")):  # fmt: skip
        if age < limit:
            return band
    return "60 and over"


def test_training_rows_carry_wioa_exclusions_training_types_and_groups(city):
    """Some exits excluded, some on-the-job training; the age band is the age at entry (checked
    against the truth's birth date where the board recorded one correctly)."""
    rows = [r for e in city.files if e.contract == "training" for r in read_csv(city.path(e))]
    assert 0 < sum(r["exit_reason"] != "" for r in rows) < len(rows) / 10
    assert 0 < sum(r["training_type"] == "on-the-job" for r in rows) < len(rows) / 4
    assert {r["low_income"] for r in rows} == {"true", "false"}
    dated = [r for r in rows if r["birth_date"]]
    agree = sum(age_band_by_hand(r["birth_date"], r["entry_date"]) == r["age_band"] for r in dated)
    assert agree >= 0.9 * len(dated)  # birth dates carry the documented noise
