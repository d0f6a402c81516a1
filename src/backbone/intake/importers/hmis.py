"""HUD HMIS CSV exports (FY2024 and FY2026) → identity, demographic and housing rows.

An HMIS CSV export is a set of CSV files (``Export.csv``, ``Client.csv``, ``Enrollment.csv`` …)
in a zip, at its root or inside one folder, or in a folder (standards §2). This importer reads
six of them and produces rows of three canonical tables:

* ``identity_record`` and ``person_demographics``: one row each per client in ``Client.csv``;
* ``housing``: one row per enrollment in ``Enrollment.csv``, with its exit from ``Exit.csv`` and
  its project type and provider (the organisation's name) from ``Project.csv`` and
  ``Organization.csv``.

Rows whose ``DateDeleted`` is filled are soft-deleted and skipped in every file. Columns are
found by name, so a vendor's column order does not matter, and the export's other files are
ignored. Values pass through as text (timestamps in date columns cut to the date); the load
casts and validates them against the table contracts. What only this importer can see is
reported as ``Problem``s: a missing file or column, an unsupported ``CSVVersion``, a row that
refers to a client, project, organisation or enrollment the export does not hold.

>>> for item in read(Path("hmis-export.zip"), ImportOptions(partner="coc")): ...  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Container, Generator, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from backbone.intake.importers import bounded
from backbone.warehouse.records import (
    BATCH_ROWS,
    ImportOptions,
    ImportStream,
    IntakeLimits,
    Problem,
    RowBatch,
)  # fmt: skip

EXPORT = "Export.csv"
ORGANIZATION = "Organization.csv"
PROJECT = "Project.csv"
CLIENT = "Client.csv"
ENROLLMENT = "Enrollment.csv"
EXIT = "Exit.csv"
REQUIRED_FILES = (EXPORT, ORGANIZATION, PROJECT, CLIENT, ENROLLMENT, EXIT)

FY2024 = "FY2024"
FY2026 = "FY2026"
# The year that starts Export.csv's CSVVersion ("2024 v1.2", "2026 v1.0", plain "2026").
SUPPORTED_VERSIONS = {"2024": FY2024, "2026": FY2026}

DELETED = "DateDeleted"
# 3.04 race and ethnicity: one 0/1 column per category. FY2026 relabelled the Hispanic column,
# but FY2024 exports and some FY2026 vendors keep the old spelling, so either is accepted.
HISPANIC_COLUMNS = {FY2026: "HispanicLatinao", FY2024: "HispanicLatinaeo"}
RACE_COLUMNS = {
    "AmIndAKNative": "American Indian or Alaska Native",
    "Asian": "Asian",
    "BlackAfAmerican": "Black or African American",
    "MidEastNAfrican": "Middle Eastern or North African",
    "NativeHIPacific": "Native Hawaiian or Pacific Islander",
    "White": "White",
}
SEX_CODES = {"0": "female", "1": "male"}  # 4.21 Sex (FY2026); 8, 9, 99 and blanks are unknown

# Required columns: the keys, the fields the LSA's business logic uses (standards §2.5), what
# the canonical rows are built from, and DateDeleted, without which deleted rows would load.
# Client.csv also needs one of HISPANIC_COLUMNS. Names and Sex are read when present.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    EXPORT: ("ExportID", "ExportDate", "ExportEndDate", "CSVVersion"),
    ORGANIZATION: ("OrganizationID", "OrganizationName", DELETED),
    PROJECT: (
        "ProjectID", "OrganizationID", "ContinuumProject", "ProjectType", "RRHSubType",
        "OperatingEndDate", DELETED,
    ),
    CLIENT: (
        "PersonalID", "SSN", "SSNDataQuality", "DOB", "DOBDataQuality", *RACE_COLUMNS,
        "RaceNone", "VeteranStatus", DELETED,
    ),
    ENROLLMENT: (
        "EnrollmentID", "PersonalID", "ProjectID", "EntryDate", "HouseholdID",
        "RelationshipToHoH", "MoveInDate", "DisablingCondition", DELETED,
    ),
    EXIT: (
        "ExitID", "EnrollmentID", "PersonalID", "ExitDate", "Destination",
        "DestinationSubsidyType", DELETED,
    ),
}  # fmt: skip

# The files read after Export.csv, in order; Enrollment.csv twice (its ids, then its rows).
_PASSES = (ORGANIZATION, PROJECT, CLIENT, ENROLLMENT, EXIT, ENROLLMENT)
_CANONICAL_NAMES = {name.lower(): name for name in REQUIRED_FILES}
_VERSION = re.compile(r"\s*(?:FY\s*)?(\d{4})\b", re.IGNORECASE)
_TIMESTAMP = re.compile(r"(\d{4}-\d{2}-\d{2})[ T]\d")
_YEAR_MONTH = re.compile(r"(\d{4}-\d{2})-\d{2}$")
# What a damaged file raises while it is read: reported as a problem, not a crash.
_READ_ERRORS = (UnicodeDecodeError, csv.Error, zipfile.BadZipFile, zlib.error, EOFError)

Row = dict[str, str | None]
CanonicalRow = dict[str, str | int | None]


def read(source: Path, options: ImportOptions) -> ImportStream:
    """Read an HMIS CSV export into canonical rows, streaming.

    Args:
        source: a ``.zip`` of the export's CSV files (at its root or in one folder) or a folder
            holding them (or holding one folder that does).
        options: unused; an HMIS export needs no column mapping.

    Yields:
        ``RowBatch``es of ``identity_record``, ``person_demographics`` and ``housing`` rows (at
        most ``BATCH_ROWS`` rows each, every row with its ``source_row`` line) and ``Problem``s.
        A missing file or column or an unsupported version stops the read after it is reported.
    """
    try:
        with _open_files(Path(source), options.limits) as files:
            yield from _read(files)
    except _UnreadableError as error:
        yield error.problem
    except bounded.Refused as refusal:  # a field over the limit, a NUL, bytes not UTF-8
        yield refusal.problem


def race_ethnicity(client: Mapping[str, str | None]) -> str:
    """The canonical race/ethnicity code of one ``Client.csv`` row (``RACE_ETHNICITY``).

    Hispanic or Latino when that column is 1; else the one race marked 1; "Two or more races"
    when several are; "Unknown" when none is (``RaceNone`` 8/9/99 or no answer).
    """
    if _hispanic_value(client) == "1":
        return "Hispanic or Latino"
    races = [label for column, label in RACE_COLUMNS.items() if client.get(column) == "1"]
    if len(races) > 1:
        return "Two or more races"
    return races[0] if races else "Unknown"


def hispanic(client: Mapping[str, str | None]) -> str | None:
    """``"true"``/``"false"`` from the Hispanic column of a ``Client.csv`` row.

    ``None`` when it is blank or the client gave no race or ethnicity (``RaceNone`` filled):
    a 0 there means "not asked or not answered", not "not Hispanic".
    """
    value = _hispanic_value(client)
    if value == "1":
        return "true"
    return "false" if value == "0" and not client.get("RaceNone") else None


def _hispanic_value(client: Mapping[str, str | None]) -> str | None:
    return next((client[c] for c in HISPANIC_COLUMNS.values() if client.get(c)), None)


# --- the read, step by step ---------------------------------------------------------------


def _read(files: _Files) -> ImportStream:
    missing = [_missing_file(name) for name in REQUIRED_FILES if name not in files.paths]
    yield from missing
    if missing:
        return
    facts = yield from _export_facts(files)
    if facts is None:
        return
    version, as_of = facts
    problems = [p for name in REQUIRED_FILES[1:] for p in _header_problems(files, name, version)]
    yield from problems
    if not problems:
        yield from _Reader(files, version, as_of).read()


def _missing_file(name: str) -> Problem:
    return Problem(name, None, "", None, "required_file", f"the export has no {name}")


def _export_facts(files: _Files) -> Generator[Problem, None, tuple[str, str | None] | None]:
    """(version, as-of date) from Export.csv, or ``None`` after reporting why not."""
    problems = _header_problems(files, EXPORT, None)
    yield from problems
    if problems:
        return None
    line, row = files.first_row(EXPORT) or (2, {})
    value = row.get("CSVVersion")
    match = _VERSION.match(value or "")
    version = SUPPORTED_VERSIONS.get(match.group(1)) if match else None
    if version is None:
        supported = ", ".join(SUPPORTED_VERSIONS)
        message = f"CSVVersion must be an HMIS CSV version this importer reads ({supported})"
        yield Problem(EXPORT, line, "CSVVersion", value, "csv_version", message)
        return None
    # ExportDate is when the data was pulled: the date the demographics were true on.
    return version, _date(row.get("ExportDate")) or _date(row.get("ExportEndDate"))


def _header_problems(files: _Files, name: str, version: str | None) -> list[Problem]:
    """A problem (line 1) for each required column the file's header lacks."""
    header = set(files.header(name))
    if not header:
        return [Problem(name, 1, "", None, "header", f"{name} is empty: no header row")]
    problems = [_missing_column(name, c) for c in REQUIRED_COLUMNS[name] if c not in header]
    if name == CLIENT and header.isdisjoint(HISPANIC_COLUMNS.values()):
        expected = HISPANIC_COLUMNS[version or FY2026]
        other = next(c for c in HISPANIC_COLUMNS.values() if c != expected)
        problems.append(_missing_column(name, expected, f" (nor {other})"))
    return problems


def _missing_column(name: str, column: str, also: str = "") -> Problem:
    message = f"{name} has no {column} column{also}: the HMIS CSV format requires it"
    return Problem(name, 1, column, None, "required_column", message)


class _Reader:
    """Reads the export's files in order, keeping the id lookups the joins need."""

    def __init__(self, files: _Files, version: str, as_of: str | None):
        self.files, self.version, self.as_of = files, version, as_of
        self.providers: dict[str | None, str | None] = {}  # OrganizationID → OrganizationName
        self.projects: dict[str | None, tuple[str | None, str | None]] = {}  # → provider, type
        self.people: set[str | None] = set()  # PersonalIDs of clients not deleted
        self.enrollments: set[str | None] = set()  # EnrollmentIDs not deleted
        self.exits: dict[str | None, tuple[int, str | None, str | None]] = {}  # → line, date, dest
        self.start = files.bytes_read()
        self.total = max(sum(files.sizes[name] for name in _PASSES), 1)

    def read(self) -> ImportStream:
        yield from self.read_organizations()
        yield from self.read_projects()
        yield from self.read_clients()
        self.read_enrollment_ids()
        yield from self.read_exits()
        yield from self.read_housing()

    def progress(self) -> float:
        return min((self.files.bytes_read() - self.start) / self.total, 1.0)

    def read_organizations(self) -> Iterator[Problem]:
        for item in self.files.rows(ORGANIZATION):
            if isinstance(item, Problem):
                yield item
            else:
                self.providers[item[1]["OrganizationID"]] = item[1]["OrganizationName"]

    def read_projects(self) -> Iterator[Problem]:
        for item in self.files.rows(PROJECT):
            if isinstance(item, Problem):
                yield item
                continue
            line, row = item
            problem = _reference(PROJECT, line, row, "OrganizationID", self.providers, ORGANIZATION)
            if problem:
                yield problem
            # Kept even with a bad organisation, so its enrollments are not reported again.
            provider = self.providers.get(row["OrganizationID"])
            self.projects[row["ProjectID"]] = (provider, row["ProjectType"])

    def read_clients(self) -> ImportStream:
        batches = _Batches(CLIENT, self.progress)
        for item in self.files.rows(CLIENT):
            if isinstance(item, Problem):
                yield item
                continue
            line, row = item
            self.people.add(row["PersonalID"])
            yield from batches.add("identity_record", self.identity(line, row))
            yield from batches.add("person_demographics", self.demographics(line, row))
        yield from batches.flush()

    def identity(self, line: int, client: Row) -> CanonicalRow:
        return {
            "source_row": line,
            "local_id": client["PersonalID"],
            "first_name": client.get("FirstName"),
            "middle_name": client.get("MiddleName"),
            "last_name": client.get("LastName"),
            "name_suffix": client.get("NameSuffix"),
            "birth_date": _date(client["DOB"]),
            "sex": self.sex(client),
            "race_ethnicity": race_ethnicity(client),
            "ssn": client["SSN"],
            "dob_quality": client["DOBDataQuality"],
            "ssn_quality": client["SSNDataQuality"],
        }

    def demographics(self, line: int, client: Row) -> CanonicalRow:
        birth = _YEAR_MONTH.match(_date(client["DOB"]) or "")
        return {
            "source_row": line,
            "local_id": client["PersonalID"],
            "as_of": self.as_of,
            "birth_year_month": birth.group(1) if birth else None,
            "sex": self.sex(client),
            "race_ethnicity": race_ethnicity(client),
            "hispanic": hispanic(client),
            # An HMIS records people served as homeless; prevention projects (type 12) serve
            # people at risk of it, whom the housing rows' project_type tells apart.
            "homeless": "true",
        }

    def sex(self, client: Row) -> str | None:
        # FY2024 recorded gender (3.06), not sex: it has no Sex column to read.
        if self.version != FY2026 or "Sex" not in client:
            return None
        return SEX_CODES.get(client["Sex"] or "", "unknown")

    def read_enrollment_ids(self) -> None:
        # Row problems of Enrollment.csv are reported once, by the housing pass.
        for item in self.files.rows(ENROLLMENT):
            if isinstance(item, tuple):
                self.enrollments.add(item[1]["EnrollmentID"])

    def read_exits(self) -> Iterator[Problem]:
        for item in self.files.rows(EXIT):
            if isinstance(item, Problem):
                yield item
                continue
            line, row = item
            problem = self.exit_problem(line, row)
            if problem:
                yield problem
            else:
                self.exits[row["EnrollmentID"]] = (line, _date(row["ExitDate"]), row["Destination"])

    def exit_problem(self, line: int, row: Row) -> Problem | None:
        problem = _reference(EXIT, line, row, "EnrollmentID", self.enrollments, ENROLLMENT)
        first = self.exits.get(row["EnrollmentID"])
        if problem or not first:
            return problem
        # An enrollment has at most one exit; which of two is right only the partner knows.
        message = f"enrollment {row['EnrollmentID']!r} already has an exit, on line {first[0]}"
        return Problem(EXIT, line, "EnrollmentID", row["EnrollmentID"], "duplicate_exit", message)

    def read_housing(self) -> ImportStream:
        batches = _Batches(ENROLLMENT, self.progress)
        for item in self.files.rows(ENROLLMENT):
            if isinstance(item, Problem):
                yield item
                continue
            problems = self.enrollment_problems(*item)
            yield from problems
            if not problems:
                yield from batches.add("housing", self.episode(*item))
        yield from batches.flush()

    def enrollment_problems(self, line: int, row: Row) -> list[Problem]:
        problems = (
            _reference(ENROLLMENT, line, row, "PersonalID", self.people, CLIENT),
            _reference(ENROLLMENT, line, row, "ProjectID", self.projects, PROJECT),
        )
        return [p for p in problems if p]

    def episode(self, line: int, enrollment: Row) -> CanonicalRow:
        provider, project_type = self.projects[enrollment["ProjectID"]]
        _, exit_date, destination = self.exits.get(enrollment["EnrollmentID"], (0, None, None))
        return {
            "source_row": line,
            "local_id": enrollment["PersonalID"],
            "enrollment_id": enrollment["EnrollmentID"],
            "household_id": enrollment["HouseholdID"],
            "provider": provider,
            "project_type": project_type,
            "entry_date": _date(enrollment["EntryDate"]),
            "exit_date": exit_date,
            "move_in_date": _date(enrollment["MoveInDate"]),
            "destination": destination,
            "relationship_to_hoh": enrollment["RelationshipToHoH"],
        }


def _reference(
    file: str, line: int, row: Row, column: str, known: Container[str | None], target: str
) -> Problem | None:
    """A problem when ``row[column]`` names no live row of ``target``."""
    value = row[column]
    if value is not None and value in known:
        return None
    message = f"{column} {value!r} is not in {target}, or is deleted there"
    return Problem(file, line, column, value, "reference", message)


def _date(value: str | None) -> str | None:
    """The date part of an HMIS timestamp ("2024-03-01 10:22:00"); other text unchanged."""
    match = _TIMESTAMP.match(value or "")
    return match.group(1) if match else value


# Canonical column → the HMIS column it comes from, so errors name the column the export uses.
SOURCE_FIELDS = {
    CLIENT: {
        "local_id": "PersonalID", "first_name": "FirstName", "middle_name": "MiddleName",
        "last_name": "LastName", "name_suffix": "NameSuffix", "birth_date": "DOB", "ssn": "SSN",
        "dob_quality": "DOBDataQuality", "ssn_quality": "SSNDataQuality", "sex": "Sex",
        "birth_year_month": "DOB",
    },
    ENROLLMENT: {
        "local_id": "PersonalID", "enrollment_id": "EnrollmentID", "household_id": "HouseholdID",
        "project_type": "ProjectType", "entry_date": "EntryDate", "exit_date": "ExitDate",
        "move_in_date": "MoveInDate", "destination": "Destination",
        "relationship_to_hoh": "RelationshipToHoH",
    },
}  # fmt: skip


class _Batches:
    """Collects one file's rows per canonical table; hands out full ``RowBatch``es."""

    def __init__(self, file: str, progress: Callable[[], float]):
        self.file, self.progress = file, progress
        self.pending: dict[str, list[CanonicalRow]] = {}

    def add(self, table: str, row: CanonicalRow) -> Iterator[RowBatch]:
        rows = self.pending.setdefault(table, [])
        rows.append(row)
        if len(rows) >= BATCH_ROWS:
            yield self.take(table)

    def flush(self) -> Iterator[RowBatch]:
        for table in [t for t, rows in self.pending.items() if rows]:
            yield self.take(table)

    def take(self, table: str) -> RowBatch:
        rows = self.pending.pop(table)
        fields = SOURCE_FIELDS.get(self.file, {})
        return RowBatch(table, self.file, rows, progress=self.progress(), source_fields=fields)


# --- the export's files, in a folder or a zip ---------------------------------------------


class _UnreadableError(Exception):
    """The source or one of its files cannot be read at all; carries the problem to report."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


class _Files:
    """The export's required CSV files by canonical name, and their rows."""

    def __init__(
        self,
        paths: dict[str, str],
        opener: Callable[[str], IO[bytes]],
        sizes: dict[str, int],
        max_chars: int,
    ):
        self.paths = paths  # canonical name → path inside the folder or the zip
        self.sizes = sizes
        self.max_chars = max_chars
        self._open_binary = opener
        self._raw: IO[bytes] | None = None  # the file being read, for its position
        self._finished_bytes = 0

    def header(self, name: str) -> list[str]:
        """The column names on the file's first line."""
        with self._open(name) as handle:
            records = bounded.csv_records(handle, name, self.max_chars)
            return [column.strip() for column in next(records, (1, []))[1]]

    def rows(self, name: str) -> Generator[tuple[int, Row] | Problem, None, None]:
        """(line, row) for each data row not soft-deleted, and a problem for each row whose
        number of fields differs from the header's. ``line`` is the row's first line."""
        with self._open(name) as handle:
            records = bounded.csv_records(handle, name, self.max_chars)
            header = [column.strip() for column in next(records, (1, []))[1]]
            line = 1
            try:
                for line, values in records:
                    item = _row(name, line, header, values) if values else None
                    if item and _is_live(item):  # no row on a blank line; skip deleted rows
                        yield item
            except _READ_ERRORS as error:
                problem = Problem(name, line + 1, "", None, "unreadable", f"unreadable: {error}")
                raise _UnreadableError(problem) from error

    def first_row(self, name: str) -> tuple[int, Row] | None:
        """The file's first data row that is not deleted, if any."""
        rows = self.rows(name)
        try:
            return next((item for item in rows if isinstance(item, tuple)), None)
        finally:
            rows.close()  # closes the file now, not whenever the generator is collected

    def bytes_read(self) -> int:
        """Bytes read so far from all files: drives the progress bar."""
        return self._finished_bytes + (_position(self._raw) if self._raw else 0)

    @contextmanager
    def _open(self, name: str) -> Iterator[io.TextIOWrapper]:
        # utf-8-sig drops the byte-order mark some exports start with; newline="" lets the csv
        # module see quoted line breaks as part of a field.
        raw = self._open_binary(self.paths[name])
        self._raw, handle = raw, bounded.open_csv(raw)
        try:
            yield handle
        except _READ_ERRORS as error:  # while reading the header: rows() says which line
            problem = Problem(name, 1, "", None, "unreadable", f"unreadable: {error}")
            raise _UnreadableError(problem) from error
        finally:
            self._finished_bytes += _position(raw)
            self._raw = None
            handle.close()


def _row(name: str, line: int, header: list[str], values: list[str]) -> tuple[int, Row] | Problem:
    if len(values) != len(header):
        message = f"{len(values)} fields where the header has {len(header)}"
        return Problem(name, line, "", None, "field_count", message)
    row = {column: value or None for column, value in zip(header, values, strict=True)}
    return (line, row)


def _position(raw: IO[bytes]) -> int:
    try:
        return raw.tell()
    except (OSError, ValueError):  # closed, or a zip member that cannot tell
        return 0


def _is_live(item: tuple[int, Row] | Problem) -> bool:
    return isinstance(item, Problem) or not (item[1].get(DELETED) or "").strip()


@contextmanager
def _open_files(source: Path, limits: IntakeLimits) -> Iterator[_Files]:
    """The export's files in ``source``, a folder or a zip, each checked against ``limits``
    before it is read."""
    chars = limits.max_field_chars
    if source.is_dir():
        paths = [p.relative_to(source).as_posix() for p in _folder_files(source)]
        chosen = _choose(paths)
        for path in chosen.values():
            bounded.check_file_size(source / path, limits)
        sizes = {name: (source / path).stat().st_size for name, path in chosen.items()}
        yield _Files(chosen, lambda path: open(source / path, "rb"), sizes, chars)  # noqa: SIM115
    elif zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            chosen = _choose([n for n in archive.namelist() if not n.endswith("/")])
            for path in chosen.values():
                problem = bounded.member_problem(source.name, archive.getinfo(path), limits)
                if problem:
                    raise _UnreadableError(problem)
            sizes = {name: archive.getinfo(path).file_size for name, path in chosen.items()}
            yield _Files(chosen, archive.open, sizes, chars)
    else:
        what = "is neither a zip nor a folder" if source.exists() else "does not exist"
        message = f"{source.name} {what}: an HMIS export is a zip or a folder of CSV files"
        raise _UnreadableError(Problem(source.name, None, "", None, "source", message))


def _folder_files(root: Path) -> list[Path]:
    # The CSVs may sit in the folder itself or in one folder inside it (an unzipped export).
    inner = [child for d in root.iterdir() if d.is_dir() for child in d.iterdir()]
    return [p for p in [*root.iterdir(), *inner] if p.is_file()]


def _choose(paths: list[str]) -> dict[str, str]:
    """Canonical name → path of the required files, all from one folder: the one holding the
    most of them (the top level on a tie), at most one folder deep. Names match in any case."""
    folders: dict[str, dict[str, str]] = {}
    for path in paths:
        folder, _, name = path.replace("\\", "/").rpartition("/")
        canonical = _CANONICAL_NAMES.get(name.lower())
        if canonical and "/" not in folder and not folder.startswith("__MACOSX"):
            folders.setdefault(folder, {})[canonical] = path
    if not folders:
        return {}
    best = max(sorted(folders), key=lambda folder: (len(folders[folder]), folder == ""))
    return folders[best]
