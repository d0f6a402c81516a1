"""The Ed-Fi importer's entry point: files → records → canonical rows, section by section.

Each record goes to the section that handles its type (students, attendance, assessments,
discipline, programs). Rows that one record makes are yielded as each file ends; rows that need
several files (identity and demographics, attendance, discipline) come at the end, followed by
one warning per unrecognised code.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from backbone.intake.importers.edfi.assembly import Context, Handler, Where
from backbone.intake.importers.edfi.assessments import Assessments
from backbone.intake.importers.edfi.attendance import Attendance
from backbone.intake.importers.edfi.discipline import Discipline
from backbone.intake.importers.edfi.interchange import Plan, Record, Source, plan, sources
from backbone.intake.importers.edfi.programs import Programs
from backbone.intake.importers.edfi.schools import Schools
from backbone.intake.importers.edfi.students import DemographicRec, StudentRec, Students
from backbone.warehouse.records import CodeNames, ImportOptions, ImportStream, Problem, RowBatch


class Assembler:
    """Turns records into canonical rows; what needs several files is assembled at the end."""

    def __init__(self, options: ImportOptions) -> None:
        self.context = Context(options)
        self.students = Students(self.context)
        self.attendance = Attendance(self.context, self.students.enrollments)
        self.discipline = Discipline(self.context)
        self.schools = Schools(self.context)
        sections = (
            self.students, self.attendance, Assessments(self.context), self.discipline,
            Programs(self.context), self.schools,
        )  # fmt: skip
        self.handlers: dict[type, Handler] = {}
        for section in sections:
            self.handlers.update(section.handlers())

    def add(self, rec: Record, where: Where) -> Iterator[RowBatch | Problem | CodeNames]:
        """Take one record; yield the batches it fills and the problems it shows."""
        if not isinstance(rec, StudentRec | DemographicRec):
            yield from self.context.check_student(getattr(rec, "student_id", None), where)
        yield from self.handlers[type(rec)](rec, where)

    def flush(self) -> Iterator[RowBatch]:
        """Yield every row waiting: called after each file so batches hold one file's rows."""
        yield from self.context.batches.flush()

    def finish(self) -> Iterator[RowBatch | Problem | CodeNames]:
        """Rows assembled over all files (demographics, attendance, discipline), the schools'
        names, then warnings."""
        yield from self.students.finish()
        yield from self.attendance.finish()
        yield from self.discipline.finish()
        yield from self.context.batches.flush()
        yield from self.schools.finish()
        yield from self.context.unknown_code_problems()


def read(source: Path, options: ImportOptions) -> ImportStream:
    """Read Ed-Fi data into batches of canonical rows and the problems found.

    ``source`` is a folder of interchange XML files and/or saved API JSON resources, one such
    file, or a zip of them. Rows are yielded per table and file, at most ``BATCH_ROWS`` a batch;
    rows that need several files (demographics, attendance, discipline) come at the end.
    """
    assembler = Assembler(options)
    with contextlib.ExitStack() as stack:
        plans: list[Plan] = []
        for item in sources(Path(source), stack, options.limits):
            planned = plan(item, options.limits) if isinstance(item, Source) else item
            if isinstance(planned, Problem):
                yield planned
            elif planned is not None:
                plans.append(planned)
        for done, file_plan in enumerate(sorted(plans, key=lambda p: p.phase)):
            yield from _read_plan(file_plan, assembler, done / len(plans))
        for out in assembler.finish():
            if isinstance(out, RowBatch):
                out.progress = 1.0  # everything has been read by now
            yield out


def _read_plan(file_plan: Plan, assembler: Assembler, progress: float) -> ImportStream:
    """One file's records through the assembler; batches report the share of files begun."""
    for item in file_plan.read():
        if isinstance(item, Problem):
            yield item
            continue
        record, line = item
        where = Where(file_plan.source.name, line, file_plan.source.modified)
        for out in assembler.add(record, where):
            if isinstance(out, RowBatch):
                out.progress = progress
            yield out
    for batch in assembler.flush():
        batch.progress = progress
        yield batch
