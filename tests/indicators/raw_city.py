"""The synthetic city's raw partner files read straight into pandas, without backbone's importers.

These readers are the independent side of ``test_library.py``: they open the Ed-Fi XML zips,
HMIS CSV zips and the workforce board's and college's CSVs as a partner's analyst would, so a
bug in an importer, the warehouse or ``compile_sql`` cannot hide in both computations.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

NS = "{http://ed-fi.org/5.2.0}"
DISTRICT = "riverton-public-schools"
HMIS = "riverton-area-homeless-coalition"
WORKFORCE = "three-rivers-workforce-board"
COLLEGE = "riverton-community-college"
# The state tests' passing levels, and the kindergarten entry assessment's "ready" level (the
# partnership's reading of it, as the district's Ed-Fi value crosswalk states).
PROFICIENT = {"Met Standard", "Advanced", "Demonstrating Readiness"}
GRADES = {"Kindergarten": "K", "Third grade": "3", "Eighth grade": "8"}


def _elements(archive: zipfile.ZipFile, member: str, tag: str) -> Iterator[ET.Element]:
    with archive.open(member) as handle:
        for _, element in ET.iterparse(handle):
            if element.tag == NS + tag:
                yield element
                element.clear()


def _text(element: ET.Element, path: str) -> str | None:
    found = element.find("/".join(NS + part for part in path.split("/")))
    return found.text if found is not None else None


def _code(element: ET.Element, path: str) -> str | None:
    value = _text(element, path)
    return value.rsplit("#", 1)[-1] if value else None


def _spring(school_year: str) -> int:
    return int(school_year.split("-")[1])


def _zips(root: Path, partner: str, contract: str) -> list[Path]:
    return sorted((root / partner / contract).glob("*.zip"))


def _student(element: ET.Element) -> str:
    return _text(element, "StudentReference/StudentIdentity/StudentUniqueId") or ""


def edfi(root: Path) -> dict[str, pd.DataFrame]:
    """The district's enrolments, instructional days, absences, assessments and demographics."""
    frames: dict[str, list[dict[str, object]]] = {
        k: [] for k in ("enrolments", "days", "absences", "assessments", "students", "actions")
    }
    for order, path in enumerate(_zips(root, DISTRICT, "edfi")):
        with zipfile.ZipFile(path) as archive:
            _read_edfi(archive, order, frames)
            _read_assessments(archive, frames)
            _read_discipline(archive, frames)
    result = {name: pd.DataFrame(rows) for name, rows in frames.items()}
    for name, column in (("enrolments", "entry"), ("enrolments", "exit"), ("days", "date")):
        result[name][column] = pd.to_datetime(result[name][column])
    return result


def _read_edfi(
    archive: zipfile.ZipFile, order: int, frames: dict[str, list[dict[str, object]]]
) -> None:
    if "StudentEnrollment.xml" not in archive.namelist():
        return  # the kindergarten entry assessment's zip: assessments only
    for e in _elements(archive, "StudentEnrollment.xml", "StudentSchoolAssociation"):
        frames["enrolments"].append({
            "student": _student(e),
            "school": _text(e, "SchoolReference/SchoolIdentity/SchoolId"),
            "entry": _text(e, "EntryDate"),
            "exit": _text(e, "ExitWithdrawDate"),
            "exit_type": _code(e, "ExitWithdrawType"),
            "school_year": _spring(_text(e, "SchoolYear") or ""),
            "grade": _code(e, "EntryGradeLevel"),
        })  # fmt: skip
    for e in _elements(archive, "StudentEnrollment.xml", "StudentEducationOrganizationAssociation"):
        characteristics = {
            (c.text or "").rsplit("#", 1)[-1] for c in e.iter(NS + "StudentCharacteristic")
        }
        frames["students"].append({
            "student": _student(e), "order": order, "file": archive.filename,
            "econ": "Economic Disadvantaged" in characteristics,
            "homeless": "Homeless" in characteristics,
            "race": _race(e),
            "english_learner": _code(e, "LimitedEnglishProficiency") == "Limited",
            "disability": e.find(NS + "Disability") is not None,
            "sex": (_code(e, "Sex") or "missing").lower(),
        })  # fmt: skip
    for e in _elements(archive, "EducationOrgCalendar.xml", "CalendarDate"):
        if _code(e, "CalendarEvent") == "Instructional day":
            school = _text(e, "CalendarReference/CalendarIdentity/SchoolReference/SchoolIdentity/"
                              "SchoolId")  # fmt: skip
            frames["days"].append({"school": school, "date": _text(e, "Date")})
    for e in _elements(archive, "StudentSchoolAttendance.xml", "StudentSchoolAttendanceEvent"):
        category = _code(e, "AttendanceEvent/AttendanceEventCategory")
        if category in ("Excused Absence", "Unexcused Absence"):
            frames["absences"].append({
                "student": _student(e),
                "school": _text(e, "SchoolReference/SchoolIdentity/SchoolId"),
                "school_year": _spring(
                    _text(e, "SessionReference/SessionIdentity/SchoolYear") or ""),
                "days": float(_text(e, "AttendanceEvent/EventDuration") or 1),
            })  # fmt: skip


def _race(element: ET.Element) -> str:
    """Hispanic of any race; two or more races; "Other" is Unknown (the Ed-Fi crosswalk)."""
    if _text(element, "HispanicLatinoEthnicity") == "true":
        return "Hispanic or Latino"
    races = [(r.text or "").rsplit("#", 1)[-1] for r in element.findall(NS + "Race")]
    if len(races) > 1:
        return "Two or more races"
    return {"Other": "Unknown"}.get(races[0], races[0]) if races else "missing"


def _read_assessments(archive: zipfile.ZipFile, frames: dict[str, list[dict[str, object]]]) -> None:
    """Every assessment interchange in the zip: the state tests or the kindergarten screen."""
    names = archive.namelist()
    subjects = {
        _text(e, "AssessmentIdentifier"): _code(e, "AcademicSubject")
        for name in names if name.startswith("AssessmentMetadata-")
        for e in _elements(archive, name, "Assessment")
    }  # fmt: skip
    results = [name for name in names if name.startswith("StudentAssessment-")]
    for e in (e for name in results for e in _elements(archive, name, "StudentAssessment")):
        assessment = _text(e, "AssessmentReference/AssessmentIdentity/AssessmentIdentifier")
        day = pd.Timestamp(_text(e, "AdministrationDate"))
        frames["assessments"].append({
            "student": _student(e),
            "subject": subjects[assessment],
            "grade": GRADES.get(_code(e, "WhenAssessedGradeLevel") or "", "other"),
            "school_year": day.year + (day.month >= 7),
            "proficient": _code(e, "PerformanceLevel/PerformanceLevel") in PROFICIENT,
            "scale_score": float(_text(e, "ScoreResult/Result") or "nan"),
        })  # fmt: skip


def _read_discipline(archive: zipfile.ZipFile, frames: dict[str, list[dict[str, object]]]) -> None:
    """Discipline actions: the student, the Discipline code and the incident's school year."""
    if "StudentDiscipline.xml" not in archive.namelist():
        return
    dates = {
        _text(e, "IncidentIdentifier"): pd.Timestamp(_text(e, "IncidentDate"))
        for e in _elements(archive, "StudentDiscipline.xml", "DisciplineIncident")
    }
    identity = "StudentDisciplineIncidentBehaviorAssociationReference/" \
        "StudentDisciplineIncidentBehaviorAssociationIdentity/DisciplineIncidentReference/" \
        "DisciplineIncidentIdentity/IncidentIdentifier"  # fmt: skip
    for e in _elements(archive, "StudentDiscipline.xml", "DisciplineAction"):
        day = dates[_text(e, identity)]
        frames["actions"].append({
            "student": _student(e), "action": _code(e, "Discipline"),
            "school_year": day.year + (day.month >= 7),
        })  # fmt: skip


def district_econ(students: pd.DataFrame) -> pd.Series:
    """Each student's economic disadvantage as the latest file that describes them says."""
    return district_demographics(students)["econ"]


def district_demographics(students: pd.DataFrame) -> pd.DataFrame:
    """Each student's demographics (econ, homeless, race, english_learner, disability, sex) as the
    latest file that describes them says, indexed by student."""
    latest = students.sort_values("order", kind="stable").groupby("student").tail(1)
    return latest.set_index("student")


def graduation(root: Path) -> pd.DataFrame:
    """The district's graduation cohort files, one row per cohort member."""
    cohorts = csvs(root, DISTRICT, "graduation")
    return pd.DataFrame({
        "student": cohorts["local_id"],
        "cohort_year": cohorts["cohort_year"].astype(int),
        "status": cohorts["status"],
        "diploma_date": pd.to_datetime(cohorts["diploma_date"].replace("", None)),
    })  # fmt: skip


def hmis(root: Path) -> pd.DataFrame:
    """HMIS enrolments with their exit and project type; an enrolment in several yearly
    exports is kept as the latest export has it."""
    frames = []
    for order, path in enumerate(_zips(root, HMIS, "hmis")):
        with zipfile.ZipFile(path) as archive:
            read = {n: pd.read_csv(io.BytesIO(archive.read(f"{n}.csv")), dtype=str)
                    for n in ("Enrollment", "Exit", "Project")}  # fmt: skip
        enrolments = (
            read["Enrollment"]
            .merge(
                read["Exit"][["EnrollmentID", "ExitDate", "Destination"]], "left", "EnrollmentID"
            )
            .merge(read["Project"][["ProjectID", "ProjectType"]], "left", "ProjectID")
        )
        frames.append(enrolments.assign(order=order))
    enrolments = pd.concat(frames).sort_values("order").groupby("EnrollmentID").tail(1)
    return pd.DataFrame({
        "local_id": enrolments["PersonalID"],
        "entry": pd.to_datetime(enrolments["EntryDate"]),
        "exit": pd.to_datetime(enrolments["ExitDate"]),
        "destination": pd.to_numeric(enrolments["Destination"]),
        "project_type": enrolments["ProjectType"].astype(int),
        "relationship": enrolments["RelationshipToHoH"],
    })  # fmt: skip


def csvs(root: Path, partner: str, contract: str) -> pd.DataFrame:
    """Every CSV a partner sent under ``contract``, stacked, all text."""
    paths = sorted((root / partner / contract).glob("*.csv"))
    return pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in paths])


def truth_people(root: Path) -> dict[tuple[str, str], str]:
    """(partner, local id) → true person, from the truth folder."""
    persons = pd.read_csv(root / "truth" / "persons.csv", dtype=str, keep_default_na=False)
    keys = zip(persons["partner"], persons["local_id"], strict=True)
    return dict(zip(keys, persons["person_id"], strict=True))
