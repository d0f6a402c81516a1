"""Ed-Fi student program associations → ``program_participation`` rows.

Every ``Student…ProgramAssociation`` (general, special education, school food service, …) is
one row: the program's name, its ProgramType code value as ``service_type``, and its begin and
end dates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

from backbone.intake.importers.edfi.assembly import Context, Handler, Where
from backbone.intake.importers.edfi.descriptors import iso_date
from backbone.intake.importers.edfi.fields import STUDENT, json_code, json_text, xml_code, xml_text
from backbone.warehouse.records import RowBatch

PROGRAM_ELEMENT = re.compile(r"^Student\w*ProgramAssociation$")
PROGRAM_RESOURCE = re.compile(r"^student\w*programassociations$")
_PROGRAM = "ProgramReference/ProgramIdentity"


@dataclass(frozen=True)
class ProgramRec:
    student_id: str | None
    program: str | None
    program_type: str | None
    begin: str | None
    end: str | None


def xml_program(el: ET.Element) -> ProgramRec:
    return ProgramRec(
        xml_text(el, STUDENT),
        xml_text(el, f"{_PROGRAM}/ProgramName"),
        xml_code(el, f"{_PROGRAM}/ProgramType"),
        xml_text(el, "BeginDate"),
        xml_text(el, "EndDate"),
    )


def json_program(r: dict[str, Any]) -> ProgramRec:
    return ProgramRec(
        json_text(r, "studentReference.studentUniqueId"),
        json_text(r, "programReference.programName"),
        json_code(r, "programReference.programTypeDescriptor"),
        json_text(r, "beginDate"),
        json_text(r, "endDate"),
    )


class Programs:
    """One ``program_participation`` row per program association, as it is read."""

    def __init__(self, context: Context) -> None:
        self.context = context

    def handlers(self) -> dict[type, Handler]:
        return {ProgramRec: self._program}

    def _program(self, rec: ProgramRec, where: Where) -> Iterator[RowBatch]:
        values = {
            "local_id": rec.student_id,
            "program": rec.program,
            "service_type": rec.program_type,
            "start_date": iso_date(rec.begin),
            "end_date": iso_date(rec.end),
        }
        yield from self.context.batches.add("program_participation", where, values)
