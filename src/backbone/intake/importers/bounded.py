"""Reading partners' files within limits, so that a hostile or broken file is refused, not obeyed.

Every importer reads through these checks (limits in ``IntakeLimits``, from the
``BACKBONE_INTAKE_*`` settings):

- a zip member is judged by its header before a byte is inflated: its uncompressed size and,
  for members over 1 MiB, its compression ratio (a zip bomb claims both or fails its CRC);
- XML is parsed with expat, which never fetches external entities; a DTD is refused outright
  (interchanges and spreadsheets never need one, and its entities can expand without bound);
- JSON is streamed (``ijson``), one value at a time: no string longer than the field limit, no
  nesting deeper than the depth limit, and no single token is buffered past what that allows;
- CSV is read one bounded line at a time, so one field cannot hold more than the limit, and a
  field with a NUL byte or bytes that are not UTF-8 is named with its row.

A limit reached raises ``Refused`` carrying the ``Problem`` to report: the importer stops and
yields it, and the load rejects the file.

>>> field_index('7,"Math, Reading",2024-09-05', 10)  # the first field over 10 characters
1
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

import ijson  # type: ignore[import-untyped]

from backbone.warehouse.records import IntakeLimits, Problem

RATIO_GRACE_BYTES = 1024 * 1024  # smaller members are too small to be a bomb worth refusing
# Any character a field must not hold: NUL, or an undecodable byte kept by "surrogateescape".
_UNREADABLE = re.compile("[\x00\udc80-\udcff]")
_HEADER_COLUMNS = 256  # the most columns a header's budget allows for, before it is known


class Refused(Exception):
    """A file broke a limit or a rule of its format; ``problem`` says where."""

    def __init__(self, problem: Problem):
        super().__init__(problem.describe())
        self.problem = problem


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"


# --- files and zip members --------------------------------------------------------------------


def check_file_size(path: Path, limits: IntakeLimits) -> None:
    """Refuse a plain file larger than ``limits.max_file_bytes``."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        message = (
            f"the file is {megabytes(size)}, over the limit of {megabytes(limits.max_file_bytes)}"
        )
        raise Refused(Problem(path.name, None, "", None, "too_large", message))


def member_problem(archive: str, info: zipfile.ZipInfo, limits: IntakeLimits) -> Problem | None:
    """Why a zip member must not be unpacked (too large, or compressed like a bomb), from its
    header alone; ``None`` when it may be. Reading stops at the declared size and checks the
    CRC, so a header that lies makes the member unreadable, not larger."""
    where = f"{info.filename} in the zip"
    if info.file_size > limits.max_file_bytes:
        message = (
            f"{where} unpacks to {megabytes(info.file_size)}, over the limit of "
            f"{megabytes(limits.max_file_bytes)}"
        )
        return Problem(archive, None, "", None, "too_large", message)
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > RATIO_GRACE_BYTES and ratio > limits.max_zip_ratio:
        message = (
            f"{where} is compressed {ratio:,.0f} to 1, beyond the {limits.max_zip_ratio} to 1 "
            "that real data reaches: refused as a zip bomb"
        )
        return Problem(archive, None, "", None, "zip_bomb", message)
    return None


def open_zip(path: Path) -> zipfile.ZipFile:
    """The zip at ``path``; refused when it is not one."""
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        message = f"the file cannot be opened as a zip: {error}"
        raise Refused(Problem(path.name, None, "", None, "bad_zip", message)) from None


def check_members(archive: zipfile.ZipFile, name: str, limits: IntakeLimits) -> None:
    """Refuse the whole zip if any member must not be unpacked."""
    for info in archive.infolist():
        problem = member_problem(name, info, limits)
        if problem:
            raise Refused(problem)


# Reading a damaged zip member raises these; the importer reports them instead of crashing.
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError)


# --- XML ----------------------------------------------------------------------------------


def xml_parser(file: str, part: str = "", *, namespaces: bool = True) -> Any:
    """An expat parser that refuses any DTD in ``file``; element names are ``namespace}local``,
    or as written (``prefix:local``) when not ``namespaces``."""
    parser = expat.ParserCreate(namespace_separator="}" if namespaces else None)

    def refuse(name: str, *_args: object) -> None:
        what = f"{part} in the file" if part else "the file"
        message = (
            f"{what} declares a DTD (<!DOCTYPE {name}>): refused, since its entities can "
            "expand without bound and the format never needs one"
        )
        raise Refused(Problem(file, parser.CurrentLineNumber, "", None, "dtd", message))

    parser.StartDoctypeDeclHandler = refuse
    return parser


def too_deep(file: str, line: int, tag: str, limits: IntakeLimits) -> Refused:
    message = f"elements are nested more than {limits.max_xml_depth} deep"
    return Refused(Problem(file, line, tag, None, "too_deep", message))


def too_long(file: str, row: int | None, field: str, limit: int) -> Refused:
    message = f"the value is longer than {limit:,} characters, the limit for this contract"
    return Refused(Problem(file, row, field, None, "too_long", message))


# --- JSON ---------------------------------------------------------------------------------

JSON_CHUNK = 16_384  # bytes handed to the JSON parser at a time


class NotAJsonArray(ValueError):
    """The file's top level is not the array it should be."""


class _TokenTooLong(Exception):
    """More bytes were read than any token within the limits can take, with no event."""


class _Guarded:
    """A stream that stops the JSON parser from buffering one token without bound: the parser
    emits an event at the end of every token, so ``budget`` bytes read with none is a string
    (or number, or run of spaces) longer than the limit allows."""

    def __init__(self, raw: IO[bytes], budget: int):
        self.raw, self.budget, self.unparsed = raw, budget, 0

    def read(self, size: int = -1) -> bytes:
        if self.unparsed > self.budget:
            raise _TokenTooLong
        data = self.raw.read(size)
        self.unparsed += len(data)
        return data


def json_items(
    raw: IO[bytes], file: str, limits: IntakeLimits, *, array: bool
) -> Iterator[tuple[int, Any]]:
    """(number, value) for each item of a JSON array (``array``) or each value of a JSON Lines
    file, numbered from 1, read as a stream within ``limits``.

    Raises ``Refused`` naming the item and key of a string longer than
    ``limits.max_field_chars`` or of nesting deeper than ``limits.max_xml_depth``; memory stays
    bounded by the limits however long the string. Raises ``NotAJsonArray``, or ijson's
    ``JSONError`` for text that is not JSON.
    """
    top = 1 if array else 0  # the nesting level items start at
    guard = _Guarded(raw, 6 * limits.max_field_chars + 2 * JSON_CHUNK)  # \uXXXX: 6 bytes a char
    state = _JsonState(file, limits)
    try:
        # basic_parse, not parse: parse's prefixes grow with depth, quadratic in deep nesting.
        for event, value in ijson.basic_parse(
            guard, buf_size=JSON_CHUNK, multiple_values=not array, use_float=True
        ):
            guard.unparsed = 0
            if array and state.depth == 0 and event != "start_array":
                raise NotAJsonArray
            done = state.take(event, value, top)
            if done is not None:
                yield done
    except _TokenTooLong:
        raise too_long(file, state.number or None, state.key, limits.max_field_chars) from None


class _JsonState:
    """Builds each item from the parser's events, checking depth and string lengths."""

    def __init__(self, file: str, limits: IntakeLimits):
        self.file, self.limits = file, limits
        self.depth, self.number, self.key = 0, 0, ""
        self.builder: Any = None

    def take(self, event: str, value: Any, top: int) -> tuple[int, Any] | None:
        """Feed one parser event; the (number, value) of an item it completes, else None."""
        if self.depth == top and event not in ("end_array", "end_map"):
            self.number, self.builder, self.key = self.number + 1, ijson.ObjectBuilder(), ""
        if event in ("map_key", "string"):
            self.key = value if event == "map_key" else self.key
            if len(value) > self.limits.max_field_chars:
                raise too_long(self.file, self.number, self.key, self.limits.max_field_chars)
        elif event in ("start_map", "start_array"):
            self.depth += 1
            if self.depth > self.limits.max_xml_depth:
                message = f"values are nested more than {self.limits.max_xml_depth} deep"
                raise Refused(Problem(self.file, self.number, self.key, None, "too_deep", message))
        elif event in ("end_map", "end_array"):
            self.depth -= 1
        if self.builder is None:
            return None
        self.builder.event(event, value)
        if self.depth > top:
            return None
        item, self.builder = (self.number, self.builder.value), None
        return item


# --- CSV ----------------------------------------------------------------------------------


def open_csv(raw: IO[bytes]) -> io.TextIOWrapper:
    """``raw`` as text for ``csv_records``: UTF-8 with or without the byte-order mark
    spreadsheet programs write; bytes that are not UTF-8 are kept (as surrogates) for
    ``csv_records`` to report with their row and field, instead of failing somewhere later."""
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")


class _Lines:
    """The lines ``csv.reader`` asks for, each read with a bound: one record may not hold more
    than ``room`` characters. Keeps the current record's text, to name the field that broke it."""

    def __init__(self, handle: IO[str], max_chars: int):
        self.readline, self.max_chars = handle.readline, max_chars
        self.room = max_chars * (_HEADER_COLUMNS + 1)  # characters the record may still take
        self.record: list[str] = []
        self.unreadable = False

    def lines(self) -> Iterator[str]:
        while line := self.readline(self.room + 1):
            self.record.append(line)
            self.room -= len(line)
            if self.room < 0:
                raise _RecordTooLong
            # isascii() costs nothing on str: only lines with other characters are searched.
            if (not line.isascii() or "\x00" in line) and _UNREADABLE.search(line):
                self.unreadable = True
            yield line


class _RecordTooLong(Exception):
    """The record being read is longer than its budget."""


def csv_records(handle: IO[str], file: str, max_chars: int) -> Iterator[tuple[int, list[str]]]:
    """(first line, values) for each record of a CSV opened with ``open_csv``, the header first.

    Raises ``Refused`` naming the row and field of the first field longer than ``max_chars``
    characters, or holding a NUL byte or bytes that are not UTF-8; memory stays bounded by the
    header's width times ``max_chars`` however long the field.
    """
    csv.field_size_limit(max(csv.field_size_limit(), max_chars * (_HEADER_COLUMNS + 1) + 1))
    state = _Lines(handle, max_chars)
    reader = csv.reader(state.lines())
    header: list[str] | None = None
    budget, end = state.room, 0
    try:
        for values in reader:
            start, end = end + 1, reader.line_num
            # A record no longer than the limit cannot hold a field over it: most are not measured.
            if state.unreadable or (
                budget - state.room > max_chars and max(map(len, values), default=0) > max_chars
            ):
                raise _refusal(file, start, header, state, max_chars)
            if header is None:
                header, budget = values, max_chars * (max(len(values), 1) + 1)
            state.record, state.room = [], budget
            yield start, values
    except _RecordTooLong:
        raise _refusal(file, end + 1, header, state, max_chars) from None


def _refusal(
    file: str, row: int, header: list[str] | None, state: _Lines, max_chars: int
) -> Refused:
    text = "".join(state.record)
    values = next(csv.reader(io.StringIO(text)), [])
    index = field_index(text, max_chars)
    name = field_name(header, index)
    if index < len(values) and (found := _UNREADABLE.search(values[index])):
        return Refused(_unreadable(file, row, name, values[index], found.group()))
    return too_long(file, row, name, max_chars)


def field_index(text: str, max_chars: int) -> int:
    """The position of the first field of the CSV record ``text`` (perhaps cut short) that is
    longer than ``max_chars`` or holds a character no field may hold; else the last field."""
    values = next(csv.reader(io.StringIO(text)), [""])
    for index, value in enumerate(values):
        if len(value) > max_chars or _UNREADABLE.search(value):
            return index
    return len(values) - 1


def field_name(header: list[str] | None, index: int) -> str:
    """The header's name for column ``index`` (0-based), else ``column N``."""
    if header is not None and index < len(header) and header[index].strip():
        return header[index].strip()
    return f"column {index + 1}"


def _unreadable(file: str, row: int, field: str, value: str, found: str) -> Problem:
    shown = value[:80].encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    shown = shown.replace("\x00", "\\x00")
    if found == "\x00":
        message = "the value holds a NUL byte (0x00), which no text field may hold"
        return Problem(file, row, field, shown, "nul_byte", message)
    byte = found.encode("utf-8", "surrogateescape")[0]
    message = f"the value is not UTF-8 (byte 0x{byte:02X}): save the file as UTF-8"
    return Problem(file, row, field, shown, "encoding", message)
