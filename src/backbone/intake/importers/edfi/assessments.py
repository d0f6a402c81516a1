"""Ed-Fi assessments and student assessments → ``assessment`` rows.

``scale_score`` is the ScoreResult whose reporting method is "Scale score", else "Vertical
score" (STAAR's vertical scale score, the scale score of the Grand Bend state assessments); raw
scores and Lexile measures are not scale scores. ``performance_level`` is the student's own
overall PerformanceLevel if present, else derived from the Assessment's cut scores
(AssessmentPerformanceLevel Minimum/MaximumScore, compared with the student's result for the
same reporting method); as cut ranges may nest (Grand Bend: "Met Standard" 29-50 contains
"Advanced" 45-50) the matching level with the highest minimum wins. ``proficient`` is true for
the levels in ``PROFICIENT_LEVELS`` (Grand Bend uses "Met Standard" and "Advanced"), false for
those in ``NOT_PROFICIENT_LEVELS`` ("Did Not Meet Standard"), and empty with one warning per
other level; ``options.value_crosswalks["proficient"]`` (level → "true"/"false") overrides
both. ``subject`` is the Assessment's first AcademicSubject; ``grade`` the student's
WhenAssessedGradeLevel, else the Assessment's only AssessedGradeLevel.

>>> scale_score([("Raw score", "31"), ("Vertical score", "1480")])
'1480'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

from backbone.intake.importers.edfi.assembly import Context, Handler, Where
from backbone.intake.importers.edfi.descriptors import (
    code_value,
    grade_code,
    iso_date,
    number,
    school_year,
    year_of,
)
from backbone.intake.importers.edfi.fields import (
    STUDENT,
    json_code,
    json_codes,
    json_items,
    json_text,
    xml_code,
    xml_text,
)
from backbone.warehouse.records import RowBatch

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


# --- XML elements and API JSON resources → records --------------------------------------------


def xml_assessment(el: ET.Element) -> AssessmentRec:
    levels = tuple(
        (
            xml_code(pl, "PerformanceLevel"),
            xml_code(pl, "AssessmentReportingMethod"),
            xml_text(pl, "MinimumScore"),
            xml_text(pl, "MaximumScore"),
        )
        for pl in el.findall("AssessmentPerformanceLevel")
    )
    subjects = [code_value(s.text) for s in el.findall("AcademicSubject")]
    grades = [code_value(g.text) for g in el.findall("AssessedGradeLevel")]
    return AssessmentRec(
        xml_text(el, "AssessmentIdentifier"),
        tuple(s for s in subjects if s),
        tuple(g for g in grades if g),
        levels,
    )


def xml_student_assessment(el: ET.Element) -> StudentAssessmentRec:
    # Direct children only: StudentObjectiveAssessment scores and levels are not the test's.
    scores = tuple(
        (xml_code(s, "AssessmentReportingMethod"), xml_text(s, "Result"))
        for s in el.findall("ScoreResult")
    )
    levels = tuple(
        (xml_code(p, "PerformanceLevel"), xml_code(p, "AssessmentReportingMethod"))
        for p in el.findall("PerformanceLevel")
    )
    return StudentAssessmentRec(
        xml_text(el, STUDENT),
        xml_text(el, "AssessmentReference/AssessmentIdentity/AssessmentIdentifier"),
        xml_text(el, "AdministrationDate"),
        xml_text(el, "SchoolYear"),
        xml_code(el, "WhenAssessedGradeLevel") or xml_code(el, "AssessedGradeLevel"),
        scores,
        levels,
    )


def json_assessment(r: dict[str, Any]) -> AssessmentRec:
    levels = tuple(
        (
            json_code(pl, "performanceLevelDescriptor"),
            json_code(pl, "assessmentReportingMethodDescriptor"),
            json_text(pl, "minimumScore"),
            json_text(pl, "maximumScore"),
        )
        for pl in json_items(r, "performanceLevels")
    )
    return AssessmentRec(
        json_text(r, "assessmentIdentifier"),
        json_codes(r, "academicSubjects", "academicSubjectDescriptor"),
        json_codes(r, "assessedGradeLevels", "gradeLevelDescriptor"),
        levels,
    )


def json_student_assessment(r: dict[str, Any]) -> StudentAssessmentRec:
    scores = tuple(
        (json_code(s, "assessmentReportingMethodDescriptor"), json_text(s, "result"))
        for s in json_items(r, "scoreResults")
    )
    levels = tuple(
        (
            json_code(p, "performanceLevelDescriptor"),
            json_code(p, "assessmentReportingMethodDescriptor"),
        )
        for p in json_items(r, "performanceLevels")
    )
    return StudentAssessmentRec(
        json_text(r, "studentReference.studentUniqueId"),
        json_text(r, "assessmentReference.assessmentIdentifier"),
        json_text(r, "administrationDate"),
        json_text(r, "schoolYearTypeReference.schoolYear"),
        json_code(r, "whenAssessedGradeLevelDescriptor")
        or json_code(r, "assessedGradeLevelDescriptor"),
        scores,
        levels,
    )


XML_READERS: dict[str, Callable[[ET.Element], Any]] = {
    "Assessment": xml_assessment,
    "StudentAssessment": xml_student_assessment,
}
JSON_READERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "assessments": json_assessment,
    "studentassessments": json_student_assessment,
}


# --- records → rows ---------------------------------------------------------------------------


class Assessments:
    """Assessment metadata (read first, with the reference files) and one row per result."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.assessments: dict[str | None, AssessmentRec] = {}

    def handlers(self) -> dict[type, Handler]:
        return {AssessmentRec: self._assessment, StudentAssessmentRec: self._student_assessment}

    def _assessment(self, rec: AssessmentRec, where: Where) -> Iterator[RowBatch]:
        self.assessments[rec.assessment_id] = rec
        yield from ()

    def _student_assessment(self, rec: StudentAssessmentRec, where: Where) -> Iterator[RowBatch]:
        meta = self.assessments.get(rec.assessment_id)
        level = next((lv for lv, _ in rec.levels if lv), None) or level_from_cuts(rec, meta)
        administered = iso_date(rec.administration_date)
        grade = rec.grade or (meta.grades[0] if meta and len(meta.grades) == 1 else None)
        values = {
            "local_id": rec.student_id,
            "school_year": school_year(rec.school_year) or year_of(administered),
            "assessment_id": rec.assessment_id,
            "administration_date": administered,
            "subject": meta.subjects[0] if meta and meta.subjects else None,
            "grade": grade_code(grade),
            "scale_score": scale_score(rec.scores),
            "performance_level": level,
            "proficient": self._proficient(level, where),
        }
        yield from self.context.batches.add("assessment", where, values)

    def _proficient(self, level: str | None, where: Where) -> str | None:
        if level is None:
            return None
        crosswalk = self.context.options.value_crosswalks.get("proficient", {})
        if level in crosswalk:
            return crosswalk[level]
        if level.lower() in PROFICIENT_LEVELS:
            return "true"
        if level.lower() in NOT_PROFICIENT_LEVELS:
            return "false"
        self.context.note_unknown("performance level", level, where)
        return None


def scale_score(scores: Iterable[tuple[str | None, str | None]]) -> str | None:
    """The result reported as "Scale score", else as "Vertical score"; None without either."""
    by_method = {(method or "").lower(): result for method, result in scores}
    return next((by_method[m] for m in SCALE_SCORE_METHODS if by_method.get(m)), None)


def level_from_cuts(rec: StudentAssessmentRec, meta: AssessmentRec | None) -> str | None:
    """The performance level whose cut-score range holds the student's result (highest wins)."""
    if meta is None:
        return None
    results = {(m or "").lower(): number(r) for m, r in rec.scores}
    best: tuple[float, str] | None = None
    for level, method, low, high in meta.levels:
        score = results.get((method or "").lower())
        if level is None or score is None:
            continue
        minimum, maximum = number(low), number(high)
        fits = (minimum is None or score >= minimum) and (maximum is None or score <= maximum)
        floor = minimum if minimum is not None else float("-inf")
        if fits and (best is None or floor > best[0]):
            best = (floor, level)
    return best[1] if best else None
