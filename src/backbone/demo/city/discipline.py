"""The district's discipline incidents: an Ed-Fi StudentDiscipline interchange per school year.

Each enrolled student may be suspended (in or out of school, 1 to 5 days) once or twice in a year,
with a chance that depends on school level and is raised for economically disadvantaged and for
Black students (the planted disparity, ``params.SUSPENSION_*``); a few more incidents end in a
removal from class, which is not a suspension. Draws come from a generator of their own, seeded by
the city's seed, the student and the year, so adding discipline changes nothing else in the city.

Written as Ed-Fi's Grand Bend sample does: DisciplineIncident (with an ``id``),
StudentDisciplineIncidentBehaviorAssociation (the offender) and DisciplineAction (the Discipline
descriptor, dates and ActualDisciplineActionLength) referring to the offender association.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from backbone.demo.city import params as p
from backbone.demo.city.calendar import SchoolYear
from backbone.demo.city.world import Person, StudentYear

SUSPENSIONS = ("In School Suspension", "Out of School Suspension")
REMOVAL = "Removal from Classroom"
BEHAVIOR = "uri://ed-fi.org/BehaviorDescriptor#School Code of Conduct"


@dataclass(frozen=True)
class Incident:
    """One student's incident in a school and the action taken."""

    number: int
    student_id: str
    school_id: str
    day: dt.date
    action: str
    days: int


def incidents(
    rows: list[tuple[Person, StudentYear]], year: SchoolYear, seed: int
) -> list[Incident]:
    """The year's incidents, numbered in order after the spring year (``2024000001``), so an
    incident identifier is never reused by a later year."""
    found: list[Incident] = []
    for child, r in rows:
        rng = random.Random(f"discipline|{seed}|{child.pid}|{year.year}")
        days = [day for day in year.days if r.entry <= day <= r.exit]
        if not days:
            continue
        actions = [rng.choice(SUSPENSIONS)] * (rng.random() < suspension_chance(child, r))
        actions *= 1 + (rng.random() < 0.3)  # some are suspended twice
        actions += [REMOVAL] * (rng.random() < p.OTHER_DISCIPLINE_CHANCE)
        for action in actions:
            length = rng.randint(1, 5) if action in SUSPENSIONS else 1
            number = year.year * 1_000_000 + len(found) + 1
            found.append(
                Incident(number, child.student_id, r.school_id, rng.choice(days), action, length)
            )
    return found


def suspension_chance(child: Person, r: StudentYear) -> float:
    """The planted chance of a suspension in the year (see ``params``)."""
    chance = p.SUSPENSION_CHANCE["secondary" if r.grade >= 6 else "elementary"]
    chance *= p.SUSPENSION_ECON_MULTIPLIER if child.household.econ else 1.0
    chance *= p.SUSPENSION_BLACK_MULTIPLIER if child.race == "Black or African American" else 1.0
    return min(chance, 1.0)


def discipline_elements(found: list[Incident]) -> Iterator[str]:
    """The interchange's elements: incidents first, then offenders, then actions."""
    for i in found:
        yield (
            f'<DisciplineIncident id="DISC_{i.number}_{i.school_id}">'
            f"<IncidentIdentifier>{i.number}</IncidentIdentifier>"
            f"<IncidentDate>{i.day}</IncidentDate><Behavior><Behavior>{BEHAVIOR}</Behavior>"
            f"</Behavior>{_school(i.school_id)}</DisciplineIncident>"
        )
    for i in found:
        yield (
            f"<StudentDisciplineIncidentBehaviorAssociation>{_student(i.student_id)}"
            f'<DisciplineIncidentReference ref="DISC_{i.number}_{i.school_id}"/>'
            f"<Behavior>{BEHAVIOR}</Behavior><DisciplineIncidentParticipationCode>"
            "uri://ed-fi.org/DisciplineIncidentParticipationCodeDescriptor#Perpetrator"
            "</DisciplineIncidentParticipationCode></StudentDisciplineIncidentBehaviorAssociation>"
        )
    for i in found:
        yield (
            f"<DisciplineAction><DisciplineActionIdentifier>{i.number}</DisciplineActionIdentifier>"
            f"<Discipline>uri://ed-fi.org/DisciplineDescriptor#{i.action}</Discipline>"
            f"<DisciplineDate>{i.day}</DisciplineDate>"
            f"<DisciplineActionLength>{i.days}</DisciplineActionLength>"
            f"<ActualDisciplineActionLength>{i.days}</ActualDisciplineActionLength>"
            f"{_student(i.student_id)}<ResponsibilitySchoolReference><SchoolIdentity><SchoolId>"
            f"{i.school_id}</SchoolId></SchoolIdentity></ResponsibilitySchoolReference>"
            "<StudentDisciplineIncidentBehaviorAssociationReference>"
            f"<StudentDisciplineIncidentBehaviorAssociationIdentity>{_student(i.student_id)}"
            "<DisciplineIncidentReference><DisciplineIncidentIdentity>"
            f"<IncidentIdentifier>{i.number}</IncidentIdentifier>{_school(i.school_id)}"
            f"</DisciplineIncidentIdentity></DisciplineIncidentReference><Behavior>{BEHAVIOR}"
            "</Behavior></StudentDisciplineIncidentBehaviorAssociationIdentity>"
            "</StudentDisciplineIncidentBehaviorAssociationReference></DisciplineAction>"
        )


def _student(student_id: str) -> str:
    return (
        "<StudentReference><StudentIdentity><StudentUniqueId>"
        f"{student_id}</StudentUniqueId></StudentIdentity></StudentReference>"
    )


def _school(school_id: str) -> str:
    return (
        f"<SchoolReference><SchoolIdentity><SchoolId>{school_id}</SchoolId></SchoolIdentity>"
        "</SchoolReference>"
    )
