"""Hostile files, written by code: spreadsheets that lie about their size, zip bombs, XML with
a DTD, CSV fields past every limit. Each is small on disk and enormous (or dangerous) when read
naively; the tests check that intake rejects them quickly, in bounded memory, naming where."""

from __future__ import annotations

import zipfile
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
SHARED = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
WORKBOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"

CONTENT_TYPES = (
    f'<Types xmlns="{RELS.replace("relationships", "content-types")}">'
    f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package'
    '.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{WORKBOOK}"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET}"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED}"/></Types>'
)
ROOT_RELS = (
    f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
    f'Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_XML = (
    f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>'
    '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<Relationships xmlns="{RELS}">'
    f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
# A program participation roster in canonical names (no mapping needed), one participant.
ROSTER = [["local_id", "program", "start_date"], ["S-1", "Math Club", "2024-09-05"]]


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xml(rows: list[list[str]], dimension: str = "", prolog: str = "") -> str:
    """A worksheet holding ``rows`` as inline strings, claiming ``dimension`` if given."""
    body = "".join(
        f'<row r="{r}">'
        + "".join(_inline(f"{chr(65 + c)}{r}", v) for c, v in enumerate(row))
        + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    claim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'{prolog}<worksheet xmlns="{MAIN}">{claim}<sheetData>{body}</sheetData></worksheet>'


def write_xlsx(path: Path, sheet: str, shared: str | bytes | None = None) -> Path:
    """An XLSX package with one worksheet (``sheet``) and, if given, a shared strings part."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", ROOT_RELS)
        package.writestr("xl/workbook.xml", WORKBOOK_XML)
        package.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        package.writestr("xl/worksheets/sheet1.xml", sheet)
        package.writestr("xl/sharedStrings.xml", shared or f'<sst xmlns="{MAIN}"/>')
    return path


def xlsx_claiming_every_cell(path: Path) -> Path:
    """A roster whose sheet claims A1:XFD1048576 and holds a cell there: 17 billion cells, all
    but seven of them empty."""
    last = '<row r="1048576">' + _inline("XFD1048576", "end") + "</row>"
    sheet = sheet_xml(ROSTER, dimension="A1:XFD1048576")
    return write_xlsx(path, sheet.replace("</sheetData>", last + "</sheetData>"))


def xlsx_with_dtd(path: Path) -> Path:
    """A worksheet whose DTD defines a billion-laughs entity, used in a cell."""
    laughs = ['<!ENTITY l0 "ha">'] + [
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    ]
    prolog = f"<!DOCTYPE worksheet [{''.join(laughs)}]>"
    rows = [ROSTER[0], ["&l9;", "Math Club", "2024-09-05"]]
    return write_xlsx(path, sheet_xml(rows, prolog=prolog))


def xlsx_with_huge_shared_string(path: Path, size: int = 256 * 1024 * 1024) -> Path:
    """A roster whose participant's program is one shared string of ``size`` characters."""
    cells = (
        _inline("A1", "local_id") + _inline("B1", "program") + _inline("C1", "start_date"),
        _inline("A2", "S-1") + '<c r="B2" t="s"><v>0</v></c>' + _inline("C2", "2024-09-05"),
    )
    rows = "".join(f'<row r="{r}">{c}</row>' for r, c in enumerate(cells, start=1))
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", ROOT_RELS)
        package.writestr("xl/workbook.xml", WORKBOOK_XML)
        package.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        package.writestr("xl/worksheets/sheet1.xml", sheet)
        with package.open("xl/sharedStrings.xml", "w") as shared:
            shared.write(f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode())
            _write_repeated(shared, b"A", size)
            shared.write(b"</t></si></sst>")
    return path


def _write_repeated(stream, byte: bytes, size: int) -> None:
    chunk = byte * (1024 * 1024)
    for _ in range(size // len(chunk)):
        stream.write(chunk)
    stream.write(byte * (size % len(chunk)))


EDFI = "http://ed-fi.org/5.2.0"


def edfi_zip_with_huge_student_id(path: Path, size: int, level: int = 9) -> Path:
    """A zip of one Ed-Fi Student interchange whose StudentUniqueId holds ``size`` characters."""
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive,
        archive.open("Student.xml", "w") as member,
    ):
        member.write(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<InterchangeStudent xmlns="{EDFI}">\n'
            "<Student>\n<StudentUniqueId>".encode()
        )
        _write_repeated(member, b"7", size)
        member.write(
            b"</StudentUniqueId>\n<BirthData><BirthDate>2014-01-02</BirthDate></BirthData>\n"
            b"</Student>\n</InterchangeStudent>\n"
        )
    return path


def edfi_with_dtd(path: Path) -> Path:
    """An Ed-Fi Student interchange whose DTD defines an entity used as a student's id."""
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE InterchangeStudent [<!ENTITY id "12345">]>\n'
        f'<InterchangeStudent xmlns="{EDFI}">\n'
        "<Student><StudentUniqueId>&id;</StudentUniqueId></Student>\n</InterchangeStudent>\n"
    )
    return path


def edfi_nested_deeply(path: Path, depth: int) -> Path:
    """An Ed-Fi Student interchange with one Student ``depth`` elements deep."""
    path.write_text(
        f'<?xml version="1.0"?>\n<InterchangeStudent xmlns="{EDFI}">\n<Student>'
        + "<x>" * depth
        + "</x>" * depth
        + "</Student>\n</InterchangeStudent>\n"
    )
    return path


def edfi_json_zip_with_huge_student_id(path: Path, size: int, level: int = 9) -> Path:
    """A zip of one saved Ed-Fi API resource file (``students.json``) whose one student's
    ``studentUniqueId`` holds ``size`` characters."""
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive,
        archive.open("students.json", "w") as member,
    ):
        member.write(b'[{"birthDate": "2014-01-02",\n "studentUniqueId": "')
        _write_repeated(member, b"7", size)
        member.write(b'"}]\n')
    return path


def edfi_json_zip_nested_deeply(path: Path, depth: int) -> Path:
    """A zip of ``students.json`` whose one student holds arrays nested ``depth`` deep."""
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("students.json", "w") as member,
    ):
        member.write(b'[{"studentUniqueId": "7", "addresses": ')
        _write_repeated(member, b"[", depth)
        _write_repeated(member, b"]", depth)
        member.write(b"}]\n")
    return path
