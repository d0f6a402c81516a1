"""Ed-Fi students, their demographics and school enrolments → ``identity_record``,
``person_demographics`` and ``school_enrollment`` rows.

Students
    One ``identity_record`` per Student, its SSN taken from a StudentIdentificationCode of the
    SSN system on the student's demographics entity, where collected. One ``school_enrollment``
    per StudentSchoolAssociation.

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

>>> demo = Demographics(Where("x.xml", 1, "2024-06-30"))
>>> demo.merge(DemographicRec("1", None, False, ("White", "Asian"), "Limited", None, (), 0))
>>> demo.values()["race_ethnicity"], demo.values()["english_learner"]
('Two or more races', 'true')
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

from backbone.intake.importers.edfi.assembly import Context, Handler, Where
from backbone.intake.importers.edfi.descriptors import (
    DATE,
    bool_text,
    code_value,
    grade_code,
    iso_date,
    parse_bool,
    race_ethnicity,
    school_year,
    sex_code,
    year_of,
)
from backbone.intake.importers.edfi.fields import (
    CALENDAR,
    SCHOOL,
    STUDENT,
    json_code,
    json_codes,
    json_text,
    xml_code,
    xml_leaf_codes,
    xml_text,
)
from backbone.warehouse.records import Problem, RowBatch

ECONOMIC = {
    "not qualified as economically disadvantaged": False,
    "eligible for free meals": True,
    "eligible for reduced-price meals": True,
    "other economic disadvantage": True,
}
# (student, school) → its stays: (school year, entry date, exit date, where), in reading order.
Stays = dict[tuple[str | None, str | None], list[tuple[Any, ...]]]


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


# --- XML elements → records -------------------------------------------------------------------


def xml_student(el: ET.Element) -> StudentRec:
    return StudentRec(
        xml_text(el, "StudentUniqueId"),
        xml_text(el, "Name/FirstName"),
        xml_text(el, "Name/MiddleName"),
        xml_text(el, "Name/LastSurname"),
        xml_text(el, "Name/GenerationCodeSuffix"),
        xml_text(el, "BirthData/BirthDate", "BirthDate"),
        xml_code(el, "BirthData/BirthSex") or xml_code(el, "BirthSex"),
    )


def xml_demographic(el: ET.Element) -> DemographicRec:
    return DemographicRec(
        xml_text(el, STUDENT),
        xml_code(el, "Sex"),
        parse_bool(xml_text(el, "HispanicLatinoEthnicity")),
        xml_leaf_codes(el, "Race") + xml_leaf_codes(el, "RaceDescriptor"),
        xml_code(el, "LimitedEnglishProficiency"),
        xml_code(el, "EconomicDisadvantage"),
        xml_leaf_codes(el, "StudentCharacteristic")
        + xml_leaf_codes(el, "StudentCharacteristicDescriptor"),
        len(xml_leaf_codes(el, "Disability") + xml_leaf_codes(el, "DisabilityDescriptor")),
        _xml_ssn(el),
    )


def _xml_ssn(el: ET.Element) -> str | None:
    """The identification code assigned under the SSN identification system, if any."""
    for code in el.iter("StudentIdentificationCode"):
        system = xml_code(code, "StudentIdentificationSystem")
        if system and system.upper() == "SSN":
            return xml_text(code, "IdentificationCode")
    return None


def xml_enrollment(el: ET.Element) -> EnrollmentRec:
    return EnrollmentRec(
        xml_text(el, STUDENT),
        xml_text(el, SCHOOL),
        xml_text(el, "SchoolYear", f"{CALENDAR}/SchoolYear"),
        xml_text(el, "EntryDate"),
        xml_text(el, "ExitWithdrawDate"),
        xml_code(el, "EntryGradeLevel"),
        xml_code(el, "ExitWithdrawType"),
    )


XML_READERS: dict[str, Callable[[ET.Element], Any]] = {
    "Student": xml_student,
    "StudentEducationOrganizationAssociation": xml_demographic,
    "StudentDemographic": xml_demographic,
    "StudentSchoolAssociation": xml_enrollment,
}


# --- API JSON resources → records -------------------------------------------------------------


def json_student(r: dict[str, Any]) -> StudentRec:
    return StudentRec(
        json_text(r, "studentUniqueId"),
        json_text(r, "firstName"),
        json_text(r, "middleName"),
        json_text(r, "lastSurname"),
        json_text(r, "generationCodeSuffix"),
        json_text(r, "birthDate"),
        json_code(r, "birthSexDescriptor"),
    )


def json_demographic(r: dict[str, Any]) -> DemographicRec:
    return DemographicRec(
        json_text(r, "studentReference.studentUniqueId"),
        json_code(r, "sexDescriptor"),
        parse_bool(json_text(r, "hispanicLatinoEthnicity")),
        json_codes(r, "races", "raceDescriptor"),
        json_code(r, "limitedEnglishProficiencyDescriptor"),
        json_code(r, "economicDisadvantageDescriptor"),
        json_codes(r, "studentCharacteristics", "studentCharacteristicDescriptor"),
        len(json_codes(r, "disabilities", "disabilityDescriptor")),
        _json_ssn(r),
    )


def _json_ssn(r: dict[str, Any]) -> str | None:
    for code in r.get("studentIdentificationCodes") or []:
        system = code_value(code.get("studentIdentificationSystemDescriptor"))
        if system and system.upper() == "SSN":
            return code.get("identificationCode")
    return None


def json_enrollment(r: dict[str, Any]) -> EnrollmentRec:
    return EnrollmentRec(
        json_text(r, "studentReference.studentUniqueId"),
        json_text(r, "schoolReference.schoolId"),
        json_text(r, "schoolYearTypeReference.schoolYear")
        or json_text(r, "calendarReference.schoolYear"),
        json_text(r, "entryDate"),
        json_text(r, "exitWithdrawDate"),
        json_code(r, "entryGradeLevelDescriptor"),
        json_code(r, "exitWithdrawTypeDescriptor"),
    )


# Keyed by the resource name lower-cased without "-" or "_": students.json, student_demographics…
JSON_READERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "students": json_student,
    "studenteducationorganizationassociations": json_demographic,
    "studentdemographics": json_demographic,
    "studentschoolassociations": json_enrollment,
}


# --- records → rows ---------------------------------------------------------------------------


@dataclass
class Person:
    """What a Student contributes to the student's demographics row."""

    birth_year_month: str | None
    sex: str | None
    where: Where


@dataclass
class Demographics:
    """A student's demographics merged over the education organisations reporting them."""

    where: Where
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
        self.sex = self.sex or sex_code(rec.sex)
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
            "race_ethnicity": race_ethnicity(hispanic, self.races),
            "hispanic": bool_text(hispanic),
            "economically_disadvantaged": bool_text(economic),
            "english_learner": bool_text(self.english),
            "disability": bool_text(self.disability),
            "homeless": bool_text("homeless" in self.characteristics),
            "foster_care": bool_text("foster care" in self.characteristics),
        }


def _any(current: bool | None, new: bool | None) -> bool | None:
    """True if either says true, false if either says false, else unknown."""
    if current or new:
        return True
    return False if False in (current, new) else None


def _english(code: str | None) -> bool | None:
    return None if code is None else code.lower() == "limited"


def _economic(code: str | None) -> bool | None:
    return None if code is None else ECONOMIC.get(code.lower())


class Students:
    """Students, demographics and enrolments; identity and demographics rows come at the end,
    once every education organisation's demographics (and SSN) have been read."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.people: dict[str, Person] = {}
        self.identities: list[tuple[dict[str, str | None], Where]] = []
        self.demographics: dict[str, Demographics] = {}
        self.enrollments: Stays = defaultdict(list)

    def handlers(self) -> dict[type, Handler]:
        return {
            StudentRec: self._student,
            DemographicRec: self._demographic,
            EnrollmentRec: self._enrollment,
        }

    def _student(self, rec: StudentRec, where: Where) -> Iterator[RowBatch]:
        birth_date = iso_date(rec.birth_date)
        birth_month = birth_date[:7] if birth_date and DATE.match(birth_date) else None
        self.people[rec.student_id or ""] = Person(birth_month, sex_code(rec.birth_sex), where)
        self.context.students.add(rec.student_id or "")
        values = {
            "local_id": rec.student_id,
            "first_name": rec.first_name,
            "middle_name": rec.middle_name,
            "last_name": rec.last_name,
            "name_suffix": rec.name_suffix,
            "birth_date": birth_date,
            "sex": sex_code(rec.birth_sex),
            "student_id": rec.student_id,
        }
        # Written once demographics are read: an SEOA may carry the SSN.
        self.identities.append((values, where))
        yield from ()

    def _demographic(self, rec: DemographicRec, where: Where) -> Iterator[RowBatch]:
        if not rec.is_empty():
            key = rec.student_id or ""
            self.demographics.setdefault(key, Demographics(where)).merge(rec)
        yield from ()

    def finish(self) -> Iterator[RowBatch | Problem]:
        """Identity rows with their SSNs, then one demographics row per student."""
        batches = self.context.batches
        for values, where in self.identities:
            demo = self.demographics.get(values["student_id"] or "")
            values["ssn"] = demo.ssn if demo else None
            # Race too: linkage compares it where another partner recorded it (HMIS).
            values["race_ethnicity"] = demo.values()["race_ethnicity"] if demo else None
            yield from batches.add("identity_record", where, values)
        for student_id, person in self.people.items():
            demo = self.demographics.pop(student_id, None)
            values = demo.values() if demo else {}
            values["birth_year_month"] = person.birth_year_month
            values["sex"] = values.get("sex") or person.sex
            yield from self._demographics_row(
                student_id, values, demo.where if demo else person.where
            )
        for student_id, demo in self.demographics.items():  # students missing from Student
            yield from self.context.check_student(student_id, demo.where)
            yield from self._demographics_row(student_id, demo.values(), demo.where)

    def _demographics_row(
        self, student_id: str, values: dict[str, str | None], where: Where
    ) -> Iterator[RowBatch]:
        as_of = self.context.options.as_of or where.modified
        values.update(local_id=student_id or None, as_of=as_of)
        yield from self.context.batches.add("person_demographics", where, values)

    def _enrollment(self, rec: EnrollmentRec, where: Where) -> Iterator[RowBatch]:
        year = school_year(rec.school_year) or year_of(rec.entry_date)
        entry, exit_date = iso_date(rec.entry_date), iso_date(rec.exit_date)
        self.enrollments[(rec.student_id, rec.school_id)].append((year, entry, exit_date, where))
        values = {
            "local_id": rec.student_id,
            "school_year": year,
            "school_id": rec.school_id,
            "grade": grade_code(rec.grade),
            "entry_date": entry,
            "exit_date": exit_date,
            "exit_type": rec.exit_type,
        }
        yield from self.context.batches.add("school_enrollment", where, values)
