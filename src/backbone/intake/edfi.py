"""Ed-Fi importer: interchange XML files or Ed-Fi API JSON resources → canonical table rows.

``read(source, options)`` takes a directory, a single file or a ``.zip`` of Ed-Fi files and
yields ``RowBatch``es for ``identity_record``, ``person_demographics``, ``school_enrollment``,
``attendance``, ``assessment``, ``discipline`` and ``program_participation``, plus ``Problem``s.

Reading
    XML files are recognised by their root element (``Interchange…`` in the namespace
    ``http://ed-fi.org/<version>``; Data Standard 5.x and 6.x are supported), never by their name,
    and are streamed entity by entity with expat so every row carries the line of its element.
    JSON files are Ed-Fi API resources saved one resource type per file and recognised by name
    (``students.json``, ``studentSchoolAttendanceEvents.json``, …, or ``.jsonl`` with one resource a
    line); ``source_row`` is the 1-based index of the resource in the array (the line in JSONL).
    Both formats are first reduced to the same small records (``StudentRec``, ``AttendanceRec``…),
    and one assembler turns records into rows, so XML and JSON give the same rows.
    Reference files (students, calendars, sessions, assessment metadata) are read before the rest.

Values
    Descriptors keep their code value (``uri://ed-fi.org/SexDescriptor#Female`` → ``Female``) and
    are mapped to backbone's code lists where one exists (sex, race/ethnicity, grade); a code with
    no mapping is passed through unchanged for the load to report. Dates are ``YYYY-MM-DD`` (a
    dateTime keeps its date). ``school_year`` is the spring year (``2021-2022`` → ``2022``); when an
    entity carries none it is taken from its date, school years running July 1 to June 30.

Demographics (``person_demographics``)
    One row per student: birth year-month and birth sex from Student, merged with the
    demographics entity of the data standard in use — StudentEducationOrganizationAssociation in
    DS 5.x, StudentDemographic in DS 6.x (an association carrying none of the demographic fields,
    as a 6.x one does, is ignored). A student with several education organisations gets one row:
    races are unioned and a flag is true when any organisation sets it. Hispanic of any race is
    "Hispanic or Latino"; two or more races are "Two or more races"; "Other", "Choose Not to
    Respond" and "Not Selected" are "Unknown". Flags Ed-Fi carries as lists (Disability,
    StudentCharacteristic "Economic Disadvantaged" / "Homeless" / "Foster Care") are false when a
    demographics entity exists without them; english_learner is true for
    LimitedEnglishProficiency "Limited", false for the other codes ("Limited Monitored 1/2" are
    former learners) and empty when absent; in 6.x EconomicDisadvantage "Eligible For Free
    Meals", "Eligible for Reduced-Price Meals" and "Other Economic Disadvantage" are true, "Not
    Qualified…" false, "Unknown" empty.
    Ed-Fi has no "as of" date for demographics, so ``as_of`` is ``options.as_of`` (the end of the
    submission's period) when given, otherwise the date the file was last modified
    (a zip member's own date): the date of the extract.

Attendance
    One row per student, school and school year. ``days_absent`` sums EventDuration (1 when absent)
    of "Excused Absence" and "Unexcused Absence" events; tardies, partial days and early departures
    are not absences, and any other category is reported once as a warning and not counted.
    ``days_enrolled`` counts the school's instructional days (CalendarDate "Instructional day", over
    all of the school's calendars) within [EntryDate, ExitWithdrawDate] of the student's
    StudentSchoolAssociations for that year. When the calendar lists fewer instructional days than
    the school's Sessions' TotalInstructionalDays (Grand Bend lists two dates), or none, the
    Sessions are used, pro-rated by weekdays for partial enrolment, and one warning says so. A
    student with events but no school association is assumed enrolled the whole year, with one
    warning counting them; an enrolled student without events, in a school and year that reported
    attendance, gets ``days_absent`` 0 (Ed-Fi attendance is usually exceptions only).

Assessments
    ``scale_score`` is the ScoreResult whose reporting method is "Scale score", else "Vertical
    score" (STAAR's vertical scale score, the scale score of the Grand Bend state assessments);
    raw scores and Lexile measures are not scale scores. ``performance_level`` is the student's own
    overall PerformanceLevel if present, else derived from the Assessment's cut scores
    (AssessmentPerformanceLevel Minimum/MaximumScore, compared with the student's result for the
    same reporting method); as cut ranges may nest (Grand Bend: "Met Standard" 29-50 contains
    "Advanced" 45-50) the matching level with the highest minimum wins. ``proficient`` is true for
    the levels in ``PROFICIENT_LEVELS`` (Grand Bend uses "Met Standard" and "Advanced"), false for
    those in ``NOT_PROFICIENT_LEVELS`` ("Did Not Meet Standard"), and empty with one warning per
    other level; ``options.value_crosswalks["proficient"]`` (level → "true"/"false") overrides
    both. ``subject`` is the Assessment's first AcademicSubject; ``grade`` the student's
    WhenAssessedGradeLevel, else the Assessment's only AssessedGradeLevel.

Discipline
    One row per offending student (StudentDisciplineIncidentBehaviorAssociation or a
    DisciplineAction), incident and action (the Discipline code value). Several actions with the
    same code for the same student and incident are one row whose ``days_removed`` sums their
    ActualDisciplineActionLength (else DisciplineActionLength); an offender with no action has a
    row with an empty action. Witnesses and victims (non-offender associations) have no row.
    ``incident_id`` is the IncidentIdentifier; ``school_year`` comes from the incident date.

Problems (severity error unless said): a file that is not an Ed-Fi interchange or resource, an
unsupported Data Standard version, malformed XML or JSON, a student referenced but missing from
the Student file when one was submitted, an EventDuration that is not a number.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree as ET
from xml.parsers import expat

from backbone.warehouse.records import (
    BATCH_ROWS,
    WARNING,
    ImportOptions,
    ImportStream,
    Problem,
    RowBatch,
)
from backbone.warehouse.tables import TABLES

SUPPORTED_VERSIONS = (5, 6)  # Data Standard major versions whose layouts this module reads
ABSENCE_CATEGORIES = frozenset({"excused absence", "unexcused absence"})
NOT_ABSENCE_CATEGORIES = frozenset(
    {"in attendance", "present", "tardy", "early departure", "partial"}
)
PROFICIENT_LEVELS = frozenset(
    {
        "proficient", "advanced", "met standard", "meets standard", "exceeds standard",
        "exceeded standard", "standard met", "standard exceeded", "pass", "passed",
        "meets expectations", "met expectations", "exceeds expectations",
        "exceeded expectations", "meets grade level", "masters grade level", "mastered",
        "distinguished", "above standard", "highly proficient",
    }
)  # fmt: skip
NOT_PROFICIENT_LEVELS = frozenset(
    {
        "did not meet standard", "does not meet standard", "not met", "standard not met",
        "standard nearly met", "nearly met standard", "partially met standard", "not proficient",
        "partially proficient", "basic", "below basic", "below standard", "fail", "failed",
        "did not meet grade level", "approaches grade level", "approaching expectations",
        "partially meets expectations", "partially met expectations",
        "does not meet expectations", "did not yet meet expectations",
    }
)  # fmt: skip
SCALE_SCORE_METHODS = ("scale score", "vertical score")  # in order of preference

_GRADES = {
    "infant/toddler": "IT", "preschool/prekindergarten": "PK", "prekindergarten": "PK",
    "transitional kindergarten": "TK", "kindergarten": "K", "first grade": "1",
    "second grade": "2", "third grade": "3", "fourth grade": "4", "fifth grade": "5",
    "sixth grade": "6", "seventh grade": "7", "eighth grade": "8", "ninth grade": "9",
    "tenth grade": "10", "eleventh grade": "11", "twelfth grade": "12", "grade 13": "13",
    "postsecondary": "PS", "ungraded": "UG", "adult education": "AE",
}  # fmt: skip
_SEXES = {
    "female": "female", "male": "male", "non-binary": "nonbinary", "nonbinary": "nonbinary",
    "not selected": "unknown", "unknown": "unknown",
}  # fmt: skip
_RACES = {
    "american indian or alaska native": "American Indian or Alaska Native",
    "american indian - alaska native": "American Indian or Alaska Native",
    "asian": "Asian",
    "black or african american": "Black or African American",
    "black - african american": "Black or African American",
    "hispanic or latino": "Hispanic or Latino",
    "middle eastern or north african": "Middle Eastern or North African",
    "native hawaiian or pacific islander": "Native Hawaiian or Pacific Islander",
    "native hawaiian - pacific islander": "Native Hawaiian or Pacific Islander",
    "white": "White",
}
_UNKNOWN_RACES = frozenset({"other", "choose not to respond", "not selected", "unknown"})
_ECONOMIC = {
    "not qualified as economically disadvantaged": False,
    "eligible for free meals": True,
    "eligible for reduced-price meals": True,
    "other economic disadvantage": True,
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_NAMESPACE = re.compile(r"^http://ed-fi\.org/(\d+)\.(\d+)(?:\.(\d+))?/?$")
_PROGRAM_ELEMENT = re.compile(r"^Student\w*ProgramAssociation$")
_PROGRAM_RESOURCE = re.compile(r"^student\w*programassociations$")
# Interchanges read first: what other entities are checked against or looked up in.
_REFERENCE_INTERCHANGES = frozenset(
    {
        "InterchangeStudent", "InterchangeEducationOrgCalendar", "InterchangeAssessmentMetadata",
        "InterchangeEducationOrganization", "InterchangeDescriptors",
    }
)  # fmt: skip
_QUIET_INTERCHANGES = frozenset({"InterchangeEducationOrganization", "InterchangeDescriptors"})
# Canonical column → the Ed-Fi element it comes from, so load errors name what the partner sent.
_SOURCE_FIELDS: dict[str, dict[str, str]] = {
    "identity_record": {
        "local_id": "StudentUniqueId", "student_id": "StudentUniqueId", "first_name": "FirstName",
        "middle_name": "MiddleName", "last_name": "LastSurname",
        "name_suffix": "GenerationCodeSuffix", "birth_date": "BirthDate", "sex": "BirthSex",
        "ssn": "IdentificationCode",
    },
    "person_demographics": {
        "local_id": "StudentUniqueId", "birth_year_month": "BirthDate", "sex": "Sex",
        "race_ethnicity": "Race", "hispanic": "HispanicLatinoEthnicity",
    },
    "school_enrollment": {
        "local_id": "StudentUniqueId", "school_year": "SchoolYear", "school_id": "SchoolId",
        "grade": "EntryGradeLevel", "entry_date": "EntryDate", "exit_date": "ExitWithdrawDate",
        "exit_type": "ExitWithdrawType",
    },
    "attendance": {
        "local_id": "StudentUniqueId", "school_year": "SchoolYear", "school_id": "SchoolId",
        "days_absent": "EventDuration",
    },
    "assessment": {
        "local_id": "StudentUniqueId", "school_year": "SchoolYear",
        "assessment_id": "AssessmentIdentifier", "administration_date": "AdministrationDate",
        "grade": "WhenAssessedGradeLevel", "scale_score": "ScoreResult",
        "performance_level": "PerformanceLevel",
    },
    "discipline": {
        "local_id": "StudentUniqueId", "incident_id": "IncidentIdentifier",
        "incident_date": "IncidentDate", "action": "Discipline",
        "days_removed": "ActualDisciplineActionLength",
    },
    "program_participation": {
        "local_id": "StudentUniqueId", "program": "ProgramName", "service_type": "ProgramType",
        "start_date": "BeginDate", "end_date": "EndDate",
    },
}  # fmt: skip
_STUDENT = "StudentReference/StudentIdentity/StudentUniqueId"
_SCHOOL = "SchoolReference/SchoolIdentity/SchoolId"
_INCIDENT = "DisciplineIncidentReference/DisciplineIncidentIdentity"
_CALENDAR = "CalendarReference/CalendarIdentity"
_PROGRAM = "ProgramReference/ProgramIdentity"


# --- values ---------------------------------------------------------------------------------


def code_value(descriptor: str | None) -> str | None:
    """The code value of a descriptor: ``uri://ed-fi.org/SexDescriptor#Female`` → ``Female``."""
    if descriptor is None:
        return None
    return descriptor.rsplit("#", 1)[-1].strip() or None


def school_year(value: str | None) -> str | None:
    """The spring year of an Ed-Fi school year: ``2021-2022`` → ``2022``; ``2022`` stays."""
    if not value:
        return None
    match = re.fullmatch(r"(\d{4})\s*[-/]\s*\d{2,4}", value.strip())
    return str(int(match.group(1)) + 1) if match else value.strip()


def _iso_date(value: str | None) -> str | None:
    """The date part of a date or dateTime; anything else is left for the load to report."""
    if not value:
        return None
    return value[:10] if _DATE.match(value) else value


def _year_of(day: str | None) -> str | None:
    """The school year a date falls in; school years run July 1 to June 30."""
    if not day or not _DATE.match(day):
        return None
    year, month = int(day[:4]), int(day[5:7])
    return str(year + 1 if month >= 7 else year)


def _grade(code: str | None) -> str | None:
    return _GRADES.get(code.lower(), code) if code else None


def _sex(code: str | None) -> str | None:
    return _SEXES.get(code.lower(), code) if code else None


def _bool_text(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


def _parse_bool(text: str | None) -> bool | None:
    if text is None:
        return None
    return {"true": True, "1": True, "false": False, "0": False}.get(text.strip().lower())


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _number_text(value: float) -> str:
    """A day count as text: ``169`` rather than ``169.0``, at most two decimals."""
    return format(round(value, 2), "g")


def _race_ethnicity(hispanic: bool | None, races: Iterable[str]) -> str | None:
    """Backbone's single race/ethnicity: Hispanic of any race first, then one race or several."""
    if hispanic:
        return "Hispanic or Latino"
    known = {_RACES.get(r.lower(), r) for r in races if r.lower() not in _UNKNOWN_RACES}
    if len(known) > 1:
        return "Two or more races"
    if known:
        return known.pop()
    return "Unknown" if races or hispanic is False else None


# --- intermediate records: what XML elements and JSON resources are both reduced to -----------


@dataclass(frozen=True)
class StudentRec:
    student_id: str | None
    first_name: str | None
    middle_name: str | None
    last_name: str | None
    name_suffix: str | None
    birth_date: str | None
    birth_sex: str | None


@dataclass(frozen=True)
class DemographicRec:
    student_id: str | None
    sex: str | None
    hispanic: bool | None
    races: tuple[str, ...]
    english: str | None
    economic: str | None
    characteristics: tuple[str, ...]
    disabilities: int
    ssn: str | None = None  # a StudentIdentificationCode of the SSN system, where collected

    def is_empty(self) -> bool:
        """True for an association that carries no demographics (every DS 6.x SEOA)."""
        scalars = (self.sex, self.hispanic, self.english, self.economic, self.ssn)
        return all(v is None for v in scalars) and not (
            self.races or self.characteristics or self.disabilities
        )


@dataclass(frozen=True)
class EnrollmentRec:
    student_id: str | None
    school_id: str | None
    school_year: str | None
    entry_date: str | None
    exit_date: str | None
    grade: str | None
    exit_type: str | None


@dataclass(frozen=True)
class SessionRec:
    school_id: str | None
    school_year: str | None
    begin: str | None
    end: str | None
    total_days: str | None


@dataclass(frozen=True)
class CalendarDateRec:
    school_id: str | None
    school_year: str | None
    day: str | None
    events: tuple[str, ...]


@dataclass(frozen=True)
class AttendanceRec:
    student_id: str | None
    school_id: str | None
    school_year: str | None
    day: str | None
    category: str | None
    duration: str | None


@dataclass(frozen=True)
class AssessmentRec:
    assessment_id: str | None
    subjects: tuple[str, ...]
    grades: tuple[str, ...]
    # (level, reporting method, minimum score, maximum score)
    levels: tuple[tuple[str | None, str | None, str | None, str | None], ...]


@dataclass(frozen=True)
class StudentAssessmentRec:
    student_id: str | None
    assessment_id: str | None
    administration_date: str | None
    school_year: str | None
    grade: str | None
    scores: tuple[tuple[str | None, str | None], ...]  # (reporting method, result)
    levels: tuple[tuple[str | None, str | None], ...]  # (level, reporting method)


@dataclass(frozen=True)
class IncidentRec:
    incident_id: str | None
    school_id: str | None
    incident_date: str | None
    xml_id: str | None = None  # the element's id="…", which XML references may point to


@dataclass(frozen=True)
class IncidentLinkRec:
    student_id: str | None
    incident_id: str | None
    school_id: str | None
    xml_ref: str | None = None


@dataclass(frozen=True)
class ActionRec:
    student_id: str | None
    actions: tuple[str, ...]
    action_date: str | None
    days: str | None
    incidents: tuple[tuple[str | None, str | None], ...]  # (incident id, school id)
    xml_refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProgramRec:
    student_id: str | None
    program: str | None
    program_type: str | None
    begin: str | None
    end: str | None


Record = (
    StudentRec | DemographicRec | EnrollmentRec | SessionRec | CalendarDateRec | AttendanceRec
    | AssessmentRec | StudentAssessmentRec | IncidentRec | IncidentLinkRec | ActionRec | ProgramRec
)  # fmt: skip


# --- XML: elements → records ------------------------------------------------------------------


def _text(element: ET.Element, *paths: str) -> str | None:
    """The stripped text at the first of ``paths`` that has some."""
    for path in paths:
        found = element.find(path)
        if found is not None and found.text and found.text.strip():
            return found.text.strip()
    return None


def _code(element: ET.Element, path: str) -> str | None:
    """A descriptor's code value; XML names drop the ``Descriptor`` suffix, but accept both."""
    return code_value(_text(element, path, path + "Descriptor"))


def _leaf_codes(element: ET.Element, name: str) -> tuple[str, ...]:
    """Code values of every childless ``name`` element: lists are flat or nested by version."""
    found = [e.text for e in element.iter(name) if len(e) == 0 and e.text and e.text.strip()]
    return tuple(c for c in (code_value(t) for t in found) if c)


def _xml_student(el: ET.Element) -> StudentRec:
    return StudentRec(
        _text(el, "StudentUniqueId"),
        _text(el, "Name/FirstName"),
        _text(el, "Name/MiddleName"),
        _text(el, "Name/LastSurname"),
        _text(el, "Name/GenerationCodeSuffix"),
        _text(el, "BirthData/BirthDate", "BirthDate"),
        _code(el, "BirthData/BirthSex") or _code(el, "BirthSex"),
    )


def _xml_demographic(el: ET.Element) -> DemographicRec:
    return DemographicRec(
        _text(el, _STUDENT),
        _code(el, "Sex"),
        _parse_bool(_text(el, "HispanicLatinoEthnicity")),
        _leaf_codes(el, "Race") + _leaf_codes(el, "RaceDescriptor"),
        _code(el, "LimitedEnglishProficiency"),
        _code(el, "EconomicDisadvantage"),
        _leaf_codes(el, "StudentCharacteristic")
        + _leaf_codes(el, "StudentCharacteristicDescriptor"),
        len(_leaf_codes(el, "Disability") + _leaf_codes(el, "DisabilityDescriptor")),
        _xml_ssn(el),
    )


def _xml_ssn(el: ET.Element) -> str | None:
    """The identification code assigned under the SSN identification system, if any."""
    for code in el.iter("StudentIdentificationCode"):
        system = _code(code, "StudentIdentificationSystem")
        if system and system.upper() == "SSN":
            return _text(code, "IdentificationCode")
    return None


def _xml_enrollment(el: ET.Element) -> EnrollmentRec:
    return EnrollmentRec(
        _text(el, _STUDENT),
        _text(el, _SCHOOL),
        _text(el, "SchoolYear", f"{_CALENDAR}/SchoolYear"),
        _text(el, "EntryDate"),
        _text(el, "ExitWithdrawDate"),
        _code(el, "EntryGradeLevel"),
        _code(el, "ExitWithdrawType"),
    )


def _xml_session(el: ET.Element) -> SessionRec:
    return SessionRec(
        _text(el, _SCHOOL),
        _text(el, "SchoolYear"),
        _text(el, "BeginDate"),
        _text(el, "EndDate"),
        _text(el, "TotalInstructionalDays"),
    )


def _xml_calendar_date(el: ET.Element) -> CalendarDateRec:
    return CalendarDateRec(
        _text(el, f"{_CALENDAR}/{_SCHOOL}"),
        _text(el, f"{_CALENDAR}/SchoolYear"),
        _text(el, "Date"),
        _leaf_codes(el, "CalendarEvent") + _leaf_codes(el, "CalendarEventDescriptor"),
    )


def _xml_attendance(el: ET.Element) -> AttendanceRec:
    # DS 5.x wraps the event's own fields in <AttendanceEvent>; accept them unwrapped too.
    return AttendanceRec(
        _text(el, _STUDENT),
        _text(el, _SCHOOL),
        _text(el, "SessionReference/SessionIdentity/SchoolYear", "SchoolYear"),
        _text(el, "AttendanceEvent/EventDate", "EventDate"),
        _code(el, "AttendanceEvent/AttendanceEventCategory")
        or _code(el, "AttendanceEventCategory"),
        _text(el, "AttendanceEvent/EventDuration", "EventDuration"),
    )


def _xml_assessment(el: ET.Element) -> AssessmentRec:
    levels = tuple(
        (
            _code(pl, "PerformanceLevel"),
            _code(pl, "AssessmentReportingMethod"),
            _text(pl, "MinimumScore"),
            _text(pl, "MaximumScore"),
        )
        for pl in el.findall("AssessmentPerformanceLevel")
    )
    subjects = [code_value(s.text) for s in el.findall("AcademicSubject")]
    grades = [code_value(g.text) for g in el.findall("AssessedGradeLevel")]
    return AssessmentRec(
        _text(el, "AssessmentIdentifier"),
        tuple(s for s in subjects if s),
        tuple(g for g in grades if g),
        levels,
    )


def _xml_student_assessment(el: ET.Element) -> StudentAssessmentRec:
    # Direct children only: StudentObjectiveAssessment scores and levels are not the test's.
    scores = tuple(
        (_code(s, "AssessmentReportingMethod"), _text(s, "Result"))
        for s in el.findall("ScoreResult")
    )
    levels = tuple(
        (_code(p, "PerformanceLevel"), _code(p, "AssessmentReportingMethod"))
        for p in el.findall("PerformanceLevel")
    )
    return StudentAssessmentRec(
        _text(el, _STUDENT),
        _text(el, "AssessmentReference/AssessmentIdentity/AssessmentIdentifier"),
        _text(el, "AdministrationDate"),
        _text(el, "SchoolYear"),
        _code(el, "WhenAssessedGradeLevel") or _code(el, "AssessedGradeLevel"),
        scores,
        levels,
    )


def _xml_incident(el: ET.Element) -> IncidentRec:
    return IncidentRec(
        _text(el, "IncidentIdentifier"), _text(el, _SCHOOL), _text(el, "IncidentDate"), el.get("id")
    )


def _xml_incident_link(el: ET.Element) -> IncidentLinkRec:
    reference = el.find("DisciplineIncidentReference")
    return IncidentLinkRec(
        _text(el, _STUDENT),
        _text(el, f"{_INCIDENT}/IncidentIdentifier"),
        _text(el, f"{_INCIDENT}/{_SCHOOL}"),
        reference.get("ref") if reference is not None else None,
    )


def _xml_action(el: ET.Element) -> ActionRec:
    incidents = tuple(
        (_text(i, "IncidentIdentifier"), _text(i, _SCHOOL))
        for i in el.iter("DisciplineIncidentIdentity")
    )
    refs = tuple(r.get("ref") or "" for r in el.iter("DisciplineIncidentReference") if r.get("ref"))
    return ActionRec(
        _text(el, _STUDENT),
        _leaf_codes(el, "Discipline") + _leaf_codes(el, "DisciplineDescriptor"),
        _text(el, "DisciplineDate"),
        _text(el, "ActualDisciplineActionLength", "DisciplineActionLength"),
        incidents,
        refs,
    )


def _xml_program(el: ET.Element) -> ProgramRec:
    return ProgramRec(
        _text(el, _STUDENT),
        _text(el, f"{_PROGRAM}/ProgramName"),
        _code(el, f"{_PROGRAM}/ProgramType"),
        _text(el, "BeginDate"),
        _text(el, "EndDate"),
    )


_XML_READERS: dict[str, Callable[[ET.Element], Record]] = {
    "Student": _xml_student,
    "StudentEducationOrganizationAssociation": _xml_demographic,
    "StudentDemographic": _xml_demographic,
    "StudentSchoolAssociation": _xml_enrollment,
    "Session": _xml_session,
    "CalendarDate": _xml_calendar_date,
    "StudentSchoolAttendanceEvent": _xml_attendance,
    "Assessment": _xml_assessment,
    "StudentAssessment": _xml_student_assessment,
    "DisciplineIncident": _xml_incident,
    "StudentDisciplineIncidentBehaviorAssociation": _xml_incident_link,
    "StudentDisciplineIncidentAssociation": _xml_incident_link,  # DS 3.x-4.x name
    "DisciplineAction": _xml_action,
}


def _xml_reader(tag: str) -> Callable[[ET.Element], Record] | None:
    if _PROGRAM_ELEMENT.match(tag):
        return _xml_program
    return _XML_READERS.get(tag)


# --- JSON: API resources → records ------------------------------------------------------------


def _get(resource: dict[str, Any], path: str) -> str | None:
    """The scalar at a dotted path as text (booleans as true/false), or None."""
    value: Any = resource
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip() or None


def _get_code(resource: dict[str, Any], path: str) -> str | None:
    return code_value(_get(resource, path))


def _items(resource: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = resource.get(key)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _codes(resource: dict[str, Any], key: str, inner: str) -> tuple[str, ...]:
    found = (_get_code(item, inner) for item in _items(resource, key))
    return tuple(c for c in found if c)


def _json_student(r: dict[str, Any]) -> StudentRec:
    return StudentRec(
        _get(r, "studentUniqueId"),
        _get(r, "firstName"),
        _get(r, "middleName"),
        _get(r, "lastSurname"),
        _get(r, "generationCodeSuffix"),
        _get(r, "birthDate"),
        _get_code(r, "birthSexDescriptor"),
    )


def _json_demographic(r: dict[str, Any]) -> DemographicRec:
    return DemographicRec(
        _get(r, "studentReference.studentUniqueId"),
        _get_code(r, "sexDescriptor"),
        _parse_bool(_get(r, "hispanicLatinoEthnicity")),
        _codes(r, "races", "raceDescriptor"),
        _get_code(r, "limitedEnglishProficiencyDescriptor"),
        _get_code(r, "economicDisadvantageDescriptor"),
        _codes(r, "studentCharacteristics", "studentCharacteristicDescriptor"),
        len(_codes(r, "disabilities", "disabilityDescriptor")),
        _json_ssn(r),
    )


def _json_ssn(r: dict[str, Any]) -> str | None:
    for code in r.get("studentIdentificationCodes") or []:
        system = code_value(code.get("studentIdentificationSystemDescriptor"))
        if system and system.upper() == "SSN":
            return code.get("identificationCode")
    return None


def _json_enrollment(r: dict[str, Any]) -> EnrollmentRec:
    return EnrollmentRec(
        _get(r, "studentReference.studentUniqueId"),
        _get(r, "schoolReference.schoolId"),
        _get(r, "schoolYearTypeReference.schoolYear") or _get(r, "calendarReference.schoolYear"),
        _get(r, "entryDate"),
        _get(r, "exitWithdrawDate"),
        _get_code(r, "entryGradeLevelDescriptor"),
        _get_code(r, "exitWithdrawTypeDescriptor"),
    )


def _json_session(r: dict[str, Any]) -> SessionRec:
    return SessionRec(
        _get(r, "schoolReference.schoolId"),
        _get(r, "schoolYearTypeReference.schoolYear"),
        _get(r, "beginDate"),
        _get(r, "endDate"),
        _get(r, "totalInstructionalDays"),
    )


def _json_calendar_date(r: dict[str, Any]) -> CalendarDateRec:
    return CalendarDateRec(
        _get(r, "calendarReference.schoolId"),
        _get(r, "calendarReference.schoolYear"),
        _get(r, "date"),
        _codes(r, "calendarEvents", "calendarEventDescriptor"),
    )


def _json_attendance(r: dict[str, Any]) -> AttendanceRec:
    return AttendanceRec(
        _get(r, "studentReference.studentUniqueId"),
        _get(r, "schoolReference.schoolId"),
        _get(r, "sessionReference.schoolYear"),
        _get(r, "eventDate"),
        _get_code(r, "attendanceEventCategoryDescriptor"),
        _get(r, "eventDuration"),
    )


def _json_assessment(r: dict[str, Any]) -> AssessmentRec:
    levels = tuple(
        (
            _get_code(pl, "performanceLevelDescriptor"),
            _get_code(pl, "assessmentReportingMethodDescriptor"),
            _get(pl, "minimumScore"),
            _get(pl, "maximumScore"),
        )
        for pl in _items(r, "performanceLevels")
    )
    return AssessmentRec(
        _get(r, "assessmentIdentifier"),
        _codes(r, "academicSubjects", "academicSubjectDescriptor"),
        _codes(r, "assessedGradeLevels", "gradeLevelDescriptor"),
        levels,
    )


def _json_student_assessment(r: dict[str, Any]) -> StudentAssessmentRec:
    scores = tuple(
        (_get_code(s, "assessmentReportingMethodDescriptor"), _get(s, "result"))
        for s in _items(r, "scoreResults")
    )
    levels = tuple(
        (
            _get_code(p, "performanceLevelDescriptor"),
            _get_code(p, "assessmentReportingMethodDescriptor"),
        )
        for p in _items(r, "performanceLevels")
    )
    return StudentAssessmentRec(
        _get(r, "studentReference.studentUniqueId"),
        _get(r, "assessmentReference.assessmentIdentifier"),
        _get(r, "administrationDate"),
        _get(r, "schoolYearTypeReference.schoolYear"),
        _get_code(r, "whenAssessedGradeLevelDescriptor")
        or _get_code(r, "assessedGradeLevelDescriptor"),
        scores,
        levels,
    )


def _json_incident(r: dict[str, Any]) -> IncidentRec:
    return IncidentRec(
        _get(r, "incidentIdentifier"), _get(r, "schoolReference.schoolId"), _get(r, "incidentDate")
    )


def _json_incident_link(r: dict[str, Any]) -> IncidentLinkRec:
    return IncidentLinkRec(
        _get(r, "studentReference.studentUniqueId"),
        _get(r, "disciplineIncidentReference.incidentIdentifier"),
        _get(r, "disciplineIncidentReference.schoolId"),
    )


def _json_action(r: dict[str, Any]) -> ActionRec:
    links = _items(r, "studentDisciplineIncidentBehaviorAssociations")
    references = [
        link.get("studentDisciplineIncidentBehaviorAssociationReference") for link in links
    ]
    incidents = tuple(
        (_get(ref, "incidentIdentifier"), _get(ref, "schoolId"))
        for ref in references
        if isinstance(ref, dict)
    )
    return ActionRec(
        _get(r, "studentReference.studentUniqueId"),
        _codes(r, "disciplines", "disciplineDescriptor"),
        _get(r, "disciplineDate"),
        _get(r, "actualDisciplineActionLength") or _get(r, "disciplineActionLength"),
        incidents,
    )


def _json_program(r: dict[str, Any]) -> ProgramRec:
    return ProgramRec(
        _get(r, "studentReference.studentUniqueId"),
        _get(r, "programReference.programName"),
        _get_code(r, "programReference.programTypeDescriptor"),
        _get(r, "beginDate"),
        _get(r, "endDate"),
    )


# Keyed by the resource name lower-cased without "-" or "_": students.json, student_demographics…
_JSON_READERS: dict[str, Callable[[dict[str, Any]], Record]] = {
    "students": _json_student,
    "studenteducationorganizationassociations": _json_demographic,
    "studentdemographics": _json_demographic,
    "studentschoolassociations": _json_enrollment,
    "sessions": _json_session,
    "calendardates": _json_calendar_date,
    "studentschoolattendanceevents": _json_attendance,
    "assessments": _json_assessment,
    "studentassessments": _json_student_assessment,
    "disciplineincidents": _json_incident,
    "studentdisciplineincidentbehaviorassociations": _json_incident_link,
    "disciplineactions": _json_action,
}
_REFERENCE_RESOURCES = frozenset({"students", "sessions", "calendardates", "assessments"})
_QUIET_RESOURCES = frozenset(
    {"schools", "localeducationagencies", "educationorganizations", "calendars", "programs"}
)


def _resource_name(file_name: str) -> str:
    stem = file_name.rsplit("/", 1)[-1].split(".", 1)[0]
    return stem.lower().replace("-", "").replace("_", "")


def _json_reader(resource: str) -> Callable[[dict[str, Any]], Record] | None:
    if _PROGRAM_RESOURCE.match(resource):
        return _json_program
    return _JSON_READERS.get(resource)


# --- files ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """One file to read, from a folder, a zip or on its own."""

    name: str
    open: Callable[[], IO[bytes]]
    modified: str  # ISO date: stands in for the extract date (demographics' as_of)
    suffix: str


def _sources(source: Path, stack: contextlib.ExitStack) -> Iterator[_Source | Problem]:
    """The data files in ``source``: a folder (searched recursively), a zip, or one file."""
    if source.is_dir():
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            if not path.name.startswith(".") and _suffix(path.name) in {
                ".xml",
                ".json",
                ".jsonl",
                ".zip",
            }:
                yield from _sources(path, stack)
    elif not source.exists():
        yield Problem(
            source.name, None, "", str(source), "missing_source", "no such file or folder"
        )
    elif _suffix(source.name) == ".zip":
        yield from _zip_sources(source, stack)
    elif _suffix(source.name) in {".xml", ".json", ".jsonl"}:
        modified = date.fromtimestamp(source.stat().st_mtime).isoformat()
        yield _Source(source.name, lambda: source.open("rb"), modified, _suffix(source.name))
    else:
        message = "not an Ed-Fi file: expected XML interchanges, JSON resources or a zip of them"
        yield Problem(source.name, None, "", None, "unsupported_file", message)


def _zip_sources(path: Path, stack: contextlib.ExitStack) -> Iterator[_Source | Problem]:
    try:
        archive = stack.enter_context(zipfile.ZipFile(path))
    except zipfile.BadZipFile:
        yield Problem(path.name, None, "", None, "bad_zip", "the zip file cannot be opened")
        return
    for info in sorted(archive.infolist(), key=lambda i: i.filename):
        name = info.filename.rsplit("/", 1)[-1]
        if info.is_dir() or name.startswith(".") or "__MACOSX" in info.filename:
            continue
        if _suffix(name) in {".xml", ".json", ".jsonl"}:
            modified = date(*info.date_time[:3]).isoformat()
            opener = _member_opener(archive, info)
            yield _Source(name, opener, modified, _suffix(name))


def _member_opener(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], IO[bytes]]:
    return lambda: archive.open(info)


def _suffix(name: str) -> str:
    return ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""


class _RootFound(Exception):
    """Stops expat once the root element is seen."""


def _root(source: _Source) -> str | Problem:
    """The root element's expat name (``namespace}Local``) without parsing the whole file."""
    parser = expat.ParserCreate(namespace_separator="}")
    found: list[str] = []

    def start(name: str, _attrs: dict[str, str]) -> None:
        found.append(name)
        raise _RootFound

    parser.StartElementHandler = start
    with source.open() as stream:
        try:
            while chunk := stream.read(16_384):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except _RootFound:
            return found[0]
        except expat.ExpatError as exc:
            return _malformed(source.name, exc)
    return Problem(source.name, None, "", None, "empty_file", "the file has no XML element")


def _malformed(name: str, exc: expat.ExpatError) -> Problem:
    message = f"the XML is not well-formed: {expat.ErrorString(exc.code)}"
    return Problem(name, exc.lineno, "", None, "malformed_xml", message)


def _check_root(name: str, root: str) -> Problem | None:
    """A Problem unless ``root`` is an Ed-Fi interchange of a supported Data Standard version."""
    namespace, _, local = root.rpartition("}")
    match = _NAMESPACE.match(namespace)
    if not match or not local.startswith("Interchange"):
        message = f"not an Ed-Fi interchange: the root element is {local!r} in {namespace!r}"
        return Problem(name, 1, "", local, "not_edfi_interchange", message)
    if int(match.group(1)) not in SUPPORTED_VERSIONS:
        message = f"Ed-Fi Data Standard {namespace.rsplit('/', 1)[-1]} is not supported (5.x, 6.x)"
        return Problem(name, 1, "", namespace, "unsupported_version", message)
    return None


class _EntityBuilder:
    """Expat handlers that build each top-level entity of an interchange with its start line.

    Tags lose their namespace (the root's was checked): paths below use local names only.
    """

    def __init__(self, parser: Any) -> None:
        self.parser = parser
        self.depth = 0
        self.line = 0
        self.builder: ET.TreeBuilder | None = None
        self.done: list[tuple[ET.Element, int]] = []
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.data

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth == 2:
            self.builder = ET.TreeBuilder()
            self.line = self.parser.CurrentLineNumber
        if self.builder is not None:
            self.builder.start(name.rpartition("}")[2], attrs)

    def data(self, text: str) -> None:
        if self.builder is not None:
            self.builder.data(text)

    def end(self, name: str) -> None:
        if self.builder is not None:
            self.builder.end(name.rpartition("}")[2])
            if self.depth == 2:
                self.done.append((self.builder.close(), self.line))
                self.builder = None
        self.depth -= 1


def _xml_entities(stream: IO[bytes]) -> Iterator[tuple[ET.Element, int]]:
    """Stream the entities under an interchange's root, one element (and its line) at a time."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True  # one data callback per text node, not one per line or entity
    parser.buffer_size = 65_536
    entities = _EntityBuilder(parser)
    while chunk := stream.read(65_536):
        parser.Parse(chunk, False)
        yield from entities.done
        entities.done.clear()
    parser.Parse(b"", True)
    yield from entities.done


def _read_xml(source: _Source, interchange: str) -> Iterator[tuple[Record, int] | Problem]:
    """Records from one interchange file; a warning if it held nothing backbone imports."""
    used = 0
    with source.open() as stream:
        try:
            for element, line in _xml_entities(stream):
                reader = _xml_reader(element.tag)
                if reader is not None:
                    used += 1
                    yield reader(element), line
        except expat.ExpatError as exc:
            yield _malformed(source.name, exc)
            return
    if not used and interchange not in _QUIET_INTERCHANGES:
        message = f"{interchange} holds nothing backbone imports; the file was skipped"
        yield Problem(source.name, None, "", None, "nothing_imported", message, WARNING)


def _read_json(source: _Source, resource: str) -> Iterator[tuple[Record, int] | Problem]:
    """Records from one saved API resource file: a JSON array, or JSONL one resource a line."""
    reader = _json_reader(resource)
    if reader is None:
        return
    try:
        for number, item in _json_items(source):
            if not isinstance(item, dict):
                message = "expected an Ed-Fi resource (a JSON object)"
                yield Problem(source.name, number, "", None, "not_edfi_resource", message)
                continue
            yield reader(item), number
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        yield Problem(source.name, line, "", None, "malformed_json", f"not valid JSON: {exc}")
    except _NotAnArray:
        message = "expected a JSON array of Ed-Fi resources"
        yield Problem(source.name, None, "", None, "not_edfi_resource", message)


class _NotAnArray(Exception):
    """A .json file whose top level is not an array."""


def _json_items(source: _Source) -> Iterator[tuple[int, Any]]:
    with source.open() as stream:
        if source.suffix == ".jsonl":
            for number, line in enumerate(stream, start=1):
                if line.strip():
                    yield number, json.loads(line)
            return
        data = json.load(stream)
    if not isinstance(data, list):
        raise _NotAnArray
    yield from enumerate(data, start=1)


# --- assembly: records → rows -----------------------------------------------------------------


@dataclass(frozen=True)
class _Where:
    file: str
    line: int
    modified: str


def _row(table: str, where: _Where, values: dict[str, str | None]) -> dict[str, str | int | None]:
    """A row of ``table`` with every canonical column (None when Ed-Fi has no value)."""
    row: dict[str, str | int | None] = dict.fromkeys(TABLES[table].column_names)
    row.update(values)
    row["source_row"] = where.line
    return row


class _Batches:
    """Rows waiting to be yielded, per table and file, at most ``BATCH_ROWS`` at a time."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], list[dict[str, str | int | None]]] = defaultdict(list)

    def add(self, table: str, where: _Where, values: dict[str, str | None]) -> Iterator[RowBatch]:
        rows = self.rows[(table, where.file)]
        rows.append(_row(table, where, values))
        if len(rows) >= BATCH_ROWS:
            yield _batch(table, where.file, self.rows.pop((table, where.file)))

    def flush(self) -> Iterator[RowBatch]:
        for (table, file), rows in self.rows.items():
            yield _batch(table, file, rows)
        self.rows.clear()


def _batch(table: str, file: str, rows: list[dict[str, str | int | None]]) -> RowBatch:
    return RowBatch(table, file, rows, source_fields=_SOURCE_FIELDS.get(table, {}))


@dataclass
class _Person:
    """What a Student contributes to the student's demographics row."""

    birth_year_month: str | None
    sex: str | None
    where: _Where


@dataclass
class _Demographics:
    """A student's demographics merged over the education organisations reporting them."""

    where: _Where
    sex: str | None = None
    hispanic: bool | None = None
    races: set[str] = field(default_factory=set)
    english: bool | None = None
    economic: bool | None = None
    characteristics: set[str] = field(default_factory=set)
    disability: bool = False
    economic_reported: bool = False  # an explicit EconomicDisadvantage, "Unknown" included
    ssn: str | None = None  # goes to the identity tier, never to person_demographics

    def merge(self, rec: DemographicRec) -> None:
        self.ssn = self.ssn or rec.ssn
        self.sex = self.sex or _sex(rec.sex)
        self.hispanic = _any(self.hispanic, rec.hispanic)
        self.races.update(rec.races)
        self.english = _any(self.english, _english(rec.english))
        self.economic = _any(self.economic, _economic(rec.economic))
        self.economic_reported = self.economic_reported or rec.economic is not None
        self.characteristics.update(c.lower() for c in rec.characteristics)
        self.disability = self.disability or rec.disabilities > 0

    def values(self) -> dict[str, str | None]:
        hispanic = self.hispanic
        if hispanic is None and self.races:
            hispanic = "hispanic or latino" in {r.lower() for r in self.races}
        economic = self.economic
        if economic is None and not self.economic_reported:
            economic = "economic disadvantaged" in self.characteristics
        elif "economic disadvantaged" in self.characteristics:
            economic = True
        return {
            "sex": self.sex,
            "race_ethnicity": _race_ethnicity(hispanic, self.races),
            "hispanic": _bool_text(hispanic),
            "economically_disadvantaged": _bool_text(economic),
            "english_learner": _bool_text(self.english),
            "disability": _bool_text(self.disability),
            "homeless": _bool_text("homeless" in self.characteristics),
            "foster_care": _bool_text("foster care" in self.characteristics),
        }


def _any(current: bool | None, new: bool | None) -> bool | None:
    """True if either says true, false if either says false, else unknown."""
    if current or new:
        return True
    return False if False in (current, new) else None


def _english(code: str | None) -> bool | None:
    return None if code is None else code.lower() == "limited"


def _economic(code: str | None) -> bool | None:
    return None if code is None else _ECONOMIC.get(code.lower())


@dataclass
class _Absences:
    """One student's absences at one school in one year, and where they were first seen."""

    where: _Where
    days: float = 0.0


@dataclass
class _Offence:
    """A student's part in one incident and the actions taken: action code → days removed."""

    where: _Where
    actions: dict[str | None, float | None] = field(default_factory=dict)
    action_date: str | None = None


class _Assembler:
    """Turns records into canonical rows; what needs several files is assembled at the end."""

    def __init__(self, options: ImportOptions) -> None:
        self.options = options
        self.batches = _Batches()
        self.people: dict[str, _Person] = {}
        self.identities: list[tuple[dict[str, str | None], _Where]] = []
        self.demographics: dict[str, _Demographics] = {}
        self.enrollments: dict[tuple[str | None, str | None], list[tuple[Any, ...]]] = defaultdict(
            list
        )
        self.sessions: dict[tuple[str | None, str | None], list[SessionRec]] = defaultdict(list)
        self.calendar: dict[tuple[str | None, str | None], set[str]] = defaultdict(set)
        self.absences: dict[tuple[str | None, str | None, str | None], _Absences] = {}
        self.attendance_years: set[tuple[str | None, str | None]] = set()
        self.assessments: dict[str | None, AssessmentRec] = {}
        self.incidents: dict[tuple[str | None, str | None], str | None] = {}
        self.incident_ids: dict[str, tuple[str | None, str | None]] = {}
        self.offences: dict[tuple[str | None, str | None, str | None], _Offence] = {}
        self.pending_refs: list[tuple[str | None, str, _Where, ActionRec | None]] = []
        self.unknown_codes: dict[tuple[str, str], _Where] = {}
        self.handlers: dict[type, Callable[[Any, _Where], Iterator[RowBatch | Problem]]] = {
            StudentRec: self._student,
            DemographicRec: self._demographic,
            EnrollmentRec: self._enrollment,
            SessionRec: self._session,
            CalendarDateRec: self._calendar_date,
            AttendanceRec: self._attendance,
            AssessmentRec: self._assessment,
            StudentAssessmentRec: self._student_assessment,
            IncidentRec: self._incident,
            IncidentLinkRec: self._incident_link,
            ActionRec: self._action,
            ProgramRec: self._program,
        }

    def add(self, rec: Record, where: _Where) -> Iterator[RowBatch | Problem]:
        """Take one record; yield the batches it fills and the problems it shows."""
        if not isinstance(rec, StudentRec | DemographicRec):
            yield from self._check_student(getattr(rec, "student_id", None), where)
        yield from self.handlers[type(rec)](rec, where)

    def flush(self) -> Iterator[RowBatch]:
        """Yield every row waiting: called after each file so batches hold one file's rows."""
        yield from self.batches.flush()

    def finish(self) -> Iterator[RowBatch | Problem]:
        """Rows assembled over all files (demographics, attendance, discipline), then warnings."""
        yield from self._finish_demographics()
        yield from self._finish_attendance()
        yield from self._finish_discipline()
        yield from self.batches.flush()
        yield from self._unknown_code_problems()

    def _check_student(self, student_id: str | None, where: _Where) -> Iterator[Problem]:
        # Only when a Student file was submitted: otherwise there is nothing to check against.
        if self.people and student_id is not None and student_id not in self.people:
            message = "the student is not in the submitted Student file"
            yield Problem(
                where.file, where.line, "StudentUniqueId", student_id, "unknown_student", message
            )

    def _note_unknown(self, kind: str, code: str, where: _Where) -> None:
        self.unknown_codes.setdefault((kind, code), where)

    # students and demographics

    def _student(self, rec: StudentRec, where: _Where) -> Iterator[RowBatch]:
        birth_date = _iso_date(rec.birth_date)
        birth_month = birth_date[:7] if birth_date and _DATE.match(birth_date) else None
        self.people[rec.student_id or ""] = _Person(birth_month, _sex(rec.birth_sex), where)
        values = {
            "local_id": rec.student_id,
            "first_name": rec.first_name,
            "middle_name": rec.middle_name,
            "last_name": rec.last_name,
            "name_suffix": rec.name_suffix,
            "birth_date": birth_date,
            "sex": _sex(rec.birth_sex),
            "student_id": rec.student_id,
        }
        # Written once demographics are read: an SEOA may carry the SSN.
        self.identities.append((values, where))
        yield from ()

    def _demographic(self, rec: DemographicRec, where: _Where) -> Iterator[RowBatch]:
        if not rec.is_empty():
            key = rec.student_id or ""
            self.demographics.setdefault(key, _Demographics(where)).merge(rec)
        yield from ()

    def _finish_demographics(self) -> Iterator[RowBatch | Problem]:
        for values, where in self.identities:
            demo = self.demographics.get(values["student_id"] or "")
            values["ssn"] = demo.ssn if demo else None
            yield from self.batches.add("identity_record", where, values)
        for student_id, person in self.people.items():
            demo = self.demographics.pop(student_id, None)
            values = demo.values() if demo else {}
            values["birth_year_month"] = person.birth_year_month
            values["sex"] = values.get("sex") or person.sex
            yield from self._demographics_row(
                student_id, values, demo.where if demo else person.where
            )
        for student_id, demo in self.demographics.items():  # students missing from Student
            yield from self._check_student(student_id, demo.where)
            yield from self._demographics_row(student_id, demo.values(), demo.where)

    def _demographics_row(
        self, student_id: str, values: dict[str, str | None], where: _Where
    ) -> Iterator[RowBatch]:
        values.update(local_id=student_id or None, as_of=self.options.as_of or where.modified)
        yield from self.batches.add("person_demographics", where, values)

    # enrollment and attendance

    def _enrollment(self, rec: EnrollmentRec, where: _Where) -> Iterator[RowBatch]:
        year = school_year(rec.school_year) or _year_of(rec.entry_date)
        entry, exit_date = _iso_date(rec.entry_date), _iso_date(rec.exit_date)
        self.enrollments[(rec.student_id, rec.school_id)].append((year, entry, exit_date, where))
        values = {
            "local_id": rec.student_id,
            "school_year": year,
            "school_id": rec.school_id,
            "grade": _grade(rec.grade),
            "entry_date": entry,
            "exit_date": exit_date,
            "exit_type": rec.exit_type,
        }
        yield from self.batches.add("school_enrollment", where, values)

    def _session(self, rec: SessionRec, where: _Where) -> Iterator[RowBatch]:
        self.sessions[(rec.school_id, school_year(rec.school_year))].append(rec)
        yield from ()

    def _calendar_date(self, rec: CalendarDateRec, where: _Where) -> Iterator[RowBatch]:
        day = _iso_date(rec.day)
        if day and any(e.lower() == "instructional day" for e in rec.events):
            year = school_year(rec.school_year) or _year_of(day)
            self.calendar[(rec.school_id, year)].add(day)
        yield from ()

    def _attendance(self, rec: AttendanceRec, where: _Where) -> Iterator[RowBatch | Problem]:
        day = _iso_date(rec.day)
        year = school_year(rec.school_year) or _year_of(day)
        key = (rec.student_id, rec.school_id, year)
        absences = self.absences.setdefault(key, _Absences(where))
        self.attendance_years.add((rec.school_id, year))
        category = (rec.category or "").lower()
        if category in ABSENCE_CATEGORIES:
            yield from self._absence(rec, absences, where)
        elif category not in NOT_ABSENCE_CATEGORIES:
            self._note_unknown("attendance category", rec.category or "", where)

    def _absence(self, rec: AttendanceRec, absences: _Absences, where: _Where) -> Iterator[Problem]:
        days = _number(rec.duration) if rec.duration is not None else 1.0
        if days is None:
            message = "EventDuration is not a number; the absence counts as one day"
            yield Problem(
                where.file, where.line, "EventDuration", rec.duration, "invalid_number", message
            )
            days = 1.0
        absences.days += days

    def _finish_attendance(self) -> Iterator[RowBatch | Problem]:
        self._add_enrolled_without_events()
        assumed: set[str | None] = set()
        days = _InstructionalDays(self.calendar, self.sessions)
        for (student, school, year), absences in self.absences.items():
            windows = self._windows(student, school, year)
            if windows is None:
                assumed.add(student)
            enrolled = days.count(school, year, windows)
            values = {
                "local_id": student,
                "school_year": year,
                "school_id": school,
                "days_enrolled": _number_text(enrolled) if enrolled is not None else None,
                "days_absent": _number_text(absences.days),
            }
            yield from self.batches.add("attendance", absences.where, values)
        yield from self._attendance_problems(assumed, days)

    def _add_enrolled_without_events(self) -> None:
        # Exception-only attendance: an enrolled student with no events was never absent.
        for (student, school), stays in self.enrollments.items():
            for year, _entry, _exit, where in stays:
                if (school, year) in self.attendance_years:
                    self.absences.setdefault((student, school, year), _Absences(where))

    def _windows(
        self, student: str | None, school: str | None, year: str | None
    ) -> list[tuple[str | None, str | None]] | None:
        stays = self.enrollments.get((student, school), [])
        windows = [(entry, exit_date) for y, entry, exit_date, _ in stays if y == year]
        return windows or None

    def _attendance_problems(
        self, assumed: set[str | None], days: _InstructionalDays
    ) -> Iterator[Problem]:
        files = sorted({a.where.file for a in self.absences.values()})
        if assumed:
            message = (
                f"{len(assumed)} students have attendance events but no StudentSchoolAssociation; "
                "they were assumed enrolled for the whole school year"
            )
            yield Problem(", ".join(files), None, "days_enrolled", None,
                          "assumed_full_year_enrollment", message, WARNING)  # fmt: skip
        yield from days.problems(", ".join(files))

    # assessments

    def _assessment(self, rec: AssessmentRec, where: _Where) -> Iterator[RowBatch]:
        self.assessments[rec.assessment_id] = rec
        yield from ()

    def _student_assessment(self, rec: StudentAssessmentRec, where: _Where) -> Iterator[RowBatch]:
        meta = self.assessments.get(rec.assessment_id)
        level = next((lv for lv, _ in rec.levels if lv), None) or _level_from_cuts(rec, meta)
        administered = _iso_date(rec.administration_date)
        grade = rec.grade or (meta.grades[0] if meta and len(meta.grades) == 1 else None)
        values = {
            "local_id": rec.student_id,
            "school_year": school_year(rec.school_year) or _year_of(administered),
            "assessment_id": rec.assessment_id,
            "administration_date": administered,
            "subject": meta.subjects[0] if meta and meta.subjects else None,
            "grade": _grade(grade),
            "scale_score": _scale_score(rec.scores),
            "performance_level": level,
            "proficient": self._proficient(level, where),
        }
        yield from self.batches.add("assessment", where, values)

    def _proficient(self, level: str | None, where: _Where) -> str | None:
        if level is None:
            return None
        crosswalk = self.options.value_crosswalks.get("proficient", {})
        if level in crosswalk:
            return crosswalk[level]
        if level.lower() in PROFICIENT_LEVELS:
            return "true"
        if level.lower() in NOT_PROFICIENT_LEVELS:
            return "false"
        self._note_unknown("performance level", level, where)
        return None

    # discipline

    def _incident(self, rec: IncidentRec, where: _Where) -> Iterator[RowBatch]:
        self.incidents[(rec.school_id, rec.incident_id)] = _iso_date(rec.incident_date)
        if rec.xml_id:
            self.incident_ids[rec.xml_id] = (rec.school_id, rec.incident_id)
        yield from ()

    def _incident_link(self, rec: IncidentLinkRec, where: _Where) -> Iterator[RowBatch]:
        if rec.incident_id is None and rec.xml_ref:
            self.pending_refs.append((rec.student_id, rec.xml_ref, where, None))  # resolved later
        else:
            self._offence(rec.student_id, rec.school_id, rec.incident_id, where)
        yield from ()

    def _action(self, rec: ActionRec, where: _Where) -> Iterator[RowBatch]:
        for incident_id, school_id in rec.incidents or ((None, None),):
            if incident_id is None and rec.xml_refs:
                continue
            self._take_action(self._offence(rec.student_id, school_id, incident_id, where), rec)
        for ref in rec.xml_refs:
            self.pending_refs.append((rec.student_id, ref, where, rec))
        yield from ()

    def _offence(
        self, student: str | None, school: str | None, incident: str | None, where: _Where
    ) -> _Offence:
        return self.offences.setdefault((student, school, incident), _Offence(where))

    @staticmethod
    def _take_action(offence: _Offence, rec: ActionRec) -> None:
        days = _number(rec.days)
        offence.action_date = offence.action_date or _iso_date(rec.action_date)
        for action in rec.actions or (None,):
            before = offence.actions.get(action)
            summed = None if before is None and days is None else (before or 0.0) + (days or 0.0)
            offence.actions[action] = summed

    def _resolve_refs(self) -> Iterator[Problem]:
        for student, ref, where, action in self.pending_refs:
            school, incident = self.incident_ids.get(ref, (None, None))
            if incident is None:
                message = f"no DisciplineIncident with id {ref!r} in the submitted files"
                yield Problem(where.file, where.line, "DisciplineIncidentReference", ref,
                              "unknown_incident", message)  # fmt: skip
            offence = self._offence(student, school, incident, where)
            if action is not None:
                self._take_action(offence, action)

    def _finish_discipline(self) -> Iterator[RowBatch | Problem]:
        yield from self._resolve_refs()
        for (student, school, incident), offence in self.offences.items():
            when = self.incidents.get((school, incident)) or offence.action_date
            for action, days in (offence.actions or {None: None}).items():
                values = {
                    "local_id": student,
                    "school_year": _year_of(when),
                    "incident_id": incident,
                    "incident_date": when,
                    "action": action,
                    "days_removed": _number_text(days) if days is not None else None,
                }
                yield from self.batches.add("discipline", offence.where, values)

    # programs

    def _program(self, rec: ProgramRec, where: _Where) -> Iterator[RowBatch]:
        values = {
            "local_id": rec.student_id,
            "program": rec.program,
            "service_type": rec.program_type,
            "start_date": _iso_date(rec.begin),
            "end_date": _iso_date(rec.end),
        }
        yield from self.batches.add("program_participation", where, values)

    def _unknown_code_problems(self) -> Iterator[Problem]:
        for (kind, code), where in self.unknown_codes.items():
            message = f"unrecognised {kind} {code!r}: not counted (first seen here)"
            yield Problem(where.file, where.line, kind, code, f"unknown_{kind.replace(' ', '_')}",
                          message, WARNING)  # fmt: skip


def _scale_score(scores: Iterable[tuple[str | None, str | None]]) -> str | None:
    by_method = {(method or "").lower(): result for method, result in scores}
    return next((by_method[m] for m in SCALE_SCORE_METHODS if by_method.get(m)), None)


def _level_from_cuts(rec: StudentAssessmentRec, meta: AssessmentRec | None) -> str | None:
    """The performance level whose cut-score range holds the student's result (highest wins)."""
    if meta is None:
        return None
    results = {(m or "").lower(): _number(r) for m, r in rec.scores}
    best: tuple[float, str] | None = None
    for level, method, low, high in meta.levels:
        score = results.get((method or "").lower())
        if level is None or score is None:
            continue
        minimum, maximum = _number(low), _number(high)
        fits = (minimum is None or score >= minimum) and (maximum is None or score <= maximum)
        floor = minimum if minimum is not None else float("-inf")
        if fits and (best is None or floor > best[0]):
            best = (floor, level)
    return best[1] if best else None


class _InstructionalDays:
    """A school's instructional days in a year, from its calendar or, failing that, sessions."""

    def __init__(
        self,
        calendar: dict[tuple[str | None, str | None], set[str]],
        sessions: dict[tuple[str | None, str | None], list[SessionRec]],
    ) -> None:
        self.calendar = {key: sorted(days) for key, days in calendar.items()}
        self.sessions = sessions
        self.from_sessions: dict[tuple[str | None, str | None], tuple[int, float]] = {}
        self.missing: set[tuple[str | None, str | None]] = set()

    def count(
        self,
        school: str | None,
        year: str | None,
        windows: list[tuple[str | None, str | None]] | None,
    ) -> float | None:
        """Instructional days within ``windows`` ([entry, exit] pairs; None = the whole year)."""
        dates = self.calendar.get((school, year), [])
        sessions = self.sessions.get((school, year), [])
        total = _session_total(sessions)
        if dates and (total is None or len(dates) >= total):
            return float(sum(_dates_within(dates, w) for w in windows or [(None, None)]))
        if total is not None:
            self.from_sessions[(school, year)] = (len(dates), total)
            return total if windows is None else _session_days(sessions, windows)
        self.missing.add((school, year))
        return None

    def problems(self, files: str) -> Iterator[Problem]:
        if self.from_sessions:
            listed = "; ".join(
                f"school {s} {y}: {n} calendar days, sessions {_number_text(t)}"
                for (s, y), (n, t) in sorted(self.from_sessions.items(), key=str)
            )
            message = f"instructional days taken from Session TotalInstructionalDays ({listed})"
            yield Problem(files, None, "days_enrolled", None, "instructional_days_from_sessions",
                          message, WARNING)  # fmt: skip
        if self.missing:
            listed = "; ".join(f"school {s} {y}" for s, y in sorted(self.missing, key=str))
            message = f"no calendar dates or sessions, so days enrolled are unknown ({listed})"
            yield Problem(files, None, "days_enrolled", None, "no_instructional_days", message)


def _session_total(sessions: list[SessionRec]) -> float | None:
    totals = [_number(s.total_days) for s in sessions]
    if not totals or any(t is None for t in totals):
        return None
    return float(sum(t for t in totals if t is not None))


def _dates_within(dates: list[str], window: tuple[str | None, str | None]) -> int:
    start = bisect.bisect_left(dates, window[0]) if window[0] else 0
    end = bisect.bisect_right(dates, window[1]) if window[1] else len(dates)
    return max(end - start, 0)


def _session_days(
    sessions: list[SessionRec], windows: list[tuple[str | None, str | None]]
) -> float:
    """Sessions' instructional days pro-rated by the weekdays of each session a window covers."""
    days = 0.0
    for session in sessions:
        begin, end = _as_date(session.begin), _as_date(session.end)
        if begin is None or end is None:
            continue
        length = _weekdays(begin, end) or 1
        for entry, exit_date in windows:
            low = max(begin, _as_date(entry) or begin)
            high = min(end, _as_date(exit_date) or end)
            days += float(_number(session.total_days) or 0) * _weekdays(low, high) / length
    return days


def _as_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _weekdays(start: date, end: date) -> int:
    """Monday-to-Friday days from ``start`` to ``end`` inclusive."""
    if end < start:
        return 0
    weeks, extra = divmod((end - start).days + 1, 7)
    tail = sum(1 for i in range(extra) if (start + timedelta(days=i)).weekday() < 5)
    return weeks * 5 + tail


# --- the importer -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """A file identified as Ed-Fi, with the order it is read in (reference files first)."""

    phase: int
    source: _Source
    read: Callable[[], Iterator[tuple[Record, int] | Problem]]


def _plan(source: _Source) -> _Plan | Problem | None:
    """How to read one file, a Problem if it is not Ed-Fi, None if it is Ed-Fi but unused."""
    if source.suffix == ".xml":
        root = _root(source)
        if isinstance(root, Problem):
            return root
        problem = _check_root(source.name, root)
        if problem:
            return problem
        interchange = root.rpartition("}")[2]
        phase = 0 if interchange in _REFERENCE_INTERCHANGES else 1
        return _Plan(phase, source, lambda: _read_xml(source, interchange))
    return _plan_json(source)


def _plan_json(source: _Source) -> _Plan | Problem | None:
    resource = _resource_name(source.name)
    if _json_reader(resource) is not None:
        phase = 0 if resource in _REFERENCE_RESOURCES else 1
        return _Plan(phase, source, lambda: _read_json(source, resource))
    if resource in _QUIET_RESOURCES or resource.endswith("descriptors"):
        return None
    message = "not an Ed-Fi resource backbone imports (named like students.json); skipped"
    return Problem(source.name, None, "", None, "unknown_resource", message, WARNING)


def read(source: Path, options: ImportOptions) -> ImportStream:
    """Read Ed-Fi data into batches of canonical rows and the problems found.

    ``source`` is a folder of interchange XML files and/or saved API JSON resources, one such
    file, or a zip of them. Rows are yielded per table and file, at most ``BATCH_ROWS`` a batch;
    rows that need several files (demographics, attendance, discipline) come at the end.
    """
    assembler = _Assembler(options)
    with contextlib.ExitStack() as stack:
        plans: list[_Plan] = []
        for item in _sources(Path(source), stack):
            planned = _plan(item) if isinstance(item, _Source) else item
            if isinstance(planned, Problem):
                yield planned
            elif planned is not None:
                plans.append(planned)
        for done, plan in enumerate(sorted(plans, key=lambda p: p.phase)):
            yield from _read_plan(plan, assembler, done / len(plans))
        for out in assembler.finish():
            if isinstance(out, RowBatch):
                out.progress = 1.0  # everything has been read by now
            yield out


def _read_plan(plan: _Plan, assembler: _Assembler, progress: float) -> ImportStream:
    """One file's records through the assembler; batches report the share of files begun."""
    for item in plan.read():
        if isinstance(item, Problem):
            yield item
            continue
        record, line = item
        where = _Where(plan.source.name, line, plan.source.modified)
        for out in assembler.add(record, where):
            if isinstance(out, RowBatch):
                out.progress = progress
            yield out
    for batch in assembler.flush():
        batch.progress = progress
        yield batch
