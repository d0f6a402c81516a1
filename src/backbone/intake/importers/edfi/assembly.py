"""What the Ed-Fi sections share while records become rows: where a record came from, the rows
waiting to be yielded, the students seen and the unrecognised codes to warn about once.

Rows are yielded per table and file, at most ``BATCH_ROWS`` a batch, every canonical column
present (None when Ed-Fi has no value) and ``source_row`` set to the record's line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from backbone.warehouse.records import BATCH_ROWS, WARNING, ImportOptions, Problem, RowBatch
from backbone.warehouse.tables import TABLES

# Canonical column → the Ed-Fi element it comes from, so load errors name what the partner sent.
SOURCE_FIELDS: dict[str, dict[str, str]] = {
    "identity_record": {
        "local_id": "StudentUniqueId", "student_id": "StudentUniqueId", "first_name": "FirstName",
        "middle_name": "MiddleName", "last_name": "LastSurname",
        "name_suffix": "GenerationCodeSuffix", "birth_date": "BirthDate", "sex": "BirthSex",
        "ssn": "IdentificationCode",
    },
    "person_demographics": {
        "local_id": "StudentUniqueId", "birth_year_month": "BirthDate", "sex": "Sex",
        "race_ethnicity": "Race", "hispanic": "HispanicLatinoEthnicity",
    },
    "school_enrollment": {
        "local_id": "StudentUniqueId", "school_year": "SchoolYear", "school_id": "SchoolId",
        "grade": "EntryGradeLevel", "entry_date": "EntryDate", "exit_date": "ExitWithdrawDate",
        "exit_type": "ExitWithdrawType",
    },
    "attendance": {
        "local_id": "StudentUniqueId", "school_year": "SchoolYear", "school_id": "SchoolId",
        "days_absent": "EventDuration",
    },
    "attendance_monthly": {
        "local_id": "StudentUniqueId", "school_year": "SchoolYear", "school_id": "SchoolId",
        "month": "EventDate", "days_absent": "EventDuration",
    },
    "assessment": {
        "local_id": "StudentUniqueId", "school_year": "SchoolYear",
        "assessment_id": "AssessmentIdentifier", "administration_date": "AdministrationDate",
        "grade": "WhenAssessedGradeLevel", "scale_score": "ScoreResult",
        "performance_level": "PerformanceLevel",
    },
    "discipline": {
        "local_id": "StudentUniqueId", "incident_id": "IncidentIdentifier",
        "incident_date": "IncidentDate", "action": "Discipline",
        "days_removed": "ActualDisciplineActionLength",
    },
    "program_participation": {
        "local_id": "StudentUniqueId", "program": "ProgramName", "service_type": "ProgramType",
        "start_date": "BeginDate", "end_date": "EndDate",
    },
}  # fmt: skip


class Where(NamedTuple):  # a tuple: made for every record, and a frozen dataclass costs more
    """The file and line a record came from, and the file's date (the extract's date)."""

    file: str
    line: int
    modified: str


# A section's handler for one record type: the batches it fills and the problems it shows.
Handler = Callable[[Any, Where], Iterator[RowBatch | Problem]]


def row(table: str, where: Where, values: dict[str, str | None]) -> dict[str, str | int | None]:
    """A row of ``table`` with every canonical column (None when Ed-Fi has no value)."""
    full: dict[str, str | int | None] = dict.fromkeys(TABLES[table].column_names)
    full.update(values)
    full["source_row"] = where.line
    return full


class Batches:
    """Rows waiting to be yielded, per table and file, at most ``BATCH_ROWS`` at a time."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], list[dict[str, str | int | None]]] = defaultdict(list)

    def add(self, table: str, where: Where, values: dict[str, str | None]) -> Iterator[RowBatch]:
        rows = self.rows[(table, where.file)]
        rows.append(row(table, where, values))
        if len(rows) >= BATCH_ROWS:
            yield _batch(table, where.file, self.rows.pop((table, where.file)))

    def flush(self) -> Iterator[RowBatch]:
        for (table, file), rows in self.rows.items():
            yield _batch(table, file, rows)
        self.rows.clear()


def _batch(table: str, file: str, rows: list[dict[str, str | int | None]]) -> RowBatch:
    return RowBatch(table, file, rows, source_fields=SOURCE_FIELDS.get(table, {}))


class Context:
    """The options, the waiting rows, the students of the Student file and the unknown codes,
    shared by every section of one read."""

    def __init__(self, options: ImportOptions) -> None:
        self.options = options
        self.batches = Batches()
        self.students: set[str] = set()  # StudentUniqueIds of the Student file ("" for none)
        self.unknown_codes: dict[tuple[str, str], Where] = {}

    def check_student(self, student_id: str | None, where: Where) -> Iterator[Problem]:
        """A Problem when a Student file was submitted and the student is not in it."""
        # Only when a Student file was submitted: otherwise there is nothing to check against.
        if self.students and student_id is not None and student_id not in self.students:
            message = "the student is not in the submitted Student file"
            yield Problem(
                where.file, where.line, "StudentUniqueId", student_id, "unknown_student", message
            )

    def note_unknown(self, kind: str, code: str, where: Where) -> None:
        """Remember an unrecognised code where it was first seen, to warn about once."""
        self.unknown_codes.setdefault((kind, code), where)

    def unknown_code_problems(self) -> Iterator[Problem]:
        for (kind, code), where in self.unknown_codes.items():
            message = f"unrecognised {kind} {code!r}: not counted (first seen here)"
            yield Problem(where.file, where.line, kind, code, f"unknown_{kind.replace(' ', '_')}",
                          message, WARNING)  # fmt: skip
