"""Ed-Fi attendance events, school calendars and sessions → ``attendance`` rows.

One row per student, school and school year. ``days_absent`` sums EventDuration (1 when absent)
of "Excused Absence" and "Unexcused Absence" events; tardies, partial days and early departures
are not absences, and any other category is reported once as a warning and not counted.
``days_enrolled`` counts the school's instructional days (CalendarDate "Instructional day", over
all of the school's calendars) within [EntryDate, ExitWithdrawDate] of the student's
StudentSchoolAssociations for that year. When the calendar lists fewer instructional days than
the school's Sessions' TotalInstructionalDays (Grand Bend lists two dates), or none, the Sessions
are used, pro-rated by weekdays for partial enrolment, and one warning says so. A student with
events but no school association is assumed enrolled the whole year, with one warning counting
them; an enrolled student without events, in a school and year that reported attendance, gets
``days_absent`` 0 (Ed-Fi attendance is usually exceptions only). An EventDuration that is not a
number is an error, and the absence counts as one day.

>>> import datetime as dt
>>> weekdays(dt.date(2024, 9, 2), dt.date(2024, 9, 15))  # Monday to the Sunday after next
10
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple
from xml.etree import ElementTree as ET

from backbone.intake.importers.edfi.assembly import Context, Handler, Where
from backbone.intake.importers.edfi.descriptors import (
    iso_date,
    number,
    number_text,
    school_year,
    year_of,
)
from backbone.intake.importers.edfi.fields import (
    CALENDAR,
    SCHOOL,
    STUDENT,
    json_code,
    json_codes,
    json_text,
    xml_code,
    xml_leaf_codes,
    xml_text,
)
from backbone.intake.importers.edfi.monthly import calendar_months, session_months, shares
from backbone.intake.importers.edfi.students import Stays
from backbone.warehouse.records import WARNING, Problem, RowBatch

ABSENCE_CATEGORIES = frozenset({"excused absence", "unexcused absence"})
NOT_ABSENCE_CATEGORIES = frozenset(
    {"in attendance", "present", "tardy", "early departure", "partial"}
)


@dataclass(frozen=True)
class SessionRec:
    school_id: str | None
    school_year: str | None
    begin: str | None
    end: str | None
    total_days: str | None


@dataclass(frozen=True)
class CalendarDateRec:
    school_id: str | None
    school_year: str | None
    day: str | None
    events: tuple[str, ...]


class AttendanceRec(NamedTuple):  # a tuple: the most numerous record, made fastest
    student_id: str | None
    school_id: str | None
    school_year: str | None
    day: str | None
    category: str | None
    duration: str | None


# --- XML elements and API JSON resources → records --------------------------------------------


def xml_session(el: ET.Element) -> SessionRec:
    return SessionRec(
        xml_text(el, SCHOOL),
        xml_text(el, "SchoolYear"),
        xml_text(el, "BeginDate"),
        xml_text(el, "EndDate"),
        xml_text(el, "TotalInstructionalDays"),
    )


def xml_calendar_date(el: ET.Element) -> CalendarDateRec:
    return CalendarDateRec(
        xml_text(el, f"{CALENDAR}/{SCHOOL}"),
        xml_text(el, f"{CALENDAR}/SchoolYear"),
        xml_text(el, "Date"),
        xml_leaf_codes(el, "CalendarEvent") + xml_leaf_codes(el, "CalendarEventDescriptor"),
    )


def xml_attendance(el: ET.Element) -> AttendanceRec:
    # DS 5.x wraps the event's own fields in <AttendanceEvent>; accept them unwrapped too.
    return AttendanceRec(
        xml_text(el, STUDENT),
        xml_text(el, SCHOOL),
        xml_text(el, "SessionReference/SessionIdentity/SchoolYear", "SchoolYear"),
        xml_text(el, "AttendanceEvent/EventDate", "EventDate"),
        xml_code(el, "AttendanceEvent/AttendanceEventCategory")
        or xml_code(el, "AttendanceEventCategory"),
        xml_text(el, "AttendanceEvent/EventDuration", "EventDuration"),
    )


def json_session(r: dict[str, Any]) -> SessionRec:
    return SessionRec(
        json_text(r, "schoolReference.schoolId"),
        json_text(r, "schoolYearTypeReference.schoolYear"),
        json_text(r, "beginDate"),
        json_text(r, "endDate"),
        json_text(r, "totalInstructionalDays"),
    )


def json_calendar_date(r: dict[str, Any]) -> CalendarDateRec:
    return CalendarDateRec(
        json_text(r, "calendarReference.schoolId"),
        json_text(r, "calendarReference.schoolYear"),
        json_text(r, "date"),
        json_codes(r, "calendarEvents", "calendarEventDescriptor"),
    )


def json_attendance(r: dict[str, Any]) -> AttendanceRec:
    return AttendanceRec(
        json_text(r, "studentReference.studentUniqueId"),
        json_text(r, "schoolReference.schoolId"),
        json_text(r, "sessionReference.schoolYear"),
        json_text(r, "eventDate"),
        json_code(r, "attendanceEventCategoryDescriptor"),
        json_text(r, "eventDuration"),
    )


XML_READERS: dict[str, Callable[[ET.Element], Any]] = {
    "Session": xml_session,
    "CalendarDate": xml_calendar_date,
    "StudentSchoolAttendanceEvent": xml_attendance,
}
JSON_READERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "sessions": json_session,
    "calendardates": json_calendar_date,
    "studentschoolattendanceevents": json_attendance,
}


# --- records → rows ---------------------------------------------------------------------------


@dataclass
class Absences:
    """One student's absences at one school in one year, and where they were first seen."""

    where: Where
    days: float = 0.0
    months: dict[str, float] = field(default_factory=dict)  # YYYY-MM → days absent


class Attendance:
    """Absences counted as events are read; rows come at the end, when calendars, sessions and
    every enrolment (``enrollments``, kept by the students section) are known."""

    def __init__(self, context: Context, enrollments: Stays) -> None:
        self.context = context
        self.enrollments = enrollments
        self.sessions: dict[tuple[str | None, str | None], list[SessionRec]] = defaultdict(list)
        self.calendar: dict[tuple[str | None, str | None], set[str]] = defaultdict(set)
        self.absences: dict[tuple[str | None, str | None, str | None], Absences] = {}
        self.attendance_years: set[tuple[str | None, str | None]] = set()

    def handlers(self) -> dict[type, Handler]:
        return {
            SessionRec: self._session,
            CalendarDateRec: self._calendar_date,
            AttendanceRec: self._attendance,
        }

    def _session(self, rec: SessionRec, where: Where) -> Iterator[RowBatch]:
        self.sessions[(rec.school_id, school_year(rec.school_year))].append(rec)
        yield from ()

    def _calendar_date(self, rec: CalendarDateRec, where: Where) -> Iterator[RowBatch]:
        day = iso_date(rec.day)
        if day and any(e.lower() == "instructional day" for e in rec.events):
            year = school_year(rec.school_year) or year_of(day)
            self.calendar[(rec.school_id, year)].add(day)
        yield from ()

    def _attendance(self, rec: AttendanceRec, where: Where) -> Iterator[RowBatch | Problem]:
        day = iso_date(rec.day)
        year = school_year(rec.school_year) or year_of(day)
        key = (rec.student_id, rec.school_id, year)
        absences = self.absences.setdefault(key, Absences(where))
        self.attendance_years.add((rec.school_id, year))
        category = (rec.category or "").lower()
        if category in ABSENCE_CATEGORIES:
            yield from self._absence(rec, absences, where)
        elif category not in NOT_ABSENCE_CATEGORIES:
            self.context.note_unknown("attendance category", rec.category or "", where)

    def _absence(self, rec: AttendanceRec, absences: Absences, where: Where) -> Iterator[Problem]:
        days = number(rec.duration) if rec.duration is not None else 1.0
        if days is None:
            message = "EventDuration is not a number; the absence counts as one day"
            yield Problem(
                where.file, where.line, "EventDuration", rec.duration, "invalid_number", message
            )
            days = 1.0
        absences.days += days
        month = (iso_date(rec.day) or "")[:7]
        if month:  # an undated absence counts in the year only
            absences.months[month] = absences.months.get(month, 0.0) + days

    def finish(self) -> Iterator[RowBatch | Problem]:
        """One row per student, school and year, then the warnings about days enrolled."""
        self._add_enrolled_without_events()
        assumed: set[str | None] = set()
        days = InstructionalDays(self.calendar, self.sessions)
        for (student, school, year), absences in self.absences.items():
            windows = self._windows(student, school, year)
            if windows is None:
                assumed.add(student)
            enrolled = days.count(school, year, windows)
            values = {
                "local_id": student,
                "school_year": year,
                "school_id": school,
                "days_enrolled": number_text(enrolled) if enrolled is not None else None,
                "days_absent": number_text(absences.days),
            }
            yield from self.context.batches.add("attendance", absences.where, values)
            enrolled_months = days.months(school, year, windows, enrolled)
            yield from self._monthly_rows(values, absences, enrolled_months)
        yield from self._attendance_problems(assumed, days)

    def _monthly_rows(
        self, yearly: dict[str, str | None], absences: Absences, enrolled: dict[str, float] | None
    ) -> Iterator[RowBatch]:
        """The student-year's ``attendance_monthly`` rows: every month enrolled or absent."""
        for month in sorted({*(enrolled or {}), *absences.months}):
            values = {
                **yearly,
                "month": month,
                "days_enrolled": None if enrolled is None else number_text(enrolled.get(month, 0)),
                "days_absent": number_text(absences.months.get(month, 0.0)),
            }
            yield from self.context.batches.add("attendance_monthly", absences.where, values)

    def _add_enrolled_without_events(self) -> None:
        # Exception-only attendance: an enrolled student with no events was never absent.
        for (student, school), stays in self.enrollments.items():
            for year, _entry, _exit, where in stays:
                if (school, year) in self.attendance_years:
                    self.absences.setdefault((student, school, year), Absences(where))

    def _windows(
        self, student: str | None, school: str | None, year: str | None
    ) -> list[tuple[str | None, str | None]] | None:
        stays = self.enrollments.get((student, school), [])
        windows = [(entry, exit_date) for y, entry, exit_date, _ in stays if y == year]
        return windows or None

    def _attendance_problems(
        self, assumed: set[str | None], days: InstructionalDays
    ) -> Iterator[Problem]:
        files = sorted({a.where.file for a in self.absences.values()})
        if assumed:
            message = (
                f"{len(assumed)} students have attendance events but no StudentSchoolAssociation; "
                "they were assumed enrolled for the whole school year"
            )
            yield Problem(", ".join(files), None, "days_enrolled", None,
                          "assumed_full_year_enrollment", message, WARNING)  # fmt: skip
        yield from days.problems(", ".join(files))


class InstructionalDays:
    """A school's instructional days in a year, from its calendar or, failing that, sessions."""

    def __init__(
        self,
        calendar: dict[tuple[str | None, str | None], set[str]],
        sessions: dict[tuple[str | None, str | None], list[SessionRec]],
    ) -> None:
        self.calendar = {key: sorted(days) for key, days in calendar.items()}
        self.sessions = sessions
        self.from_sessions: dict[tuple[str | None, str | None], tuple[int, float]] = {}
        self.missing: set[tuple[str | None, str | None]] = set()

    def count(
        self,
        school: str | None,
        year: str | None,
        windows: list[tuple[str | None, str | None]] | None,
    ) -> float | None:
        """Instructional days within ``windows`` ([entry, exit] pairs; None = the whole year)."""
        dates = self.calendar.get((school, year), [])
        sessions = self.sessions.get((school, year), [])
        total = _session_total(sessions)
        if dates and (total is None or len(dates) >= total):
            return float(sum(_dates_within(dates, w) for w in windows or [(None, None)]))
        if total is not None:
            self.from_sessions[(school, year)] = (len(dates), total)
            return total if windows is None else _session_days(sessions, windows)
        self.missing.add((school, year))
        return None

    def months(
        self,
        school: str | None,
        year: str | None,
        windows: list[tuple[str | None, str | None]] | None,
        yearly: float | None,
    ) -> dict[str, float] | None:
        """``count``'s days per month (call ``count`` first): from the calendar dates it used,
        or its sessions' total shared out by weekdays."""
        if yearly is None:
            return None
        if (school, year) not in self.from_sessions:
            return calendar_months(self.calendar[(school, year)], windows or [(None, None)])
        ranges = [
            (begin, end)
            for s in self.sessions.get((school, year), [])
            if (begin := _as_date(s.begin)) and (end := _as_date(s.end))
        ]
        return shares(session_months(ranges, windows or [(None, None)]), yearly)

    def problems(self, files: str) -> Iterator[Problem]:
        if self.from_sessions:
            listed = "; ".join(
                f"school {s} {y}: {n} calendar days, sessions {number_text(t)}"
                for (s, y), (n, t) in sorted(self.from_sessions.items(), key=str)
            )
            message = f"instructional days taken from Session TotalInstructionalDays ({listed})"
            yield Problem(files, None, "days_enrolled", None, "instructional_days_from_sessions",
                          message, WARNING)  # fmt: skip
        if self.missing:
            listed = "; ".join(f"school {s} {y}" for s, y in sorted(self.missing, key=str))
            message = f"no calendar dates or sessions, so days enrolled are unknown ({listed})"
            yield Problem(files, None, "days_enrolled", None, "no_instructional_days", message)


def _session_total(sessions: list[SessionRec]) -> float | None:
    totals = [number(s.total_days) for s in sessions]
    if not totals or any(t is None for t in totals):
        return None
    return float(sum(t for t in totals if t is not None))


def _dates_within(dates: list[str], window: tuple[str | None, str | None]) -> int:
    start = bisect.bisect_left(dates, window[0]) if window[0] else 0
    end = bisect.bisect_right(dates, window[1]) if window[1] else len(dates)
    return max(end - start, 0)


def _session_days(
    sessions: list[SessionRec], windows: list[tuple[str | None, str | None]]
) -> float:
    """Sessions' instructional days pro-rated by the weekdays of each session a window covers."""
    days = 0.0
    for session in sessions:
        begin, end = _as_date(session.begin), _as_date(session.end)
        if begin is None or end is None:
            continue
        length = weekdays(begin, end) or 1
        for entry, exit_date in windows:
            low = max(begin, _as_date(entry) or begin)
            high = min(end, _as_date(exit_date) or end)
            days += float(number(session.total_days) or 0) * weekdays(low, high) / length
    return days


def _as_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def weekdays(start: date, end: date) -> int:
    """Monday-to-Friday days from ``start`` to ``end`` inclusive."""
    if end < start:
        return 0
    weeks, extra = divmod((end - start).days + 1, 7)
    tail = sum(1 for i in range(extra) if (start + timedelta(days=i)).weekday() < 5)
    return weeks * 5 + tail
