"""Ed-Fi discipline incidents, offender associations and actions → ``discipline`` rows.

One row per offending student (StudentDisciplineIncidentBehaviorAssociation or a
DisciplineAction), incident and action (the Discipline code value). Several actions with the
same code for the same student and incident are one row whose ``days_removed`` sums their
ActualDisciplineActionLength (else DisciplineActionLength); an offender with no action has a row
with an empty action. Witnesses and victims (non-offender associations) have no row.
``incident_id`` is the IncidentIdentifier; ``school_year`` comes from the incident date. An XML
reference (``ref="…"``) to a DisciplineIncident not in the submitted files is an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

from backbone.intake.importers.edfi.assembly import Context, Handler, Where
from backbone.intake.importers.edfi.descriptors import iso_date, number, number_text, year_of
from backbone.intake.importers.edfi.fields import (
    SCHOOL,
    STUDENT,
    json_codes,
    json_items,
    json_text,
    xml_leaf_codes,
    xml_text,
)
from backbone.warehouse.records import Problem, RowBatch

_INCIDENT = "DisciplineIncidentReference/DisciplineIncidentIdentity"


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


# --- XML elements and API JSON resources → records --------------------------------------------


def xml_incident(el: ET.Element) -> IncidentRec:
    return IncidentRec(
        xml_text(el, "IncidentIdentifier"),
        xml_text(el, SCHOOL),
        xml_text(el, "IncidentDate"),
        el.get("id"),
    )


def xml_incident_link(el: ET.Element) -> IncidentLinkRec:
    reference = el.find("DisciplineIncidentReference")
    return IncidentLinkRec(
        xml_text(el, STUDENT),
        xml_text(el, f"{_INCIDENT}/IncidentIdentifier"),
        xml_text(el, f"{_INCIDENT}/{SCHOOL}"),
        reference.get("ref") if reference is not None else None,
    )


def xml_action(el: ET.Element) -> ActionRec:
    incidents = tuple(
        (xml_text(i, "IncidentIdentifier"), xml_text(i, SCHOOL))
        for i in el.iter("DisciplineIncidentIdentity")
    )
    refs = tuple(r.get("ref") or "" for r in el.iter("DisciplineIncidentReference") if r.get("ref"))
    return ActionRec(
        xml_text(el, STUDENT),
        xml_leaf_codes(el, "Discipline") + xml_leaf_codes(el, "DisciplineDescriptor"),
        xml_text(el, "DisciplineDate"),
        xml_text(el, "ActualDisciplineActionLength", "DisciplineActionLength"),
        incidents,
        refs,
    )


def json_incident(r: dict[str, Any]) -> IncidentRec:
    return IncidentRec(
        json_text(r, "incidentIdentifier"),
        json_text(r, "schoolReference.schoolId"),
        json_text(r, "incidentDate"),
    )


def json_incident_link(r: dict[str, Any]) -> IncidentLinkRec:
    return IncidentLinkRec(
        json_text(r, "studentReference.studentUniqueId"),
        json_text(r, "disciplineIncidentReference.incidentIdentifier"),
        json_text(r, "disciplineIncidentReference.schoolId"),
    )


def json_action(r: dict[str, Any]) -> ActionRec:
    links = json_items(r, "studentDisciplineIncidentBehaviorAssociations")
    references = [
        link.get("studentDisciplineIncidentBehaviorAssociationReference") for link in links
    ]
    incidents = tuple(
        (json_text(ref, "incidentIdentifier"), json_text(ref, "schoolId"))
        for ref in references
        if isinstance(ref, dict)
    )
    return ActionRec(
        json_text(r, "studentReference.studentUniqueId"),
        json_codes(r, "disciplines", "disciplineDescriptor"),
        json_text(r, "disciplineDate"),
        json_text(r, "actualDisciplineActionLength") or json_text(r, "disciplineActionLength"),
        incidents,
    )


XML_READERS: dict[str, Callable[[ET.Element], Any]] = {
    "DisciplineIncident": xml_incident,
    "StudentDisciplineIncidentBehaviorAssociation": xml_incident_link,
    "StudentDisciplineIncidentAssociation": xml_incident_link,  # DS 3.x-4.x name
    "DisciplineAction": xml_action,
}
JSON_READERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "disciplineincidents": json_incident,
    "studentdisciplineincidentbehaviorassociations": json_incident_link,
    "disciplineactions": json_action,
}


# --- records → rows ---------------------------------------------------------------------------


@dataclass
class Offence:
    """A student's part in one incident and the actions taken: action code → days removed."""

    where: Where
    actions: dict[str | None, float | None] = field(default_factory=dict)
    action_date: str | None = None


class Discipline:
    """Offences gathered over every file (XML references resolved at the end), then rows."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.incidents: dict[tuple[str | None, str | None], str | None] = {}
        self.incident_ids: dict[str, tuple[str | None, str | None]] = {}
        self.offences: dict[tuple[str | None, str | None, str | None], Offence] = {}
        self.pending_refs: list[tuple[str | None, str, Where, ActionRec | None]] = []

    def handlers(self) -> dict[type, Handler]:
        return {
            IncidentRec: self._incident,
            IncidentLinkRec: self._incident_link,
            ActionRec: self._action,
        }

    def _incident(self, rec: IncidentRec, where: Where) -> Iterator[RowBatch]:
        self.incidents[(rec.school_id, rec.incident_id)] = iso_date(rec.incident_date)
        if rec.xml_id:
            self.incident_ids[rec.xml_id] = (rec.school_id, rec.incident_id)
        yield from ()

    def _incident_link(self, rec: IncidentLinkRec, where: Where) -> Iterator[RowBatch]:
        if rec.incident_id is None and rec.xml_ref:
            self.pending_refs.append((rec.student_id, rec.xml_ref, where, None))  # resolved later
        else:
            self._offence(rec.student_id, rec.school_id, rec.incident_id, where)
        yield from ()

    def _action(self, rec: ActionRec, where: Where) -> Iterator[RowBatch]:
        for incident_id, school_id in rec.incidents or ((None, None),):
            if incident_id is None and rec.xml_refs:
                continue
            self._take_action(self._offence(rec.student_id, school_id, incident_id, where), rec)
        for ref in rec.xml_refs:
            self.pending_refs.append((rec.student_id, ref, where, rec))
        yield from ()

    def _offence(
        self, student: str | None, school: str | None, incident: str | None, where: Where
    ) -> Offence:
        return self.offences.setdefault((student, school, incident), Offence(where))

    @staticmethod
    def _take_action(offence: Offence, rec: ActionRec) -> None:
        days = number(rec.days)
        offence.action_date = offence.action_date or iso_date(rec.action_date)
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

    def finish(self) -> Iterator[RowBatch | Problem]:
        """Problems for unresolved references, then one row per offence and action."""
        yield from self._resolve_refs()
        for (student, school, incident), offence in self.offences.items():
            when = self.incidents.get((school, incident)) or offence.action_date
            for action, days in (offence.actions or {None: None}).items():
                values = {
                    "local_id": student,
                    "school_year": year_of(when),
                    "incident_id": incident,
                    "incident_date": when,
                    "action": action,
                    "days_removed": number_text(days) if days is not None else None,
                }
                yield from self.context.batches.add("discipline", offence.where, values)
