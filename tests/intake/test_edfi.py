"""The Ed-Fi importer, on the real Grand Bend sample and on small hand-written files.

Grand Bend expectations are counted here from the XML text with ``re`` and ``ElementTree``,
independently of the importer. Hand-written cases give the expected values worked out by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import zipfile
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from backbone.intake.importers import edfi
from backbone.intake.importers.edfi import assembly
from backbone.intake.loading import LoadRequest, load
from backbone.warehouse.records import (
    ERROR,
    WARNING,
    CodeNames,
    ImportOptions,
    Problem,
    RowBatch,
)  # fmt: skip
from backbone.warehouse.store import Warehouse
from backbone.warehouse.tables import GRADES, TABLES

GRAND_BEND = Path(__file__).resolve().parents[3] / "shared" / "data" / "edfi-grand-bend"
NS52 = "{http://ed-fi.org/5.2.0}"
Rows = dict[str, list[dict]]


def run(source: Path, options: ImportOptions | None = None) -> tuple[list[RowBatch], list[Problem]]:
    items = list(edfi.read(source, options or ImportOptions(partner="district")))
    batches = [i for i in items if isinstance(i, RowBatch)]
    return batches, [i for i in items if isinstance(i, Problem)]


def tables_of(batches: list[RowBatch]) -> Rows:
    tables: Rows = {}
    for batch in batches:
        tables.setdefault(batch.table, []).extend(batch.rows)
    return tables


def by_id(rows: list[dict], key: str = "local_id") -> dict[str, dict]:
    return {row[key]: row for row in rows}


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == ERROR]


def rules(problems: list[Problem]) -> list[str]:
    return [p.rule for p in problems]


def code(text: str | None) -> str:
    return (text or "").rsplit("#", 1)[-1]


# --- the real Grand Bend sample ---------------------------------------------------------------


@pytest.fixture(scope="module")
def grand_bend() -> tuple[list[RowBatch], list[Problem]]:
    if not (GRAND_BEND / "Student.xml").is_file():
        pytest.fail(f"the Grand Bend Ed-Fi sample is missing: expected it in {GRAND_BEND}")
    return run(GRAND_BEND)


@pytest.fixture(scope="module")
def gb(grand_bend) -> Rows:
    return tables_of(grand_bend[0])


def xml_text(name: str) -> str:
    return (GRAND_BEND / name).read_text(encoding="utf-8")


def entities(name: str, tag: str) -> list[ET.Element]:
    return ET.parse(GRAND_BEND / name).getroot().findall(NS52 + tag)


def test_grand_bend_has_no_errors_and_exactly_the_expected_warnings(grand_bend):
    _, problems = grand_bend
    assert errors(problems) == []
    assert sorted(rules(problems)) == [
        "assumed_full_year_enrollment",
        "instructional_days_from_sessions",
    ]


def test_grand_bend_students(gb):
    students = re.findall(r"<StudentUniqueId>(\d+)</StudentUniqueId>", xml_text("Student.xml"))
    assert len(students) == xml_text("Student.xml").count("<Student>") == 960
    assert sorted(r["local_id"] for r in gb["identity_record"]) == sorted(students)
    assert sorted(r["local_id"] for r in gb["person_demographics"]) == sorted(students)
    tyrone = by_id(gb["identity_record"])["604821"]
    assert (tyrone["first_name"], tyrone["last_name"], tyrone["birth_date"]) == (
        "Tyrone",
        "Dyer",
        "2014-11-13",
    )
    assert by_id(gb["person_demographics"])["604821"]["birth_year_month"] == "2014-11"


def test_grand_bend_source_rows_are_the_element_lines(grand_bend):
    lines = {name: xml_text(name).splitlines() for name in ("Student.xml", "StudentProgram.xml")}
    for batch in grand_bend[0]:
        if batch.table in ("identity_record", "program_participation"):
            for row in batch.rows:
                line = lines[batch.file][row["source_row"] - 1].strip()
                assert re.fullmatch(r"<Student\w*>", line), (batch.file, row["source_row"], line)


def test_grand_bend_attendance(grand_bend, gb):
    events = entities("StudentSchoolAttendance.xml", "StudentSchoolAttendanceEvent")
    absences = [
        e
        for e in events
        if code(e.findtext(f"{NS52}AttendanceEvent/{NS52}AttendanceEventCategory"))
        in ("Excused Absence", "Unexcused Absence")
    ]
    days_absent = sum(
        float(e.findtext(f"{NS52}AttendanceEvent/{NS52}EventDuration") or 1) for e in absences
    )
    students = {e.findtext(f".//{NS52}StudentUniqueId") for e in events}
    assert (len(events), len(absences), days_absent, len(students)) == (1917, 1850, 1850.0, 227)

    rows = gb["attendance"]
    assert len(rows) == len(students)
    assert sum(float(r["days_absent"]) for r in rows) == days_absent
    # No school associations: every student gets the school's whole year, from its sessions.
    sessions = entities("EducationOrgCalendar.xml", "Session")
    per_school = Counter()
    for s in sessions:
        per_school[s.findtext(f".//{NS52}SchoolId")] += int(
            s.findtext(f"{NS52}TotalInstructionalDays")
        )
    assert {r["days_enrolled"] for r in rows} == {str(v) for v in set(per_school.values())}
    assert {r["school_year"] for r in rows} == {"2022"}
    warning = next(p for p in grand_bend[1] if p.rule == "assumed_full_year_enrollment")
    assert warning.severity == WARNING and f"{len(students)} students" in warning.message


def test_grand_bend_assessments(gb):
    names = [
        "StudentAssessment-StateAssessment.xml",
        "StudentAssessment-Benchmarks-3rdGradeReading.xml",
    ]
    tested = [a for name in names for a in entities(name, "StudentAssessment")]
    with_level = [a for a in tested if a.find(NS52 + "PerformanceLevel") is not None]
    assert (len(tested), len(with_level)) == (194, 32)

    rows = gb["assessment"]
    assert len(rows) == len(tested)
    assert sum(r["performance_level"] is not None for r in rows) == len(with_level)
    assert {r["grade"] for r in rows} <= set(GRADES)
    assert {r["proficient"] for r in rows} == {"true", "false", None}
    assert all(
        (r["proficient"] == "true") == (r["performance_level"] == "Met Standard")
        for r in rows
        if r["performance_level"]
    )


def test_grand_bend_levels_of_one_assessment(gb):
    assessment = "SA-2011-Mathematics-Eighth grade"
    expected: Counter = Counter()
    vertical: list[str] = []
    for a in entities("StudentAssessment-StateAssessment.xml", "StudentAssessment"):
        if a.findtext(f".//{NS52}AssessmentIdentifier") == assessment:
            level = a.find(f"{NS52}PerformanceLevel/{NS52}PerformanceLevel")
            expected[code(level.text) if level is not None else None] += 1
            vertical += [
                s.findtext(NS52 + "Result")
                for s in a.findall(NS52 + "ScoreResult")
                if code(s.findtext(NS52 + "AssessmentReportingMethod")) == "Vertical score"
            ]
    rows = [r for r in gb["assessment"] if r["assessment_id"] == assessment]
    assert Counter(r["performance_level"] for r in rows) == expected
    assert expected == {"Did Not Meet Standard": 4, "Met Standard": 3, None: 1}
    assert sorted(r["scale_score"] for r in rows if r["scale_score"]) == sorted(vertical)
    assert {(r["subject"], r["grade"], r["school_year"]) for r in rows} == {
        ("Mathematics", "8", "2022")
    }


def test_grand_bend_discipline(gb):
    incidents = entities("StudentDiscipline.xml", "DisciplineIncident")
    actions = entities("StudentDiscipline.xml", "DisciplineAction")
    keyed: dict[tuple, float] = {}
    for a in actions:
        key = (
            a.findtext(f"{NS52}StudentReference//{NS52}StudentUniqueId"),
            a.findtext(f".//{NS52}IncidentIdentifier"),
            code(a.findtext(NS52 + "Discipline")),
        )
        keyed[key] = keyed.get(key, 0) + float(a.findtext(NS52 + "ActualDisciplineActionLength"))
    rows = gb["discipline"]
    assert (len(incidents), len(actions)) == (21, 25)
    assert len({r["incident_id"] for r in rows}) == len(incidents)
    got = {(r["local_id"], r["incident_id"], r["action"]): float(r["days_removed"]) for r in rows}
    assert got == keyed
    dates = {
        i.findtext(NS52 + "IncidentIdentifier"): i.findtext(NS52 + "IncidentDate")
        for i in incidents
    }
    assert all(r["incident_date"] == dates[r["incident_id"]] for r in rows)


def test_grand_bend_programs(gb):
    text = xml_text("StudentProgram.xml")
    associations = re.findall(r"^\s*<(Student\w*ProgramAssociation)>", text, re.M)
    assert len(associations) == 706
    rows = gb["program_participation"]
    assert len(rows) == len(associations)
    assert Counter(r["program"] for r in rows)["Migrant Education"] == text.count(
        "<StudentMigrantEducationProgramAssociation>"
    )
    food = next(r for r in rows if r["program"] == "School Food Service")
    assert food["service_type"] == "Compensatory Services for Disadvantaged Students"


def test_grand_bend_loads_through_the_contract_checks(tmp_path):
    request = LoadRequest(1, "gbisd", "secret", tmp_path / "staging", set(), dt.date.today())
    result = load(edfi.read(GRAND_BEND, ImportOptions()), request, Warehouse(tmp_path / "wh"))
    assert result.loaded and result.error_count == 0, [p.describe() for p in result.problems]
    assert result.rows["attendance"] == 227 and result.rows["assessment"] == 194


# Grand Bend's EducationOrganization.xml: its three schools' SchoolId and NameOfInstitution.
GRAND_BEND_SCHOOLS = {
    "255901001": "Grand Bend High School",
    "255901044": "Grand Bend Middle School",
    "255901107": "Grand Bend Elementary School",
}


def test_grand_bend_schools_are_named_as_the_district_names_them():
    items = list(edfi.read(GRAND_BEND, ImportOptions()))
    names = [i for i in items if isinstance(i, CodeNames)]
    assert names == [CodeNames("school_id", GRAND_BEND_SCHOOLS)]


def test_the_load_keeps_the_school_names_beside_the_rows(tmp_path):
    request = LoadRequest(1, "gbisd", "secret", tmp_path / "staging", set(), dt.date.today())
    result = load(edfi.read(GRAND_BEND, ImportOptions()), request, Warehouse(tmp_path / "wh"))
    assert result.loaded and result.names == {"school_id": GRAND_BEND_SCHOOLS}


def test_schools_saved_from_the_api_are_named_too(tmp_path):
    (tmp_path / "schools.json").write_text(json.dumps([
        {"schoolId": 255901001, "nameOfInstitution": "Grand Bend High School"},
        {"schoolId": 7, "nameOfInstitution": "  "},
    ]))  # fmt: skip
    items = list(edfi.read(tmp_path, ImportOptions()))
    assert [i for i in items if isinstance(i, CodeNames)] == [
        CodeNames("school_id", {"255901001": "Grand Bend High School"})
    ]
    assert [i for i in items if isinstance(i, Problem)] == []


# --- hand-written files -----------------------------------------------------------------------


def interchange(kind: str, body: str, version: str = "5.2.0") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Interchange{kind} xmlns="http://ed-fi.org/{version}">\n{body}</Interchange{kind}>\n'
    )


def el(tag: str, inner: str) -> str:
    return f"<{tag}>{inner}</{tag}>"


def student_ref(student: str) -> str:
    return el("StudentReference", el("StudentIdentity", el("StudentUniqueId", student)))


def school_ref(school: str = "100") -> str:
    return el("SchoolReference", el("SchoolIdentity", el("SchoolId", school)))


def edorg_ref(edorg: str) -> str:
    identity = el("EducationOrganizationIdentity", el("EducationOrganizationId", edorg))
    return el("EducationOrganizationReference", identity)


def characteristic(value: str) -> str:
    inner = el("StudentCharacteristic", d("StudentCharacteristic", value))
    return el("StudentCharacteristic", inner)


def d(kind: str, value: str) -> str:
    return f"uri://ed-fi.org/{kind}Descriptor#{value}"


def test_ds61_student_demographic(tmp_path):
    body = f"""
<Student><StudentUniqueId>A</StudentUniqueId><Name><FirstName>Ann</FirstName><LastSurname>Lee</LastSurname></Name>
  <BirthData><BirthDate>2012-03-04</BirthDate><BirthSex>{d("Sex", "Female")}</BirthSex></BirthData></Student>
<Student><StudentUniqueId>B</StudentUniqueId><Name><FirstName>Bo</FirstName><LastSurname>Ruiz</LastSurname></Name>
  <BirthData><BirthDate>2011-05-06</BirthDate></BirthData></Student>
<Student><StudentUniqueId>C</StudentUniqueId><Name><FirstName>Cy</FirstName><LastSurname>Ng</LastSurname></Name>
  <BirthData><BirthDate>2010-07-08</BirthDate></BirthData></Student>
<StudentDemographic>{student_ref("A")}
  <Sex>{d("Sex", "Female")}</Sex><HispanicLatinoEthnicity>false</HispanicLatinoEthnicity>
  <Race>{d("Race", "White")}</Race><Race>{d("Race", "Asian")}</Race>
  <EconomicDisadvantage>{d("EconomicDisadvantage", "Eligible For Free Meals")}</EconomicDisadvantage>
</StudentDemographic>
<StudentDemographic>{student_ref("B")}
  <Sex>{d("Sex", "Male")}</Sex><HispanicLatinoEthnicity>true</HispanicLatinoEthnicity>
  <Race>{d("Race", "White")}</Race>
  <EconomicDisadvantage>{d("EconomicDisadvantage", "Not Qualified As Economically Disadvantaged")}</EconomicDisadvantage>
  <LimitedEnglishProficiency>{d("LimitedEnglishProficiency", "Limited")}</LimitedEnglishProficiency>
</StudentDemographic>
<StudentDemographic>{student_ref("C")}
  <Sex>{d("Sex", "Non-binary")}</Sex><Race>{d("Race", "Black or African American")}</Race>
  <EconomicDisadvantage>{d("EconomicDisadvantage", "Unknown")}</EconomicDisadvantage>
</StudentDemographic>
<StudentEducationOrganizationAssociation>{student_ref("A")}
  <StudentIndicator><IndicatorName>Internet Access In Residence</IndicatorName>
    <Indicator>true</Indicator></StudentIndicator>
</StudentEducationOrganizationAssociation>
"""
    path = tmp_path / "people.xml"
    path.write_text(interchange("Student", body, "6.1.0"))
    batches, problems = run(path)
    assert problems == []
    people = by_id(tables_of(batches)["person_demographics"])
    a, b, c = people["A"], people["B"], people["C"]
    # A: two races, not Hispanic, free meals.
    assert (a["race_ethnicity"], a["hispanic"], a["economically_disadvantaged"]) == (
        "Two or more races",
        "false",
        "true",
    )
    assert (a["sex"], a["birth_year_month"], a["english_learner"]) == ("female", "2012-03", None)
    # B: Hispanic of any race; not qualified; an English learner.
    assert (b["race_ethnicity"], b["hispanic"], b["economically_disadvantaged"]) == (
        "Hispanic or Latino",
        "true",
        "false",
    )
    assert (b["sex"], b["english_learner"]) == ("male", "true")
    # C: one race and no ethnicity given (so not Hispanic); economic status "Unknown".
    assert (c["race_ethnicity"], c["hispanic"], c["economically_disadvantaged"]) == (
        "Black or African American",
        "false",
        None,
    )
    assert (c["sex"], c["disability"], c["homeless"]) == ("nonbinary", "false", "false")
    identity = by_id(tables_of(batches)["identity_record"])
    assert identity["A"]["sex"] == "female"
    # race reaches the identity tier too, as the demographics row has it (linkage compares it)
    assert [identity[s]["race_ethnicity"] for s in "ABC"] == [
        "Two or more races",
        "Hispanic or Latino",
        "Black or African American",
    ]


SEOA_52 = f"""
<StudentEducationOrganizationAssociation>{student_ref("S1")}
  {edorg_ref("10")}
  <Sex>{d("Sex", "Male")}</Sex><HispanicLatinoEthnicity>true</HispanicLatinoEthnicity>
  <Race>{d("Race", "Black or African American")}</Race>
  {characteristic("Economic Disadvantaged")}{characteristic("Homeless")}
  <Disability><Disability>{d("Disability", "Autism Spectrum Disorders")}</Disability></Disability>
</StudentEducationOrganizationAssociation>
<StudentEducationOrganizationAssociation>{student_ref("S1")}
  {edorg_ref("100")}
  <Race>{d("Race", "White")}</Race>
</StudentEducationOrganizationAssociation>
<StudentEducationOrganizationAssociation>{student_ref("S2")}
  {edorg_ref("10")}
  <Sex>{d("Sex", "Female")}</Sex><HispanicLatinoEthnicity>false</HispanicLatinoEthnicity>
  <Race>{d("Race", "White")}</Race>
  <LimitedEnglishProficiency>{d("LimitedEnglishProficiency", "Limited Monitored 1")}</LimitedEnglishProficiency>
</StudentEducationOrganizationAssociation>
"""


def enrollment(student: str, entry: str, exit_date: str = "") -> str:
    leave = f"<ExitWithdrawDate>{exit_date}</ExitWithdrawDate>" if exit_date else ""
    return (
        f"<StudentSchoolAssociation>{student_ref(student)}{school_ref()}"
        f"<EntryDate>{entry}</EntryDate><EntryGradeLevel>{d('GradeLevel', 'Fifth grade')}</EntryGradeLevel>"
        f"{leave}<SchoolYear>2021-2022</SchoolYear></StudentSchoolAssociation>\n"
    )


def calendar_date(day: str, event: str) -> str:
    return (
        f"<CalendarDate><Date>{day}</Date><CalendarEvent>{d('CalendarEvent', event)}</CalendarEvent>"
        f"<CalendarReference><CalendarIdentity><CalendarCode>C</CalendarCode>{school_ref()}"
        "<SchoolYear>2021-2022</SchoolYear></CalendarIdentity></CalendarReference></CalendarDate>\n"
    )


def attendance_event(student: str, day: str, category: str, duration: str = "") -> str:
    length = f"<EventDuration>{duration}</EventDuration>" if duration else ""
    return (
        f"<StudentSchoolAttendanceEvent><AttendanceEvent><EventDate>{day}</EventDate>"
        f"<AttendanceEventCategory>{d('AttendanceEventCategory', category)}</AttendanceEventCategory>"
        f"{length}</AttendanceEvent>{student_ref(student)}{school_ref()}"
        "<SessionReference><SessionIdentity><SessionName>Fall</SessionName><SchoolYear>2021-2022</SchoolYear>"
        f"{school_ref()}</SessionIdentity></SessionReference></StudentSchoolAttendanceEvent>\n"
    )


def cut(level: str, low: int, high: int) -> str:
    return (
        f"<AssessmentPerformanceLevel><PerformanceLevel>{d('PerformanceLevel', level)}</PerformanceLevel>"
        f"<AssessmentReportingMethod>{d('AssessmentReportingMethod', 'Raw score')}</AssessmentReportingMethod>"
        f"<MinimumScore>{low}</MinimumScore><MaximumScore>{high}</MaximumScore></AssessmentPerformanceLevel>"
    )


def score(method: str, value: str) -> str:
    return (
        f"<ScoreResult><Result>{value}</Result>"
        f"<AssessmentReportingMethod>{d('AssessmentReportingMethod', method)}</AssessmentReportingMethod></ScoreResult>"
    )


def student_assessment(student: str, scores: str, level: str = "") -> str:
    given = (
        f"<PerformanceLevel><PerformanceLevel>{d('PerformanceLevel', level)}</PerformanceLevel></PerformanceLevel>"
        if level
        else ""
    )
    return (
        f"<StudentAssessment><StudentAssessmentIdentifier>{student}-1</StudentAssessmentIdentifier>"
        f"<AdministrationDate>2022-04-05T09:00:00</AdministrationDate>{scores}"
        f"<WhenAssessedGradeLevel>{d('GradeLevel', 'Fifth grade')}</WhenAssessedGradeLevel>{given}"
        f"{student_ref(student)}<AssessmentReference><AssessmentIdentity><AssessmentIdentifier>MATH-5</AssessmentIdentifier>"
        "<Namespace>uri://district</Namespace></AssessmentIdentity></AssessmentReference>"
        "<SchoolYear>2021-2022</SchoolYear></StudentAssessment>\n"
    )


def write_district_xml(folder: Path) -> Path:
    """A small DS 5.2 district: three students, one school, a week of calendar, one test.

    Calendar: Sep 1-3, 7, 8 are instructional, Sep 6 a holiday (5 days). S1 enters Sep 2 (4 days)
    and is absent half a day (plus a tardy); S2 leaves Sep 3 (3 days) with no events; S3 has no
    school association (whole year: 5 days) and one unexcused absence.
    """
    folder.mkdir(parents=True, exist_ok=True)
    people = "".join(
        f"<Student><StudentUniqueId>{s}</StudentUniqueId><Name><FirstName>F{s}</FirstName>"
        f"<LastSurname>L{s}</LastSurname></Name><BirthData><BirthDate>2011-0{n}-15</BirthDate>"
        "</BirthData></Student>\n"
        for n, s in enumerate(["S1", "S2", "S3"], start=1)
    )
    days = [("2021-09-0" + str(n), "Instructional day") for n in (1, 2, 3, 7, 8)]
    calendar = "".join(
        calendar_date(day, event) for day, event in [*days, ("2021-09-06", "Holiday")]
    )
    enrolled = enrollment("S1", "2021-09-02") + enrollment("S2", "2021-09-01", "2021-09-03")
    events = (
        attendance_event("S1", "2021-09-03", "Excused Absence", "0.5")
        + attendance_event("S1", "2021-09-07", "Tardy")
        + attendance_event("S3", "2021-09-08", "Unexcused Absence")
    )
    metadata = (
        "<Assessment><AssessmentIdentifier>MATH-5</AssessmentIdentifier><AssessmentTitle>Math</AssessmentTitle>"
        f"<AcademicSubject>{d('AcademicSubject', 'Mathematics')}</AcademicSubject>"
        f"<AssessedGradeLevel>{d('GradeLevel', 'Fifth grade')}</AssessedGradeLevel>"
        f"{cut('Did Not Meet Standard', 0, 28)}{cut('Met Standard', 29, 50)}{cut('Advanced', 45, 50)}"
        "<Namespace>uri://district</Namespace></Assessment>\n"
    )
    tests = (
        student_assessment("S1", score("Raw score", "47") + score("Scale score", "1650"))
        + student_assessment("S2", score("Raw score", "20"))
        + student_assessment("S3", score("Raw score", "30"), level="Level 3")
    )
    files = {
        "a.xml": interchange("Student", people),
        "b.xml": interchange("EducationOrgCalendar", calendar),
        "c.xml": interchange("StudentEnrollment", enrolled + SEOA_52),
        "d.xml": interchange("StudentAttendance", events),
        "e.xml": interchange("AssessmentMetadata", metadata),
        "f.xml": interchange("StudentAssessment", tests),
    }
    for name, text in files.items():
        (folder / name).write_text(text)
    return same_dates(folder)


def same_dates(folder: Path) -> Path:
    """Files dated 2022-06-30, so demographics' as_of is the same for every copy."""
    stamp = dt.datetime(2022, 6, 30, 12).timestamp()
    for path in folder.iterdir():
        os.utime(path, (stamp, stamp))
    return folder


def test_ds52_seoa_demographics(tmp_path):
    batches, problems = run(write_district_xml(tmp_path / "district"))
    assert errors(problems) == []
    people = by_id(tables_of(batches)["person_demographics"])
    s1, s2, s3 = people["S1"], people["S2"], people["S3"]
    # S1: Hispanic (so Black and White do not matter), characteristics and a disability.
    assert (s1["race_ethnicity"], s1["hispanic"], s1["sex"]) == (
        "Hispanic or Latino",
        "true",
        "male",
    )
    assert (s1["economically_disadvantaged"], s1["homeless"], s1["foster_care"]) == (
        "true",
        "true",
        "false",
    )
    assert (s1["disability"], s1["english_learner"], s1["as_of"]) == ("true", None, "2022-06-30")
    # S2: White, not Hispanic, no characteristics; a monitored former English learner.
    assert (s2["race_ethnicity"], s2["hispanic"], s2["economically_disadvantaged"]) == (
        "White",
        "false",
        "false",
    )
    assert (s2["english_learner"], s2["disability"], s2["birth_year_month"]) == (
        "false",
        "false",
        "2011-02",
    )
    # S3: no demographics entity at all.
    assert (s3["race_ethnicity"], s3["hispanic"], s3["sex"]) == (None, None, None)


def test_attendance_with_enrollment_and_calendar(tmp_path):
    batches, problems = run(write_district_xml(tmp_path / "district"))
    rows = by_id(tables_of(batches)["attendance"])
    assert {k: (r["days_enrolled"], r["days_absent"]) for k, r in rows.items()} == {
        "S1": ("4", "0.5"),
        "S2": ("3", "0"),
        "S3": ("5", "1"),
    }
    assumed = [p for p in problems if p.rule == "assumed_full_year_enrollment"]
    assert len(assumed) == 1 and "1 students" in assumed[0].message
    assert "instructional_days_from_sessions" not in rules(problems)
    enrolments = by_id(tables_of(batches)["school_enrollment"])
    assert (enrolments["S2"]["grade"], enrolments["S2"]["exit_date"]) == ("5", "2021-09-03")


def test_assessment_levels_from_cut_scores(tmp_path):
    batches, problems = run(write_district_xml(tmp_path / "district"))
    rows = by_id(tables_of(batches)["assessment"])
    # 47 is in Met Standard (29-50) and Advanced (45-50): the higher level wins.
    assert (rows["S1"]["performance_level"], rows["S1"]["proficient"]) == ("Advanced", "true")
    assert rows["S1"]["scale_score"] == "1650"
    assert (rows["S2"]["performance_level"], rows["S2"]["proficient"]) == (
        "Did Not Meet Standard",
        "false",
    )
    # The student's own level wins over cut scores; an unknown level is not guessed.
    assert (rows["S3"]["performance_level"], rows["S3"]["proficient"]) == ("Level 3", None)
    unknown = [p for p in problems if p.rule == "unknown_performance_level"]
    assert [(p.severity, p.value) for p in unknown] == [(WARNING, "Level 3")]
    assert {
        (r["subject"], r["grade"], r["school_year"], r["administration_date"])
        for r in rows.values()
    } == {("Mathematics", "5", "2022", "2022-04-05")}
    crosswalk = ImportOptions(value_crosswalks={"proficient": {"Level 3": "true"}})
    batches, problems = run(tmp_path / "district", crosswalk)
    assert by_id(tables_of(batches)["assessment"])["S3"]["proficient"] == "true"
    assert "unknown_performance_level" not in rules(problems)


def write_district_json(folder: Path) -> Path:
    """The district of ``write_district_xml`` as saved Ed-Fi API resources."""
    folder.mkdir(parents=True, exist_ok=True)

    def sref(student: str) -> dict:
        return {"studentReference": {"studentUniqueId": student}}

    school = {"schoolReference": {"schoolId": 100}}
    days = [("2021-09-0" + str(n), "Instructional day") for n in (1, 2, 3, 7, 8)]
    resources: dict[str, list[dict]] = {
        "students": [
            {"studentUniqueId": s, "firstName": f"F{s}", "lastSurname": f"L{s}", "birthDate": f"2011-0{n}-15"}
            for n, s in enumerate(["S1", "S2", "S3"], start=1)
        ],
        "calendarDates": [
            {
                "calendarReference": {"calendarCode": "C", "schoolId": 100, "schoolYear": 2022},
                "date": day,
                "calendarEvents": [{"calendarEventDescriptor": d("CalendarEvent", event)}],
            }
            for day, event in [*days, ("2021-09-06", "Holiday")]
        ],
        "studentSchoolAssociations": [
            {**sref("S1"), **school, "entryDate": "2021-09-02", "schoolYearTypeReference": {"schoolYear": 2022},
             "entryGradeLevelDescriptor": d("GradeLevel", "Fifth grade")},
            {**sref("S2"), **school, "entryDate": "2021-09-01", "exitWithdrawDate": "2021-09-03",
             "schoolYearTypeReference": {"schoolYear": 2022},
             "entryGradeLevelDescriptor": d("GradeLevel", "Fifth grade")},
        ],
        "studentEducationOrganizationAssociations": [
            {**sref("S1"), "educationOrganizationReference": {"educationOrganizationId": 10},
             "sexDescriptor": d("Sex", "Male"), "hispanicLatinoEthnicity": True,
             "races": [{"raceDescriptor": d("Race", "Black or African American")}],
             "studentCharacteristics": [
                 {"studentCharacteristicDescriptor": d("StudentCharacteristic", "Economic Disadvantaged")},
                 {"studentCharacteristicDescriptor": d("StudentCharacteristic", "Homeless")}],
             "disabilities": [{"disabilityDescriptor": d("Disability", "Autism Spectrum Disorders")}]},
            {**sref("S1"), "educationOrganizationReference": {"educationOrganizationId": 100},
             "races": [{"raceDescriptor": d("Race", "White")}]},
            {**sref("S2"), "educationOrganizationReference": {"educationOrganizationId": 10},
             "sexDescriptor": d("Sex", "Female"), "hispanicLatinoEthnicity": False,
             "races": [{"raceDescriptor": d("Race", "White")}],
             "limitedEnglishProficiencyDescriptor": d("LimitedEnglishProficiency", "Limited Monitored 1")},
        ],
        "studentSchoolAttendanceEvents": [
            {**sref(s), **school, "sessionReference": {"schoolId": 100, "schoolYear": 2022, "sessionName": "Fall"},
             "eventDate": day, "attendanceEventCategoryDescriptor": d("AttendanceEventCategory", cat),
             **({"eventDuration": duration} if duration else {})}
            for s, day, cat, duration in [
                ("S1", "2021-09-03", "Excused Absence", 0.5),
                ("S1", "2021-09-07", "Tardy", None),
                ("S3", "2021-09-08", "Unexcused Absence", None),
            ]
        ],
        "assessments": [
            {"assessmentIdentifier": "MATH-5", "namespace": "uri://district",
             "academicSubjects": [{"academicSubjectDescriptor": d("AcademicSubject", "Mathematics")}],
             "assessedGradeLevels": [{"gradeLevelDescriptor": d("GradeLevel", "Fifth grade")}],
             "performanceLevels": [
                 {"performanceLevelDescriptor": d("PerformanceLevel", level), "minimumScore": str(low),
                  "maximumScore": str(high),
                  "assessmentReportingMethodDescriptor": d("AssessmentReportingMethod", "Raw score")}
                 for level, low, high in [("Did Not Meet Standard", 0, 28), ("Met Standard", 29, 50),
                                          ("Advanced", 45, 50)]]},
        ],
        "studentAssessments": [
            {**sref(s), "studentAssessmentIdentifier": f"{s}-1",
             "assessmentReference": {"assessmentIdentifier": "MATH-5", "namespace": "uri://district"},
             "administrationDate": "2022-04-05T09:00:00", "schoolYearTypeReference": {"schoolYear": 2022},
             "whenAssessedGradeLevelDescriptor": d("GradeLevel", "Fifth grade"),
             "scoreResults": [{"assessmentReportingMethodDescriptor": d("AssessmentReportingMethod", m), "result": v}
                              for m, v in scores],
             "performanceLevels": [{"performanceLevelDescriptor": d("PerformanceLevel", lv)} for lv in levels]}
            for s, scores, levels in [
                ("S1", [("Raw score", "47"), ("Scale score", "1650")], []),
                ("S2", [("Raw score", "20")], []),
                ("S3", [("Raw score", "30")], ["Level 3"]),
            ]
        ],
    }  # fmt: skip
    for name, items in resources.items():
        (folder / f"{name}.json").write_text(json.dumps(items, indent=2))
    return same_dates(folder)


def without_lines(batches: list[RowBatch]) -> dict[str, list[str]]:
    tables = tables_of(batches)
    return {
        name: sorted(
            json.dumps({k: v for k, v in row.items() if k != "source_row"}, sort_keys=True)
            for row in rows
        )
        for name, rows in tables.items()
    }


def test_json_resources_give_the_same_rows_as_xml(tmp_path):
    xml_batches, xml_problems = run(write_district_xml(tmp_path / "xml"))
    json_batches, json_problems = run(write_district_json(tmp_path / "json"))
    assert without_lines(json_batches) == without_lines(xml_batches)
    assert sorted(rules(json_problems)) == sorted(rules(xml_problems))
    # JSON rows are numbered by the resource's place in its array.
    attendance = {b.file: b.rows for b in json_batches if b.table == "attendance"}
    assert sorted(r["source_row"] for r in attendance["studentSchoolAttendanceEvents.json"]) == [
        1,
        3,
    ]
    enrolments = next(b for b in json_batches if b.table == "school_enrollment")
    assert (enrolments.file, [r["source_row"] for r in enrolments.rows]) == (
        "studentSchoolAssociations.json",
        [1, 2],
    )


def test_a_zip_gives_the_same_rows_as_its_folder(tmp_path):
    folder = write_district_xml(tmp_path / "district")
    archive = tmp_path / "district.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(folder.iterdir()):
            info = zipfile.ZipInfo(f"export/{path.name}", date_time=(2022, 6, 30, 12, 0, 0))
            zf.writestr(info, path.read_bytes())
    assert without_lines(run(archive)[0]) == without_lines(run(folder)[0])


def test_xml_rows_carry_element_lines_and_file_names(tmp_path):
    folder = write_district_xml(tmp_path / "district")
    batches, _ = run(folder)
    attendance = next(b for b in batches if b.table == "attendance" and b.file == "d.xml")
    lines = (folder / "d.xml").read_text().splitlines()
    for row in attendance.rows:
        assert lines[row["source_row"] - 1].startswith("<StudentSchoolAttendanceEvent>")
    assert all(b.source_fields.get("local_id") == "StudentUniqueId" for b in batches)


# --- problems ---------------------------------------------------------------------------------


def test_a_file_that_is_not_ed_fi_is_an_error(tmp_path):
    path = tmp_path / "catalog.xml"
    path.write_text('<?xml version="1.0"?>\n<catalog><book id="1"/></catalog>\n')
    batches, problems = run(path)
    assert batches == []
    assert [(p.severity, p.file, p.rule) for p in problems] == [
        (ERROR, "catalog.xml", "not_edfi_interchange")
    ]


def test_an_unsupported_version_is_an_error(tmp_path):
    path = tmp_path / "Student.xml"
    path.write_text(
        interchange("Student", "<Student><StudentUniqueId>1</StudentUniqueId></Student>", "3.0.0")
    )
    assert [(p.severity, p.rule) for p in run(path)[1]] == [(ERROR, "unsupported_version")]


def test_malformed_xml_is_an_error_at_its_line(tmp_path):
    path = tmp_path / "Student.xml"
    body = "<Student><StudentUniqueId>1</StudentUniqueId></Student>\n<Student><Oops></Student>\n"
    path.write_text(interchange("Student", body))
    problems = run(path)[1]
    assert [(p.severity, p.rule, p.row) for p in problems] == [(ERROR, "malformed_xml", 4)]


def test_a_student_missing_from_the_student_file_is_an_error(tmp_path):
    folder = write_district_xml(tmp_path / "district")
    (folder / "g.xml").write_text(
        interchange("StudentAttendance", attendance_event("S9", "2021-09-07", "Unexcused Absence"))
    )
    unknown = [p for p in run(folder)[1] if p.rule == "unknown_student"]
    assert [(p.severity, p.file, p.row, p.value) for p in unknown] == [(ERROR, "g.xml", 3, "S9")]


def test_without_a_student_file_references_are_not_checked(tmp_path):
    folder = write_district_xml(tmp_path / "district")
    (folder / "a.xml").unlink()
    batches, problems = run(folder)
    assert "unknown_student" not in rules(problems)
    assert "identity_record" not in tables_of(batches)


def test_an_unknown_json_resource_is_a_warning(tmp_path):
    (tmp_path / "grades.json").write_text("[]")
    assert [(p.severity, p.rule) for p in run(tmp_path)[1]] == [(WARNING, "unknown_resource")]


def test_every_row_uses_canonical_columns(grand_bend):
    for batch in grand_bend[0]:
        allowed = set(TABLES[batch.table].column_names) | {"source_row"}
        assert all(set(row) == allowed for row in batch.rows), batch.table


def test_batches_hold_at_most_batch_rows(monkeypatch):
    monkeypatch.setattr(assembly, "BATCH_ROWS", 100)
    batches, _ = run(GRAND_BEND)
    assert max(len(b.rows) for b in batches) == 100
    assert sum(len(b.rows) for b in batches if b.table == "program_participation") == 706
    assert all(b.progress is not None and 0 <= b.progress <= 1 for b in batches)
