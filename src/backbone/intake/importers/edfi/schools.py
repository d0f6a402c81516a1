"""Ed-Fi schools → the names of the school ids other rows carry.

A ``School`` (EducationOrganization interchange, or the API's ``schools`` resource) gives its
``SchoolId`` and ``NameOfInstitution``. They are not person-level rows: they come out of the read
as one ``CodeNames`` item for the ``school_id`` column, which the load keeps beside the
submission, so pages can name a school instead of showing its number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

from backbone.intake.importers.edfi.assembly import Context, Handler, Where
from backbone.intake.importers.edfi.fields import json_text, xml_text
from backbone.warehouse.records import CodeNames, RowBatch


@dataclass(frozen=True)
class SchoolRec:
    school_id: str | None
    name: str | None


def xml_school(el: ET.Element) -> SchoolRec:
    return SchoolRec(xml_text(el, "SchoolId"), xml_text(el, "NameOfInstitution"))


def json_school(r: dict[str, Any]) -> SchoolRec:
    return SchoolRec(json_text(r, "schoolId"), json_text(r, "nameOfInstitution"))


XML_READERS: dict[str, Callable[[ET.Element], Any]] = {"School": xml_school}
JSON_READERS: dict[str, Callable[[dict[str, Any]], Any]] = {"schools": json_school}


class Schools:
    """Collects each school's name; ``finish`` yields them as one ``CodeNames``."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.names: dict[str, str] = {}

    def handlers(self) -> dict[type, Handler]:
        return {SchoolRec: self._school}

    def _school(self, rec: SchoolRec, where: Where) -> Iterator[RowBatch]:
        if rec.school_id and rec.name:
            self.names[rec.school_id] = rec.name
        yield from ()

    def finish(self) -> Iterator[CodeNames]:
        if self.names:
            yield CodeNames("school_id", dict(sorted(self.names.items())))
