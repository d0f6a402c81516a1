"""The kindergarten entry assessment: a fall readiness screen of every kindergartener, sent by
the district as Ed-Fi AssessmentMetadata and StudentAssessment in its own zip per school year.

Scores follow the city's model (ability, neighbourhood school effect, disadvantage, English
learner and disability gaps, ``params.KEA_*``) but are drawn from their own random stream, so
adding the assessment changed none of the city's other files. The zip carries no Student or
demographics interchange: the district's yearly zip already describes every kindergartener,
and the assessment office sends results only. Its period is the month the window closes
(``2021-10``), so it never replaces the school year's main submission.
"""

from __future__ import annotations

import datetime as dt
import random
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from backbone.demo.city import params as p
from backbone.demo.city.calendar import school_year
from backbone.demo.city.edfi_files import CONTRACT, PARTNER, _document, _student_ref, d
from backbone.demo.city.files import Sink, zip_info
from backbone.demo.city.world import Person, World

ASSESSMENT_ID = "RIV-KRA"
NAMESPACE = "uri://riverton.example.org/Assessment"
SUBJECT = "Composite"  # Ed-Fi AcademicSubject of an overall readiness score
METADATA_FILE = "AssessmentMetadata-KindergartenReadiness.xml"
RESULTS_FILE = "StudentAssessment-KindergartenReadiness.xml"
# How the partnership reads the assessment's levels (Ed-Fi importer value crosswalk).
PROFICIENT_CROSSWALK = {name: str(name == p.KEA_READY_LEVEL).lower() for name, _, _ in p.KEA_LEVELS}


@dataclass(frozen=True)
class ReadinessResult:
    """One kindergartener's fall screen."""

    child: Person
    school_year: int
    administered: dt.date
    score: int
    level: str


def assess(world: World, rng: random.Random) -> list[ReadinessResult]:
    """Every kindergartener enrolled on their administration day, bar a few absent or exempt."""
    results = []
    for child in world.children:
        for year, record in sorted(child.years.items()):
            if record.grade != 0:
                continue
            day = school_year(year).days[rng.randrange(p.KEA_WINDOW_DAYS)]
            assessed = rng.random() < p.KEA_ASSESSED_SHARE
            score = readiness_score(child, rng)
            if assessed and record.entry <= day <= record.exit:
                results.append(ReadinessResult(child, year, day, score, readiness_level(score)))
    return results


def readiness_score(child: Person, rng: random.Random) -> int:
    """Composite scale score: ability, neighbourhood school, the city's gaps and noise."""
    gaps = p.KEA_GAPS
    score = p.KEA_MEAN + p.KEA_SD_ABILITY * child.ability
    score += p.KEA_NEIGHBOURHOOD_SCALE * p.NEIGHBOURHOODS[child.household.hood][3]
    score += gaps["economically_disadvantaged"] if child.household.econ else 0.0
    score += gaps["english_learner"] if child.english_learner else 0.0
    score += gaps["disability"] if child.disability else 0.0
    score += rng.gauss(0, p.KEA_NOISE_SD)
    low, high = p.KEA_SCALE_RANGE
    return int(min(max(round(score), low), high))


def readiness_level(score: int) -> str:
    """The performance level whose cut-score range holds ``score``."""
    return next(name for name, low, high in p.KEA_LEVELS if low <= score <= high)


def period_of(year: int) -> str:
    """The submission period: the October the window closes in (``2021-10`` for 2021-22)."""
    return f"{year - 1}-10"


def metadata() -> bytes:
    """The Assessment: composite scale score and the three readiness levels with cut scores."""
    scale = d("AssessmentReportingMethod", "Scale score")
    integer = d("ResultDatatypeType", "Integer")
    low, high = p.KEA_SCALE_RANGE
    levels = "".join(
        f"<AssessmentPerformanceLevel><PerformanceLevel>{d('PerformanceLevel', name)}"
        f"</PerformanceLevel><AssessmentReportingMethod>{scale}</AssessmentReportingMethod>"
        f"<MinimumScore>{lo}</MinimumScore><MaximumScore>{hi}</MaximumScore>"
        f"<ResultDatatypeType>{integer}</ResultDatatypeType></AssessmentPerformanceLevel>"
        for name, lo, hi in p.KEA_LEVELS
    )
    category = "uri://riverton.example.org/AssessmentCategoryDescriptor#Kindergarten Entry"
    element = (
        f"<Assessment><AssessmentIdentifier>{ASSESSMENT_ID}</AssessmentIdentifier>"
        "<AssessmentTitle>Riverton Kindergarten Readiness Assessment</AssessmentTitle>"
        f"<AssessmentCategory>{category}</AssessmentCategory>"
        f"<AcademicSubject>{d('AcademicSubject', SUBJECT)}</AcademicSubject>"
        f"<AssessedGradeLevel>{d('GradeLevel', 'Kindergarten')}</AssessedGradeLevel>"
        f"<AssessmentScore><AssessmentReportingMethod>{scale}</AssessmentReportingMethod>"
        f"<MinimumScore>{low}</MinimumScore><MaximumScore>{high}</MaximumScore>"
        f"<ResultDatatypeType>{integer}</ResultDatatypeType></AssessmentScore>{levels}"
        f"<Namespace>{NAMESPACE}</Namespace></Assessment>"
    )
    return _document("AssessmentMetadata", [element])


def results_file(results: list[ReadinessResult]) -> bytes:
    """One StudentAssessment per screened kindergartener, with score and performance level."""
    scale = d("AssessmentReportingMethod", "Scale score")
    integer = d("ResultDatatypeType", "Integer")

    def elements() -> Iterator[str]:
        for r in results:
            student = r.child.student_id
            yield (
                "<StudentAssessment><StudentAssessmentIdentifier>"
                f"{student}-{r.school_year}-KRA</StudentAssessmentIdentifier>"
                f"<AdministrationDate>{r.administered}T09:00:00</AdministrationDate>"
                f"<ScoreResult><Result>{r.score}</Result>"
                f"<ResultDatatypeType>{integer}</ResultDatatypeType>"
                f"<AssessmentReportingMethod>{scale}</AssessmentReportingMethod></ScoreResult>"
                f"<WhenAssessedGradeLevel>{d('GradeLevel', 'Kindergarten')}"
                "</WhenAssessedGradeLevel>"
                f"<PerformanceLevel><PerformanceLevel>{d('PerformanceLevel', r.level)}"
                "</PerformanceLevel>"
                f"<AssessmentReportingMethod>{scale}</AssessmentReportingMethod>"
                f"</PerformanceLevel>{_student_ref(student)}"
                f"<AssessmentReference><AssessmentIdentity><AssessmentIdentifier>{ASSESSMENT_ID}"
                f"</AssessmentIdentifier><Namespace>{NAMESPACE}</Namespace></AssessmentIdentity>"
                "</AssessmentReference></StudentAssessment>"
            )

    return _document("StudentAssessment", elements())


def write_kindergarten_readiness(
    world: World, sink: Sink, rng: random.Random
) -> list[ReadinessResult]:
    """One zip per school year with a kindergarten cohort; returns every result (for the truth)."""
    results = assess(world, rng)
    for year in world.years:
        of_year = [r for r in results if r.school_year == year]
        if not of_year:
            continue
        target = sink.path(PARTNER, CONTRACT, period_of(year), ".zip")
        file = sink.add(PARTNER, CONTRACT, period_of(year), target)
        for r in of_year:
            sink.link(PARTNER, CONTRACT, file, r.child.student_id, r.child.pid)
        members = {METADATA_FILE: metadata(), RESULTS_FILE: results_file(of_year)}
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            for name, content in members.items():
                archive.writestr(zip_info(name), content)
    return results
