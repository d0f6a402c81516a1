"""Writing partners' tabular files (CSV and XLSX) and the truth folder, deterministically.

``Sink`` collects the manifest and, for every source record written, the true person it is
about (``truth/persons.csv``). Zip containers get a fixed timestamp so that the same seed
gives byte-identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

FIXED_ZIP_TIME = (2026, 11, 1, 0, 0, 0)
Cell = str | int | float | dt.date | None


@dataclass(frozen=True)
class ManifestEntry:
    """One file to ingest: who sends it, under which contract, for which period, and where."""

    partner: str
    contract: str
    period: str
    path: str  # relative to the city's folder


@dataclass
class TruthRecord:
    partner: str
    contract: str
    file: str
    local_id: str
    person_id: str
    noise: str = ""


@dataclass
class Sink:
    """Where generated files go: the city folder, the manifest and the truth links."""

    root: Path
    entries: list[ManifestEntry] = field(default_factory=list)
    truth: list[TruthRecord] = field(default_factory=list)
    _seen: set[tuple[str, str]] = field(default_factory=set)

    def path(self, partner: str, contract: str, period: str, suffix: str) -> Path:
        target = self.root / partner / contract / f"{period}{suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def add(self, partner: str, contract: str, period: str, target: Path) -> str:
        relative = target.relative_to(self.root).as_posix()
        self.entries.append(ManifestEntry(partner, contract, period, relative))
        return relative

    def link(
        self, partner: str, contract: str, file: str, local_id: str, person_id: str,
        noise: Iterable[str] = (),
    ) -> None:  # fmt: skip
        """Record that ``local_id`` in ``file`` is person ``person_id`` (once per file)."""
        if (file, local_id) in self._seen:
            return
        self._seen.add((file, local_id))
        self.truth.append(TruthRecord(partner, contract, file, local_id, person_id,
                                      ";".join(noise)))  # fmt: skip


def text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Cell]], crlf: bool = False
) -> None:
    """A UTF-8 CSV, quoted only when needed; dates ISO unless already text."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n" if crlf else "\n")
        writer.writerow(header)
        writer.writerows([text(v) for v in row] for row in rows)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """A CSV in memory, with CRLF line ends (HMIS exports)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([text(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def write_xlsx(path: Path, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> None:
    """An XLSX workbook with one sheet; dates as Excel dates; byte-identical for equal input."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Roster"
    sheet.append(list(header))
    for row in rows:
        sheet.append([v if v is not None else None for v in row])
    for cell in sheet["D"][1:]:
        cell.number_format = "yyyy-mm-dd"
    fixed = dt.datetime(2026, 11, 1)
    workbook.properties.created = fixed
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(normalise_zip(buffer.getvalue()))


_MODIFIED = re.compile(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>")


def normalise_zip(data: bytes) -> bytes:
    """The same zip with every member's timestamp fixed and Office's 'modified' date pinned."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(
                    rb"<dcterms:modified\1>2026-11-01T00:00:00Z</dcterms:modified>", content
                )
            target.writestr(zip_info(info.filename), content)
    return out.getvalue()


def zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info
