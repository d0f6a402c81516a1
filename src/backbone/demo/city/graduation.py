"""The district's graduation cohort files: one CSV per cohort year, in the ``graduation``
contract's canonical columns, built from the students' enrolment histories.

A cohort is named by its expected graduation year (``cohort_year``: the spring of the fourth
year after entering grade 9, the ``ClassOfSchoolYear`` of the Ed-Fi enrolments). Its members
are every student enrolled in grades 9-12 with that class: first-time ninth graders plus those
who transferred in. Only cohorts whose four years the city simulates are written (the first
is ``first_school_year + 3``), so no member's grade 9 is missing.

Status codes (documented in ``docs/demo.md``): ``regular diploma`` (with ``diploma_date``, the
last day of the student's final school year), ``dropout``, ``transferred out`` (moved away with
a documented transfer) and ``unknown`` (moved away without one: ACGR keeps them in the
cohort). The documented share is ``params.TRANSFER_DOCUMENTED_SHARE``, drawn from the file's
own random stream.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from backbone.demo.city import params as p
from backbone.demo.city.edfi_files import PARTNER
from backbone.demo.city.files import Sink, write_csv
from backbone.demo.city.world import Person, World

CONTRACT = "graduation"
# Keyed by the StudentUniqueId alone: the Ed-Fi zips already identify every student, and a file
# with names would replace their richer identity record (SSN, middle name) as the latest load.
HEADER = ("local_id", "cohort_year", "status", "diploma_date")


@dataclass(frozen=True)
class CohortMember:
    """One student's row in their cohort's file."""

    child: Person
    cohort_year: int
    status: str
    diploma_date: dt.date | None = None  # for a regular diploma


def cohort_year(child: Person) -> int | None:
    """The class of a student ever enrolled in high school (grade 9-12), else None."""
    classes = {year + 12 - r.grade for year, r in child.years.items() if r.grade >= 9}
    return min(classes) if classes else None


def members(world: World, rng: random.Random) -> list[CohortMember]:
    """Every complete cohort's members, with the status the district records."""
    first, last = world.years[0] + 3, world.years[-1]
    result = []
    for child in world.children:
        cohort = cohort_year(child)
        if cohort is None or not first <= cohort <= last:
            continue
        documented = rng.random() < p.TRANSFER_DOCUMENTED_SHARE
        result.append(_member(child, cohort, documented))
    return result


def _member(child: Person, cohort: int, documented: bool) -> CohortMember:
    if child.exit_status == "graduated":
        final = child.years[child.exit_year]
        return CohortMember(child, cohort, "regular diploma", final.exit)
    if child.exit_status == "dropout":
        return CohortMember(child, cohort, "dropout")
    return CohortMember(child, cohort, "transferred out" if documented else "unknown")


def write_graduation_cohorts(world: World, sink: Sink, rng: random.Random) -> list[CohortMember]:
    """``riverton-public-schools/graduation/<cohort_year>.csv``; returns every member."""
    cohort = members(world, rng)
    for year in sorted({m.cohort_year for m in cohort}):
        rows = [m for m in cohort if m.cohort_year == year]
        rows.sort(key=lambda m: m.child.student_id)
        target = sink.path(PARTNER, CONTRACT, str(year), ".csv")
        file = sink.add(PARTNER, CONTRACT, str(year), target)
        for m in rows:
            sink.link(PARTNER, CONTRACT, file, m.child.student_id, m.child.pid)
        write_csv(target, HEADER, [
            (m.child.student_id, m.cohort_year, m.status, m.diploma_date)
            for m in rows
        ])  # fmt: skip
    return cohort
