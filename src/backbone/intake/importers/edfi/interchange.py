"""Finding and reading Ed-Fi files: interchange XML and saved API JSON resources → records.

``source`` is a folder (searched recursively), a single file or a ``.zip`` of Ed-Fi files.
XML files are recognised by their root element (``Interchange…`` in the namespace
``http://ed-fi.org/<version>``; Data Standard 5.x and 6.x are supported), never by their name,
and are streamed entity by entity with expat so every record carries the line of its element.
JSON files are Ed-Fi API resources saved one resource type per file and recognised by name
(``students.json``, ``studentSchoolAttendanceEvents.json``, …, or ``.jsonl`` with one resource a
line); a record's line is the 1-based index of the resource in the array (or in the JSONL file).
JSON is streamed within the intake limits, like XML.
Both formats are reduced to the same small records by each section's readers (``students``,
``attendance``, ``assessments``, ``discipline``, ``programs``), so XML and JSON give the same
rows. Reference files (students, calendars, sessions, assessment metadata) are read first.

Problems (severity error unless said): a file that is not an Ed-Fi interchange or resource, an
unsupported Data Standard version, malformed XML or JSON, a zip that cannot be opened; a JSON
file named for no resource backbone imports, or an interchange holding nothing it imports, is a
warning.

>>> resource_name("exports/Student_School_Associations.jsonl")
'studentschoolassociations'
"""

from __future__ import annotations

import contextlib
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree as ET
from xml.parsers import expat

import ijson  # type: ignore[import-untyped]

from backbone.intake.importers import bounded
from backbone.intake.importers.edfi import (
    assessments,
    attendance,
    discipline,
    entities,
    programs,
    schools,
    students,
)  # fmt: skip
from backbone.intake.importers.edfi.assessments import AssessmentRec, StudentAssessmentRec
from backbone.intake.importers.edfi.attendance import AttendanceRec, CalendarDateRec, SessionRec
from backbone.intake.importers.edfi.discipline import ActionRec, IncidentLinkRec, IncidentRec
from backbone.intake.importers.edfi.programs import ProgramRec
from backbone.intake.importers.edfi.schools import SchoolRec
from backbone.intake.importers.edfi.students import DemographicRec, EnrollmentRec, StudentRec
from backbone.warehouse.records import WARNING, IntakeLimits, Problem

SUPPORTED_VERSIONS = (5, 6)  # Data Standard major versions whose layouts this package reads

Record = (
    StudentRec | DemographicRec | EnrollmentRec | SessionRec | CalendarDateRec | AttendanceRec
    | AssessmentRec | StudentAssessmentRec | IncidentRec | IncidentLinkRec | ActionRec | ProgramRec
    | SchoolRec
)  # fmt: skip

_SECTIONS = (students, attendance, assessments, discipline, schools)
_XML_READERS: dict[str, Callable[[ET.Element], Record]] = {
    tag: reader for section in _SECTIONS for tag, reader in section.XML_READERS.items()
}
# Keyed by the resource name lower-cased without "-" or "_": students.json, student_demographics…
_JSON_READERS: dict[str, Callable[[dict[str, Any]], Record]] = {
    name: reader for section in _SECTIONS for name, reader in section.JSON_READERS.items()
}
_NAMESPACE = re.compile(r"^http://ed-fi\.org/(\d+)\.(\d+)(?:\.(\d+))?/?$")
# Interchanges read first: what other entities are checked against or looked up in.
_REFERENCE_INTERCHANGES = frozenset(
    {
        "InterchangeStudent", "InterchangeEducationOrgCalendar", "InterchangeAssessmentMetadata",
        "InterchangeEducationOrganization", "InterchangeDescriptors",
    }
)  # fmt: skip
_QUIET_INTERCHANGES = frozenset({"InterchangeEducationOrganization", "InterchangeDescriptors"})
_REFERENCE_RESOURCES = frozenset(
    {"students", "sessions", "calendardates", "assessments", "schools"}
)
_QUIET_RESOURCES = frozenset(
    {"localeducationagencies", "educationorganizations", "calendars", "programs"}
)
_SUFFIXES = frozenset({".xml", ".json", ".jsonl"})


def xml_reader(tag: str) -> Callable[[ET.Element], Record] | None:
    """The function turning an entity element called ``tag`` into a record, if backbone uses it."""
    if programs.PROGRAM_ELEMENT.match(tag):
        return programs.xml_program
    return _XML_READERS.get(tag)


def json_reader(resource: str) -> Callable[[dict[str, Any]], Record] | None:
    """The function turning one ``resource`` (see ``resource_name``) into a record, if used."""
    if programs.PROGRAM_RESOURCE.match(resource):
        return programs.json_program
    return _JSON_READERS.get(resource)


def resource_name(file_name: str) -> str:
    """The API resource a JSON file holds, from its name, lower-cased without "-" or "_"."""
    stem = file_name.rsplit("/", 1)[-1].split(".", 1)[0]
    return stem.lower().replace("-", "").replace("_", "")


# --- files ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One file to read, from a folder, a zip or on its own."""

    name: str
    open: Callable[[], IO[bytes]]
    modified: str  # ISO date: stands in for the extract date (demographics' as_of)
    suffix: str


def sources(
    source: Path, stack: contextlib.ExitStack, limits: IntakeLimits
) -> Iterator[Source | Problem]:
    """The data files in ``source``: a folder (searched recursively), a zip, or one file; a
    problem instead of each file or zip member larger than ``limits`` allow."""
    if source.is_dir():
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            if not path.name.startswith(".") and _suffix(path.name) in {*_SUFFIXES, ".zip"}:
                yield from sources(path, stack, limits)
    elif not source.exists():
        yield Problem(
            source.name, None, "", str(source), "missing_source", "no such file or folder"
        )
    elif _suffix(source.name) == ".zip":
        yield from _zip_sources(source, stack, limits)
    elif _suffix(source.name) in _SUFFIXES:
        try:
            bounded.check_file_size(source, limits)
        except bounded.Refused as refusal:
            yield refusal.problem
            return
        modified = date.fromtimestamp(source.stat().st_mtime).isoformat()
        yield Source(source.name, lambda: source.open("rb"), modified, _suffix(source.name))
    else:
        message = "not an Ed-Fi file: expected XML interchanges, JSON resources or a zip of them"
        yield Problem(source.name, None, "", None, "unsupported_file", message)


def _zip_sources(
    path: Path, stack: contextlib.ExitStack, limits: IntakeLimits
) -> Iterator[Source | Problem]:
    try:
        archive = stack.enter_context(zipfile.ZipFile(path))
    except zipfile.BadZipFile:
        yield Problem(path.name, None, "", None, "bad_zip", "the zip file cannot be opened")
        return
    for info in sorted(archive.infolist(), key=lambda i: i.filename):
        name = info.filename.rsplit("/", 1)[-1]
        if info.is_dir() or name.startswith(".") or "__MACOSX" in info.filename:
            continue
        problem = bounded.member_problem(path.name, info, limits)
        if problem and _suffix(name) in _SUFFIXES:
            yield problem
        elif _suffix(name) in _SUFFIXES:
            modified = date(*info.date_time[:3]).isoformat()
            opener = _member_opener(archive, info)
            yield Source(name, opener, modified, _suffix(name))


def _member_opener(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], IO[bytes]]:
    return lambda: archive.open(info)


def _suffix(name: str) -> str:
    return ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""


# --- XML interchanges -------------------------------------------------------------------------


class _RootFound(Exception):
    """Stops expat once the root element is seen."""


def _root(source: Source) -> str | Problem:
    """The root element's expat name (``namespace}Local``) without parsing the whole file."""
    parser = bounded.xml_parser(source.name)
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
        except bounded.Refused as refusal:
            return refusal.problem
        except bounded.DAMAGED as error:
            return _damaged(source.name, error)
    return Problem(source.name, None, "", None, "empty_file", "the file has no XML element")


def _malformed(name: str, exc: expat.ExpatError) -> Problem:
    message = f"the XML is not well-formed: {expat.ErrorString(exc.code)}"
    return Problem(name, exc.lineno, "", None, "malformed_xml", message)


def _damaged(name: str, error: Exception) -> Problem:
    message = f"the file cannot be unpacked from the zip: {error}"
    return Problem(name, None, "", None, "bad_zip", message)


def check_root(name: str, root: str) -> Problem | None:
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
    Limits: no text between two tags longer than ``limits.max_field_chars``, no element deeper
    than ``limits.max_xml_depth``, and no entity with more than ``entities.ENTITY_ELEMENTS``
    elements. Used for interchanges whose root has a prefix; ``entities`` reads the others.
    """

    def __init__(self, parser: Any, file: str, limits: IntakeLimits) -> None:
        self.parser, self.file, self.limits = parser, file, limits
        self.depth = 0
        self.line = 0
        self.builder: ET.TreeBuilder | None = None
        self.done: list[tuple[ET.Element, int]] = []
        self.tag, self.text_line, self.text_length, self.elements = "", 0, 0, 0
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.data

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        self.tag, self.text_line, self.text_length = name.rpartition("}")[2], 0, 0
        if self.depth > self.limits.max_xml_depth:
            raise bounded.too_deep(self.file, self.parser.CurrentLineNumber, self.tag, self.limits)
        if self.depth == 2:
            self.builder = ET.TreeBuilder()
            self.line, self.elements = self.parser.CurrentLineNumber, 0
        if self.builder is not None:
            self.elements += 1
            if self.elements > entities.ENTITY_ELEMENTS:
                message = f"one entity holds more than {entities.ENTITY_ELEMENTS:,} elements"
                raise bounded.Refused(
                    Problem(self.file, self.line, self.tag, None, "too_large", message)
                )
            self.builder.start(self.tag, attrs)

    def data(self, text: str) -> None:
        self.text_line = self.text_line or self.parser.CurrentLineNumber
        self.text_length += len(text)
        if self.text_length > self.limits.max_field_chars:
            raise bounded.too_long(self.file, self.text_line, self.tag, self.limits.max_field_chars)
        if self.builder is not None:
            self.builder.data(text)

    def end(self, name: str) -> None:
        self.text_line, self.text_length = 0, 0
        if self.builder is not None:
            self.builder.end(name.rpartition("}")[2])
            if self.depth == 2:
                self.done.append((self.builder.close(), self.line))
                self.builder = None
        self.depth -= 1


def xml_entities(
    stream: IO[bytes], file: str, limits: IntakeLimits
) -> Iterator[tuple[ET.Element, int]]:
    """Stream the entities under an interchange's root, one element (and its line) at a time;
    raises ``bounded.Refused`` for a DTD or past a limit."""
    parser = bounded.xml_parser(file)
    parser.buffer_text = True  # one data callback per text node, not one per line or entity
    parser.buffer_size = 65_536
    entities = _EntityBuilder(parser, file, limits)
    while chunk := stream.read(65_536):
        parser.Parse(chunk, False)
        yield from entities.done
        entities.done.clear()
    parser.Parse(b"", True)
    yield from entities.done


def _entities(source: Source, limits: IntakeLimits) -> Iterator[tuple[ET.Element, int]]:
    """The interchange's entities: built in C (``entities``) unless its root has a prefix."""
    with source.open() as stream:
        try:
            yield from entities.xml_entities(stream, source.name, limits)
            return
        except entities.Prefixed:
            pass  # raised at the root, before any entity: read again, namespace-aware
    with source.open() as stream:
        yield from xml_entities(stream, source.name, limits)


def read_xml(
    source: Source, interchange: str, limits: IntakeLimits
) -> Iterator[tuple[Record, int] | Problem]:
    """Records from one interchange file; a warning if it held nothing backbone imports."""
    used = 0
    try:
        for element, line in _entities(source, limits):
            reader = xml_reader(element.tag)
            if reader is not None:
                used += 1
                yield reader(element), line
    except expat.ExpatError as exc:
        yield _malformed(source.name, exc)
        return
    except bounded.Refused as refusal:
        yield refusal.problem
        return
    except bounded.DAMAGED as error:
        yield _damaged(source.name, error)
        return
    if not used and interchange not in _QUIET_INTERCHANGES:
        message = f"{interchange} holds nothing backbone imports; the file was skipped"
        yield Problem(source.name, None, "", None, "nothing_imported", message, WARNING)


# --- API JSON resources -----------------------------------------------------------------------


def read_json(
    source: Source, resource: str, limits: IntakeLimits
) -> Iterator[tuple[Record, int] | Problem]:
    """Records from one saved API resource file: a JSON array, or JSONL one resource a line,
    streamed within ``limits`` (see ``bounded.json_items``)."""
    reader = json_reader(resource)
    if reader is None:
        return
    try:
        with source.open() as stream:
            array = source.suffix == ".json"
            for number, item in bounded.json_items(stream, source.name, limits, array=array):
                if not isinstance(item, dict):
                    message = "expected an Ed-Fi resource (a JSON object)"
                    yield Problem(source.name, number, "", None, "not_edfi_resource", message)
                    continue
                yield reader(item), number
    except ijson.JSONError as exc:
        message = f"not valid JSON: {str(exc).splitlines()[0]}"
        yield Problem(source.name, None, "", None, "malformed_json", message)
    except bounded.Refused as refusal:
        yield refusal.problem
    except bounded.DAMAGED as error:
        yield _damaged(source.name, error)
    except bounded.NotAJsonArray:
        message = "expected a JSON array of Ed-Fi resources"
        yield Problem(source.name, None, "", None, "not_edfi_resource", message)


# --- planning: which files, in which order ----------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """A file identified as Ed-Fi, with the order it is read in (reference files first)."""

    phase: int
    source: Source
    read: Callable[[], Iterator[tuple[Record, int] | Problem]]


def plan(source: Source, limits: IntakeLimits) -> Plan | Problem | None:
    """How to read one file, a Problem if it is not Ed-Fi, None if it is Ed-Fi but unused."""
    if source.suffix == ".xml":
        root = _root(source)
        if isinstance(root, Problem):
            return root
        problem = check_root(source.name, root)
        if problem:
            return problem
        interchange = root.rpartition("}")[2]
        phase = 0 if interchange in _REFERENCE_INTERCHANGES else 1
        return Plan(phase, source, lambda: read_xml(source, interchange, limits))
    return _plan_json(source, limits)


def _plan_json(source: Source, limits: IntakeLimits) -> Plan | Problem | None:
    resource = resource_name(source.name)
    if json_reader(resource) is not None:
        phase = 0 if resource in _REFERENCE_RESOURCES else 1
        return Plan(phase, source, lambda: read_json(source, resource, limits))
    if resource in _QUIET_RESOURCES or resource.endswith("descriptors"):
        return None
    message = "not an Ed-Fi resource backbone imports (named like students.json); skipped"
    return Problem(source.name, None, "", None, "unknown_resource", message, WARNING)
