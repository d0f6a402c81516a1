"""The district's Ed-Fi XML interchanges (Data Standard 5.2), one zip per school year.

Modelled on Ed-Fi's Grand Bend sample (``Samples/Sample XML``): the same root elements,
element names, nesting and ``uri://ed-fi.org/...Descriptor#Code`` values, written compactly
(no indentation) with plain string formatting. Each year's zip holds EducationOrganization,
EducationOrgCalendar (Sessions, one Calendar per school, its instructional CalendarDates),
Student, StudentEnrollment (StudentSchoolAssociation and StudentEducationOrganizationAssociation),
StudentSchoolAttendance (exception events only), AssessmentMetadata and StudentAssessment
(state tests with cut scores on the scale score), StudentProgram and StudentDiscipline
(``discipline``).
"""

from __future__ import annotations

import random
import zipfile
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

from backbone.demo.city import params as p
from backbone.demo.city.calendar import SchoolYear, school_year
from backbone.demo.city.discipline import discipline_elements, incidents
from backbone.demo.city.files import Sink, zip_info
from backbone.demo.city.world import Person, School, StudentYear, World

PARTNER = "riverton-public-schools"
CONTRACT = "edfi"
NAMESPACE = "http://ed-fi.org/5.2.0"
GRADE_NAMES = ("Kindergarten", "First grade", "Second grade", "Third grade", "Fourth grade",
               "Fifth grade", "Sixth grade", "Seventh grade", "Eighth grade", "Ninth grade",
               "Tenth grade", "Eleventh grade", "Twelfth grade")  # fmt: skip
_ORDINAL = {3: "Third grade", 8: "Eighth grade"}
_SUBJECTS = {"ELA": "English Language Arts", "Math": "Mathematics"}
_DISABILITIES = ("Specific Learning Disability", "Speech or Language Impairment",
                 "Other Health Impairment", "Autism Spectrum Disorders")  # fmt: skip


def d(kind: str, code: str) -> str:
    """A default Ed-Fi descriptor URI."""
    return f"uri://ed-fi.org/{kind}Descriptor#{code}"


def e(tag: str, inner: str) -> str:
    return f"<{tag}>{inner}</{tag}>"


def _header(interchange: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Interchange{interchange} xmlns="{NAMESPACE}" xmlns:ann="http://ed-fi.org/annotation" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{NAMESPACE} ../../Schemas/Bulk/Interchange-{interchange}.xsd">\n'
    )


def _document(interchange: str, elements: Iterable[str]) -> bytes:
    body = "\n".join(elements)
    return (_header(interchange) + body + f"\n</Interchange{interchange}>\n").encode("utf-8")


def _student_ref(student_id: str) -> str:
    return f"<StudentReference><StudentIdentity><StudentUniqueId>{student_id}</StudentUniqueId></StudentIdentity></StudentReference>"  # noqa: E501


def _school_ref(school_id: str) -> str:
    return f"<SchoolReference><SchoolIdentity><SchoolId>{school_id}</SchoolId></SchoolIdentity></SchoolReference>"  # noqa: E501


def _edorg_ref(edorg: int | str) -> str:
    return f"<EducationOrganizationReference><EducationOrganizationIdentity><EducationOrganizationId>{edorg}</EducationOrganizationId></EducationOrganizationIdentity></EducationOrganizationReference>"  # noqa: E501


# --- reference interchanges ---------------------------------------------------------------------


def education_organization(schools: list[School]) -> bytes:
    lea = (
        f'<LocalEducationAgency id="LEAG_{p.LEA_ID}">'
        f"<EducationOrganizationIdentificationCode><IdentificationCode>{p.LEA_ID}</IdentificationCode>"
        f"<EducationOrganizationIdentificationSystem>{d('EducationOrganizationIdentificationSystem', 'SEA')}</EducationOrganizationIdentificationSystem></EducationOrganizationIdentificationCode>"  # noqa: E501
        "<NameOfInstitution>Riverton Public Schools</NameOfInstitution>"
        "<ShortNameOfInstitution>RPS</ShortNameOfInstitution>"
        f"<EducationOrganizationCategory>{d('EducationOrganizationCategory', 'Local Education Agency')}</EducationOrganizationCategory>"  # noqa: E501
        f"<LocalEducationAgencyId>{p.LEA_ID}</LocalEducationAgencyId>"
        f"<LocalEducationAgencyCategory>{d('LocalEducationAgencyCategory', 'Independent')}</LocalEducationAgencyCategory>"  # noqa: E501
        "</LocalEducationAgency>"
    )
    return _document("EducationOrganization", [lea, *(_school(s) for s in schools)])


def _school(school: School) -> str:
    category = {"elementary": "Elementary School", "middle": "Middle School",
                "high": "High School"}[school.level]  # fmt: skip
    grades = "".join(e("GradeLevel", d("GradeLevel", GRADE_NAMES[g])) for g in school.grades)
    return (
        f'<School id="SCOL_{school.school_id}">'
        f"<EducationOrganizationIdentificationCode><IdentificationCode>{school.school_id}</IdentificationCode>"
        f"<EducationOrganizationIdentificationSystem>{d('EducationOrganizationIdentificationSystem', 'SEA')}</EducationOrganizationIdentificationSystem></EducationOrganizationIdentificationCode>"  # noqa: E501
        f"<NameOfInstitution>{escape(school.name)}</NameOfInstitution>"
        f"<EducationOrganizationCategory>{d('EducationOrganizationCategory', 'School')}</EducationOrganizationCategory>"  # noqa: E501
        f"<Address><StreetNumberName>{100 + int(school.school_id[-2:]) * 7} School Street</StreetNumberName>"  # noqa: E501
        f"<City>{p.CITY}</City><StateAbbreviation>{d('StateAbbreviation', p.STATE)}</StateAbbreviation>"  # noqa: E501
        f"<PostalCode>{p.NEIGHBOURHOODS[school.hoods[0]][0]}</PostalCode>"
        f"<AddressType>{d('AddressType', 'Physical')}</AddressType></Address>"
        f"<SchoolId>{school.school_id}</SchoolId>{grades}"
        f"<SchoolCategory>{d('SchoolCategory', category)}</SchoolCategory>"
        f'<LocalEducationAgencyReference ref="LEAG_{p.LEA_ID}"></LocalEducationAgencyReference>'
        "</School>"
    )


def calendar(schools: list[School], year: SchoolYear) -> bytes:
    return _document("EducationOrgCalendar", _calendar_elements(schools, year))


def _calendar_elements(schools: list[School], year: SchoolYear) -> Iterator[str]:
    for school in schools:
        for term, days in (
            ("Fall Semester", year.fall_days),
            ("Spring Semester", year.spring_days),
        ):
            yield (
                f"<Session><SessionName>{year.label} {term}</SessionName>"
                f"<SchoolYear>{year.label}</SchoolYear><BeginDate>{days[0]}</BeginDate>"
                f"<EndDate>{days[-1]}</EndDate><Term>{d('Term', term)}</Term>"
                f"<TotalInstructionalDays>{len(days)}</TotalInstructionalDays>"
                f"{_school_ref(school.school_id)}</Session>"
            )
    for school in schools:
        code = f"{school.school_id}-{year.year}"
        yield (
            f"<Calendar><CalendarCode>{code}</CalendarCode>"
            f"<CalendarType>{d('CalendarType', 'School')}</CalendarType>"
            f"{_school_ref(school.school_id)}<SchoolYear>{year.label}</SchoolYear></Calendar>"
        )
        identity = (
            f"<CalendarReference><CalendarIdentity><CalendarCode>{code}</CalendarCode>"
            f"{_school_ref(school.school_id)}<SchoolYear>{year.label}</SchoolYear>"
            "</CalendarIdentity></CalendarReference>"
        )
        event = e("CalendarEvent", d("CalendarEvent", "Instructional day"))
        for day in year.days:
            yield f"<CalendarDate><Date>{day}</Date>{event}{identity}</CalendarDate>"


def assessment_metadata() -> bytes:
    return _document("AssessmentMetadata", (_assessment(s, g) for s, g in p.ASSESSMENTS))


def assessment_id(subject: str, grade: int) -> str:
    return f"RIV-STATE-{subject.upper()}-{grade}"


def _assessment(subject: str, grade: int) -> str:
    met, advanced = p.CUT_SCORES[grade]
    low, high = p.SCALE_RANGE
    scale = d("AssessmentReportingMethod", "Scale score")
    integer = d("ResultDatatypeType", "Integer")
    levels = "".join(
        f"<AssessmentPerformanceLevel><PerformanceLevel>{d('PerformanceLevel', name)}</PerformanceLevel>"  # noqa: E501
        f"<AssessmentReportingMethod>{scale}</AssessmentReportingMethod><MinimumScore>{lo}</MinimumScore>"
        f"<MaximumScore>{hi}</MaximumScore><ResultDatatypeType>{integer}</ResultDatatypeType>"
        "</AssessmentPerformanceLevel>"
        for name, lo, hi in (("Did Not Meet Standard", low, met - 1), ("Advanced", advanced, high),
                             ("Met Standard", met, high))
    )  # fmt: skip
    return (
        f"<Assessment><AssessmentIdentifier>{assessment_id(subject, grade)}</AssessmentIdentifier>"
        f"<AssessmentTitle>State Assessment {_ORDINAL[grade]} {_SUBJECTS[subject]}</AssessmentTitle>"  # noqa: E501
        f"<AssessmentCategory>{d('AssessmentCategory', 'State summative assessment 3-8 general')}</AssessmentCategory>"  # noqa: E501
        f"<AcademicSubject>{d('AcademicSubject', _SUBJECTS[subject])}</AcademicSubject>"
        f"<AssessedGradeLevel>{d('GradeLevel', _ORDINAL[grade])}</AssessedGradeLevel>"
        f"<AssessmentScore><AssessmentReportingMethod>{scale}</AssessmentReportingMethod>"
        f"<MinimumScore>{low}</MinimumScore><MaximumScore>{high}</MaximumScore>"
        f"<ResultDatatypeType>{integer}</ResultDatatypeType></AssessmentScore>{levels}"
        "<Namespace>uri://riverton.example.org/Assessment</Namespace></Assessment>"
    )


# --- student interchanges -------------------------------------------------------------------------


def _students_of(world: World, year: int) -> list[tuple[Person, StudentYear]]:
    return [(c, c.years[year]) for c in world.children if year in c.years]


def student_file(rows: list[tuple[Person, StudentYear]]) -> bytes:
    def one(child: Person) -> str:
        middle = f"<MiddleName>{escape(child.middle)}</MiddleName>" if child.middle else ""
        return (
            f"<Student><StudentUniqueId>{child.student_id}</StudentUniqueId><Name>"
            f"<FirstName>{escape(child.first)}</FirstName>{middle}"
            f"<LastSurname>{escape(child.last)}</LastSurname></Name>"
            f"<BirthData><BirthDate>{child.birth}</BirthDate>"
            f"<BirthSex>{d('Sex', child.sex.title())}</BirthSex></BirthData></Student>"
        )

    return _document("Student", (one(c) for c, _ in rows))


def enrollment_file(rows: list[tuple[Person, StudentYear]], year: SchoolYear) -> bytes:
    def association(child: Person, r: StudentYear) -> str:
        entry_type = "Next year school" if r.entry == year.first else "Transfer"
        return (
            f"<StudentSchoolAssociation>{_student_ref(child.student_id)}{_school_ref(r.school_id)}"
            f"<EntryDate>{r.entry}</EntryDate>"
            f"<EntryGradeLevel>{d('GradeLevel', GRADE_NAMES[r.grade])}</EntryGradeLevel>"
            f"<EntryType>{d('EntryType', entry_type)}</EntryType>"
            f"<ExitWithdrawDate>{r.exit}</ExitWithdrawDate>"
            f"<ExitWithdrawType>{d('ExitWithdrawType', r.exit_type)}</ExitWithdrawType>"
            f"<SchoolYear>{year.label}</SchoolYear>"
            f"<ClassOfSchoolYear>{year.year + 12 - r.grade}</ClassOfSchoolYear>"
            "</StudentSchoolAssociation>"
        )

    def elements() -> Iterator[str]:
        for child, r in rows:
            yield association(child, r)
        for child, r in rows:
            yield demographics(child, r)

    return _document("StudentEnrollment", elements())


def demographics(child: Person, r: StudentYear) -> str:
    household = child.household
    parts = [_student_ref(child.student_id), _edorg_ref(p.LEA_ID)]
    if child.disability:
        kind = _DISABILITIES[int(child.pid[1:]) % len(_DISABILITIES)]
        parts.append(e("Disability", e("Disability", d("Disability", kind))))
    parts.append(e("HispanicLatinoEthnicity", "true" if child.hispanic else "false"))
    english = "Limited" if child.english_learner else "NotLimited"
    parts.append(e("LimitedEnglishProficiency", d("LimitedEnglishProficiency", english)))
    for race in _races(child):
        parts.append(e("Race", d("Race", race)))
    parts.append(e("Sex", d("Sex", child.sex.title())))
    if household.econ:
        parts.append(_characteristic("Economic Disadvantaged"))
    if r.flagged_homeless:
        parts.append(_characteristic("Homeless"))
    if random.Random(child.pid).random() < p.DISTRICT_SSN_SHARE:
        parts.append(_ssn_code(child.ssn))
    return e("StudentEducationOrganizationAssociation", "".join(parts))


def _ssn_code(ssn: str) -> str:
    system = e("StudentIdentificationSystemDescriptor", d("StudentIdentificationSystem", "SSN"))
    code = e("AssigningOrganizationIdentificationCode", "SSA") + e("IdentificationCode", ssn)
    return e("StudentIdentificationCode", code + system)


def _characteristic(code: str) -> str:
    return e("StudentCharacteristic", e("StudentCharacteristic", d("StudentCharacteristic", code)))


def _races(child: Person) -> tuple[str, ...]:
    if child.race == "Hispanic or Latino":
        return ("White",) if int(child.pid[1:]) % 3 else ("Other",)
    if child.race == "Two or more races":
        return ("Black or African American", "White")
    return (child.race,)


def attendance_file(rows: list[tuple[Person, StudentYear]], year: SchoolYear) -> bytes:
    fall_end = year.fall_days[-1]

    def events() -> Iterator[str]:
        for child, r in rows:
            student, school = _student_ref(child.student_id), _school_ref(r.school_id)
            fall = _session(year, "Fall Semester", r.school_id, school)
            spring = _session(year, "Spring Semester", r.school_id, school)
            marks = [(day, kind) for day, kind in r.absences] + [(t, "Tardy") for t in r.tardies]
            for day, kind in sorted(marks):
                reason = (
                    "Absent excused"
                    if kind == "Excused Absence"
                    else ("Absent unexcused" if kind == "Unexcused Absence" else "Late arrival")
                )
                yield (
                    f"<StudentSchoolAttendanceEvent><AttendanceEvent><EventDate>{day}</EventDate>"
                    f"<AttendanceEventCategory>{d('AttendanceEventCategory', kind)}</AttendanceEventCategory>"  # noqa: E501
                    f"<AttendanceEventReason>{reason}</AttendanceEventReason>"
                    f"<EventDuration>{'1' if kind != 'Tardy' else '0'}</EventDuration></AttendanceEvent>"  # noqa: E501
                    f"{student}{school}{fall if day <= fall_end else spring}"
                    "</StudentSchoolAttendanceEvent>"
                )  # fmt: skip

    return _document("StudentAttendance", events())


def _session(year: SchoolYear, term: str, school_id: str, school: str) -> str:
    return (
        f"<SessionReference><SessionIdentity><SessionName>{year.label} {term}</SessionName>"
        f"<SchoolYear>{year.label}</SchoolYear>{school}</SessionIdentity></SessionReference>"
    )


def assessment_file(rows: list[tuple[Person, StudentYear]], year: SchoolYear) -> bytes:
    scale = d("AssessmentReportingMethod", "Scale score")
    integer = d("ResultDatatypeType", "Integer")

    def results() -> Iterator[str]:
        for child, r in rows:
            for subject, (score, level) in sorted(r.scores.items()):
                identifier = f"{child.student_id}-{year.year}-{subject}"
                yield (
                    f"<StudentAssessment><StudentAssessmentIdentifier>{identifier}</StudentAssessmentIdentifier>"
                    f"<AdministrationDate>{year.test_date}T09:00:00</AdministrationDate>"
                    f"<ScoreResult><Result>{score}</Result><ResultDatatypeType>{integer}</ResultDatatypeType>"
                    f"<AssessmentReportingMethod>{scale}</AssessmentReportingMethod></ScoreResult>"
                    f"<WhenAssessedGradeLevel>{d('GradeLevel', _ORDINAL[r.grade])}</WhenAssessedGradeLevel>"  # noqa: E501
                    f"<PerformanceLevel><PerformanceLevel>{d('PerformanceLevel', level)}</PerformanceLevel>"  # noqa: E501
                    f"<AssessmentReportingMethod>{scale}</AssessmentReportingMethod></PerformanceLevel>"
                    f"{_student_ref(child.student_id)}<AssessmentReference><AssessmentIdentity>"
                    f"<AssessmentIdentifier>{assessment_id(subject, r.grade)}</AssessmentIdentifier>"  # noqa: E501
                    "<Namespace>uri://riverton.example.org/Assessment</Namespace>"
                    "</AssessmentIdentity></AssessmentReference></StudentAssessment>"
                )

    return _document("StudentAssessment", results())


def program_file(rows: list[tuple[Person, StudentYear]]) -> bytes:
    def association(child: Person, r: StudentYear, name: str, kind: str) -> str:
        return (
            f"<StudentProgramAssociation>{_student_ref(child.student_id)}<ProgramReference>"
            f"<ProgramIdentity>{_edorg_ref(p.LEA_ID)}<ProgramName>{name}</ProgramName>"
            f"<ProgramType>{d('ProgramType', kind)}</ProgramType></ProgramIdentity></ProgramReference>"  # noqa: E501
            f"<BeginDate>{r.entry}</BeginDate><EndDate>{r.exit}</EndDate>{_edorg_ref(p.LEA_ID)}"
            "</StudentProgramAssociation>"
        )

    def elements() -> Iterator[str]:
        for child, r in rows:
            if r.flagged_homeless:
                yield association(child, r, "McKinney-Vento Homeless", "Homeless")
            if child.english_learner:
                yield association(
                    child, r, "English Learner Services", "English as a Second Language (ESL)"
                )
            if child.disability:
                yield association(child, r, "Special Education", "Special Education")

    return _document("StudentProgram", elements())


def write_edfi(world: World, sink: Sink) -> None:
    """One zip of interchange files per school year."""
    organization = education_organization(world.schools)
    metadata = assessment_metadata()
    for number in world.years:
        year = school_year(number)
        rows = _students_of(world, number)
        target = sink.path(PARTNER, CONTRACT, year.period, ".zip")
        file = sink.add(PARTNER, CONTRACT, year.period, target)
        for child, _ in rows:
            sink.link(PARTNER, CONTRACT, file, child.student_id, child.pid)
        members = {
            "EducationOrganization.xml": organization,
            "EducationOrgCalendar.xml": calendar(world.schools, year),
            "Student.xml": student_file(rows),
            "StudentEnrollment.xml": enrollment_file(rows, year),
            "StudentSchoolAttendance.xml": attendance_file(rows, year),
            "AssessmentMetadata-StateAssessment.xml": metadata,
            "StudentAssessment-StateAssessment.xml": assessment_file(rows, year),
            "StudentProgram.xml": program_file(rows),
            "StudentDiscipline.xml": _document(
                "StudentDiscipline", discipline_elements(incidents(rows, year, world.seed))
            ),
        }
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            for name, content in members.items():
                archive.writestr(zip_info(name), content)
