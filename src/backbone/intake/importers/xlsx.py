"""The first worksheet of an XLSX file, read by its cells, never by what it claims.

A worksheet says how large it is (``<dimension ref="A1:XFD1048576"/>``) and readers that trust
the claim fill in every empty cell of it. This reader streams the package's XML with expat
(``bounded.xml_parser``: no DTD, no external entities) and keeps only the cells there are:
empty rows are skipped, each row is as wide as the header, and no text may be longer than the
field limit. Before a byte is inflated every part is judged by its zip header
(``bounded.check_members``) and the shared strings, which are held in memory, by their own
limit. Numbers are given as text (``"12.5"``, ``"7"``) and dates as ISO dates, as openpyxl
would give them.

>>> column_index("B2"), column_index("XFD1048576")
(1, 16383)
"""

from __future__ import annotations

import datetime as dt
import posixpath
import zipfile
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any
from xml.parsers import expat

from backbone.intake.importers import bounded
from backbone.warehouse.records import IntakeLimits, Problem

Row = tuple[int, list[str], float]  # row number, values, fraction of the sheet read
RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
CHUNK = 65_536


class _TooLong:
    """Stands in for a shared string over the limit: refused only if a cell uses it."""


TOO_LONG = _TooLong()


def read_rows(path: Path, limits: IntakeLimits) -> Generator[Row, None, None]:
    """Rows with at least one value in the first worksheet of the XLSX file at ``path``.

    Raises ``bounded.Refused`` for a file that is not a readable XLSX package or breaks a
    limit, naming the row and column where it can.
    """
    with bounded.open_zip(path) as package:
        bounded.check_members(package, path.name, limits)
        book = _Book(package, path.name, limits)
        yield from book.sheet_rows()


def column_index(reference: str) -> int:
    """The 0-based column of a cell reference such as ``"AB12"``."""
    index = 0
    for char in reference:
        if not char.isalpha():
            break
        index = index * 26 + ord(char.upper()) - 64
    return index - 1


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def _attribute(attrs: dict[str, str], local: str) -> str | None:
    return next((value for key, value in attrs.items() if _local(key) == local), None)


class _Book:
    """The package's parts that say where the first sheet is and how to read its cells."""

    def __init__(self, package: zipfile.ZipFile, file: str, limits: IntakeLimits):
        self.package, self.file, self.limits = package, file, limits
        book = self._target("_rels/.rels", "officeDocument", "xl/workbook.xml", "")
        folder = posixpath.dirname(book)
        rels = posixpath.join(folder, "_rels", posixpath.basename(book) + ".rels")
        sheet_id, self.date1904 = self._workbook(book)
        self.sheet = self._target(rels, "worksheet", "", folder, sheet_id)
        self.strings = self._shared_strings(self._target(rels, "sharedStrings", "", folder))
        self.dates = self._date_styles(self._target(rels, "styles", "", folder))

    def parse(self, part: str, handlers: dict[str, Callable[..., None]]) -> Iterator[float]:
        """Stream ``part`` through expat with ``handlers``; yields the fraction read per chunk."""
        if not part or part not in self.package.namelist():
            return
        parser = bounded.xml_parser(self.file, part)
        parser.buffer_text = True
        for event, handler in handlers.items():
            setattr(parser, event, handler)
        size = max(self.package.getinfo(part).file_size, 1)
        done = 0
        try:
            with self.package.open(part) as stream:
                while chunk := stream.read(CHUNK):
                    parser.Parse(chunk, False)
                    done += len(chunk)
                    yield done / size
                parser.Parse(b"", True)
        except expat.ExpatError as error:
            message = f"{part} in the file is not well-formed XML: {expat.ErrorString(error.code)}"
            raise bounded.Refused(
                Problem(self.file, None, "", None, "malformed_xlsx", message)
            ) from None
        except bounded.DAMAGED as error:
            message = f"{part} in the file cannot be unpacked: {error}"
            raise bounded.Refused(Problem(self.file, None, "", None, "bad_zip", message)) from None

    def _target(
        self, rels: str, kind: str, default: str, folder: str, wanted: str | None = None
    ) -> str:
        """The part a relationship of type ``kind`` (and id ``wanted``) in ``rels`` points to."""
        found: list[str] = []

        def start(name: str, attrs: dict[str, str]) -> None:
            of_kind = attrs.get("Type", "").rpartition("/")[2] == kind
            if _local(name) == "Relationship" and of_kind and wanted in (None, attrs.get("Id")):
                found.append(attrs.get("Target", ""))

        for _ in self.parse(rels, {"StartElementHandler": start}):
            pass
        if not found:
            return default
        target = found[0]
        if target.startswith("/"):
            return target.lstrip("/")
        return posixpath.normpath(posixpath.join(folder, target))

    def _workbook(self, part: str) -> tuple[str | None, bool]:
        """The relationship id of the first sheet, and whether dates count from 1904."""
        sheets: list[str | None] = []
        date1904 = [False]

        def start(name: str, attrs: dict[str, str]) -> None:
            if _local(name) == "sheet":
                sheets.append(_attribute(attrs, "id"))
            elif _local(name) == "workbookPr":
                date1904[0] = attrs.get("date1904", "").lower() in {"1", "true"}

        for _ in self.parse(part, {"StartElementHandler": start}):
            pass
        return (sheets[0] if sheets else None), date1904[0]

    def _shared_strings(self, part: str) -> list[str | _TooLong]:
        if part and part in self.package.namelist():
            size = self.package.getinfo(part).file_size
            if size > self.limits.max_shared_strings_bytes:
                limit = bounded.megabytes(self.limits.max_shared_strings_bytes)
                message = (
                    f"the spreadsheet's shared strings ({part}) unpack to "
                    f"{bounded.megabytes(size)}, over the limit of {limit}"
                )
                raise bounded.Refused(Problem(self.file, None, "", None, "too_large", message))
        reader = _Texts(self.limits.max_field_chars, "si")
        for _ in self.parse(part, reader.handlers()):
            pass
        return reader.texts

    def _date_styles(self, part: str) -> set[int]:
        """The cell styles (indexes into ``cellXfs``) whose number format shows a date."""
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

        formats: dict[int, str] = dict(BUILTIN_FORMATS)
        styles: list[int] = []
        inside = [False]

        def start(name: str, attrs: dict[str, str]) -> None:
            tag = _local(name)
            if tag == "numFmt":
                formats[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
            elif tag == "cellXfs":
                inside[0] = True
            elif tag == "xf" and inside[0]:
                styles.append(int(attrs.get("numFmtId", "0")))

        def end(name: str) -> None:
            if _local(name) == "cellXfs":
                inside[0] = False

        handlers: dict[str, Callable[..., None]] = {
            "StartElementHandler": start,
            "EndElementHandler": end,
        }
        for _ in self.parse(part, handlers):
            pass
        return {i for i, fmt in enumerate(styles) if is_date_format(formats.get(fmt, ""))}

    def sheet_rows(self) -> Iterator[Row]:
        cells = _Cells(self)
        for fraction in self.parse(self.sheet, cells.handlers()):
            for number, values in cells.done:
                yield number, values, fraction
            cells.done.clear()
        for number, values in cells.done:
            yield number, values, 1.0


class _Texts:
    """Collects the text of each ``item`` element (a shared string ``si``), leaving out
    phonetic runs; a text over ``limit`` is kept as ``TOO_LONG``, not as text."""

    def __init__(self, limit: int, item: str):
        self.limit, self.item = limit, item
        self.texts: list[str | _TooLong] = []
        self.parts: list[str] = []
        self.length = 0
        self.collecting = False
        self.phonetic = 0

    def handlers(self) -> dict[str, Callable[..., None]]:
        return {
            "StartElementHandler": self.start,
            "EndElementHandler": self.end,
            "CharacterDataHandler": self.data,
        }

    def start(self, name: str, _attrs: dict[str, str]) -> None:
        tag = _local(name)
        if tag == self.item:
            self.parts, self.length = [], 0
        elif tag == "rPh":
            self.phonetic += 1
        elif tag == "t" and not self.phonetic:
            self.collecting = True

    def data(self, text: str) -> None:
        if self.collecting:
            self.length += len(text)
            if self.length <= self.limit:
                self.parts.append(text)

    def end(self, name: str) -> None:
        tag = _local(name)
        if tag == "t":
            self.collecting = False
        elif tag == "rPh":
            self.phonetic -= 1
        elif tag == self.item:
            self.texts.append("".join(self.parts) if self.length <= self.limit else TOO_LONG)


class _Cells:
    """Expat handlers turning a worksheet's ``<row>`` and ``<c>`` elements into rows of text."""

    def __init__(self, book: _Book):
        self.book = book
        self.limit = book.limits.max_field_chars
        self.done: list[tuple[int, list[str]]] = []
        self.header: list[str] | None = None
        self.row, self.column = 0, -1
        self.values: dict[int, str] = {}
        self.cell: dict[str, str] = {}
        self.text = _Texts(self.limit, "c")
        self.depth = 0

    def handlers(self) -> dict[str, Callable[..., None]]:
        return {
            "StartElementHandler": self.start,
            "EndElementHandler": self.end,
            "CharacterDataHandler": self.data,
        }

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > self.book.limits.max_xml_depth:
            raise bounded.too_deep(self.book.file, self.row, _local(name), self.book.limits)
        tag = _local(name)
        if tag == "row":
            self.row = int(attrs.get("r") or self.row + 1)
            self.values, self.column = {}, -1
        elif tag == "c":
            reference = attrs.get("r")
            self.column = column_index(reference) if reference else self.column + 1
            self.cell = attrs
            self.text.start("c", attrs)
        elif tag in ("v", "t"):
            self.text.start("t", attrs)
        elif tag == "rPh":
            self.text.start(tag, attrs)

    def data(self, text: str) -> None:
        self.text.data(text)
        if self.text.length > self.limit:
            raise bounded.too_long(self.book.file, self.row, self.field(), self.limit)

    def end(self, name: str) -> None:
        self.depth -= 1
        tag = _local(name)
        if tag in ("v", "t", "rPh"):
            self.text.end("t" if tag == "v" else tag)
        elif tag == "c":
            self.text.end("c")
            value = self.value(self.text.texts.pop())
            width = len(self.header) if self.header is not None else 16_384
            if value and self.column < width:
                self.values[self.column] = value
        elif tag == "row" and self.values:
            values = [""] * (max(self.values) + 1 if self.header is None else len(self.header))
            for column, value in self.values.items():
                values[column] = value
            self.header = values if self.header is None else self.header
            self.done.append((self.row, values))

    def field(self) -> str:
        if self.header is not None and 0 <= self.column < len(self.header):
            return self.header[self.column] or _letters(self.column)
        return _letters(self.column)

    def value(self, raw: str | _TooLong) -> str:
        """A cell's text from its raw ``<v>``/``<t>`` text, by its type and style."""
        kind = self.cell.get("t", "n")
        if kind == "s":
            raw = self._shared(raw)
        if isinstance(raw, _TooLong):
            raise bounded.too_long(self.book.file, self.row, self.field(), self.limit)
        if kind in ("s", "inlineStr", "str", "e") or not raw:
            return raw
        if kind == "b":
            return "True" if raw.strip() == "1" else "False"
        if kind == "d":
            return _iso_date_text(raw)
        return self._number(raw)

    def _shared(self, raw: str | _TooLong) -> str | _TooLong:
        try:
            return self.book.strings[int(str(raw))]
        except (ValueError, IndexError):
            cell = f"{_letters(self.column)}{self.row}"
            message = f"cell {cell} refers to a shared string the file does not hold"
            problem = Problem(
                self.book.file, self.row, self.field(), None, "malformed_xlsx", message
            )
            raise bounded.Refused(problem) from None

    def _number(self, raw: str) -> str:
        try:
            number: Any = float(raw) if any(c in raw for c in ".eE") else int(raw)
        except ValueError:
            return raw
        if int(self.cell.get("s", "0") or 0) in self.book.dates:
            from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

            epoch = CALENDAR_MAC_1904 if self.book.date1904 else CALENDAR_WINDOWS_1900
            try:
                return _date_text(from_excel(number, epoch))
            except (ValueError, OverflowError):  # no date: validation reports the number
                return raw
        if isinstance(number, float) and number.is_integer():
            return str(int(number))
        return str(number)


def _letters(column: int) -> str:
    letters = ""
    column += 1
    while column > 0:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _iso_date_text(raw: str) -> str:
    try:
        return _date_text(dt.datetime.fromisoformat(raw))
    except ValueError:  # not a date after all: validation reports it as written
        return raw


def _date_text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    return value.isoformat() if isinstance(value, dt.date) else str(value)
