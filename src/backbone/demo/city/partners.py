"""Files of the community partners: CBO rosters, UI wages, training, hires and college.

Each partner keeps its own person ids and records names and birth dates with the noise of
``names.noisy_identity`` (drawn once per partner and person, so a partner is self-consistent).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from backbone.demo.city import params as p
from backbone.demo.city.calendar import school_year
from backbone.demo.city.economy import Economy, Training
from backbone.demo.city.files import Cell, Sink, write_csv, write_xlsx
from backbone.demo.city.names import noisy_identity, noisy_ssn
from backbone.demo.city.world import Participation, Person, World
from backbone.warehouse.tables import EXIT_REASONS

PARTICIPATION = "program_participation"
CANONICAL_ROSTER = ("local_id", "first_name", "last_name", "birth_date", "program",
                    "service_type", "start_date", "end_date", "hours", "sessions")  # fmt: skip

# The one CBO with its own column names, local labels and US dates.
EASTSIDE = "eastside-youth-center"
EASTSIDE_HEADER = ("Youth ID", "First", "Last", "DOB", "Sex", "Race", "Activity", "Type",
                   "Enrolled", "Exited", "Hours", "Visits")  # fmt: skip
EASTSIDE_RACE = {
    "White": "Cauc", "Black or African American": "AA", "Hispanic or Latino": "Hisp",
    "Asian": "Asian", "Two or more races": "Multi", "American Indian or Alaska Native": "NatAm",
    "Native Hawaiian or Pacific Islander": "PI",
}  # fmt: skip
EASTSIDE_MAPPING = {
    "columns": {
        "local_id": "Youth ID", "first_name": "First", "last_name": "Last", "birth_date": "DOB",
        "sex": "Sex", "race_ethnicity": "Race", "program": "Activity",
        "service_type": "Type", "start_date": "Enrolled", "end_date": "Exited",
        "hours": "Hours", "sessions": "Visits",
    },
    "value_crosswalks": {
        "sex": {"M": "male", "F": "female"},
        "race_ethnicity": {label: code for code, label in EASTSIDE_RACE.items()},
        "service_type": {"ASP": "after_school"},
    },
    "date_format": "%m/%d/%Y",
}  # fmt: skip


@dataclass
class Registry:
    """A partner's own ids and its (noisy) record of each person."""

    partner: str
    make_id: Callable[[int], str]
    rng: random.Random
    missing_dob_rate: float | None = None
    ids: dict[str, str] = field(default_factory=dict)
    records: dict[str, tuple[str, str, dt.date | None, list[str]]] = field(default_factory=dict)

    def local_id(self, person: Person) -> str:
        if person.pid not in self.ids:
            self.ids[person.pid] = self.make_id(len(self.ids) + 1)
        return self.ids[person.pid]

    def identity(self, person: Person) -> tuple[str, str, dt.date | None, list[str]]:
        if person.pid not in self.records:
            self.records[person.pid] = noisy_identity(
                person.first, person.last, person.birth, self.rng, self.missing_dob_rate
            )
        return self.records[person.pid]


# --- CBO rosters -------------------------------------------------------------------------------

_CBO_IDS: dict[str, tuple[Callable[[int], str], float | None, str]] = {
    "bright-futures-tutoring": (lambda n: f"BF{n:05d}", None, ".csv"),
    "riverton-mentoring-alliance": (lambda n: f"M-{n + 2000}", None, ".xlsx"),
    EASTSIDE: (lambda n: f"EYC-{n:04d}", None, ".csv"),
    "summer-bridge-riverton": (lambda n: str(1000 + n), 2 * p.NOISE_RATES["missing_birth_date"],
                               ".csv"),
}  # fmt: skip


def write_cbo_rosters(world: World, sink: Sink, rng: random.Random) -> dict[str, Registry]:
    """One roster per CBO and school year (summer programmes: the summer ending that year);
    returns each CBO's ids and records, for the CBO's other files."""
    registries = {}
    for partner, (make_id, missing, suffix) in _CBO_IDS.items():
        registry = registries[partner] = Registry(partner, make_id, rng, missing)
        for year in world.years:
            spells = [
                (child, record.programs[partner])
                for child in world.children
                if (record := child.years.get(year)) and partner in record.programs
            ]
            if spells:
                _roster(sink, registry, school_year(year).period, spells, suffix)
    return registries


def _roster(
    sink: Sink, registry: Registry, period: str, spells: list[tuple[Person, Participation]],
    suffix: str,
) -> None:  # fmt: skip
    target = sink.path(registry.partner, PARTICIPATION, period, suffix)
    file = sink.add(registry.partner, PARTICIPATION, period, target)
    rows: list[list[Cell]] = []
    for person, spell in spells:
        local = registry.local_id(person)
        first, last, birth, noise = registry.identity(person)
        sink.link(registry.partner, PARTICIPATION, file, local, person.pid, noise)
        rows.append(_roster_row(registry.partner, local, first, last, birth, person, spell))
    header = EASTSIDE_HEADER if registry.partner == EASTSIDE else CANONICAL_ROSTER
    if suffix == ".xlsx":
        write_xlsx(target, header, rows)
    else:
        write_csv(target, header, rows)


def _roster_row(
    partner: str, local: str, first: str, last: str, birth: dt.date | None, person: Person,
    spell: Participation,
) -> list[Cell]:  # fmt: skip
    if partner == EASTSIDE:
        us = "%m/%d/%Y"
        return [
            local, first, last, birth.strftime(us) if birth else None,
            "F" if person.sex == "female" else "M", EASTSIDE_RACE.get(person.race, ""),
            spell.program, "ASP", spell.start.strftime(us), spell.end.strftime(us),
            spell.hours, spell.sessions,
        ]  # fmt: skip
    return [local, first, last, birth, spell.program, spell.service_type, spell.start,
            spell.end, spell.hours, spell.sessions]  # fmt: skip


# --- UI wages ---------------------------------------------------------------------------------

# Employers report each employee's SSN and name (first and last, as on the payroll).
WAGE_HEADER = ("ssn", "first_name", "last_name", "employer_id", "year", "quarter", "wages")
WORKFORCE = "three-rivers-workforce-board"


def write_wages(economy: Economy, sink: Sink, rng: random.Random) -> None:
    """One wage file per quarter, as the workforce board receives them from the state; the
    payroll name has typos and swaps like any other partner's (nicknames too: employers key
    in what the new hire writes)."""
    payroll = Registry(WORKFORCE, lambda n: str(n), rng)
    for quarter in economy.quarters:
        period = f"{quarter[0]}-Q{quarter[1]}"
        target = sink.path(WORKFORCE, "ui_wages", period, ".csv")
        file = sink.add(WORKFORCE, "ui_wages", period, target)
        rows = []
        for person, employer, wage in economy.wages.get(quarter, []):
            first, last, _, noise = payroll.identity(person)
            noise = [kind for kind in noise if not kind.endswith("birth_date")]
            sink.link(WORKFORCE, "ui_wages", file, person.ssn, person.pid, noise)
            rows.append((person.ssn, first, last, employer, quarter[0], quarter[1], f"{wage:.2f}"))
        write_csv(target, WAGE_HEADER, rows)


# --- training, hires, college ----------------------------------------------------------------

TRAINING_HEADER = ("local_id", "first_name", "last_name", "birth_date", "ssn", "provider",
                   "program", "job_role", "entry_date", "exit_date", "completed", "credential",
                   "credential_date", "training_type", "exit_reason", "race_ethnicity",
                   "low_income", "age_band")  # fmt: skip
EVENT_HEADER = ("local_id", "first_name", "last_name", "birth_date", "employer", "event",
                "event_date", "job_role", "hourly_wage")  # fmt: skip
COLLEGE = "riverton-community-college"
COLLEGE_HEADER = ("local_id", "first_name", "last_name", "birth_date", "institution",
                  "enrollment_begin", "enrollment_end", "level", "award", "award_date")  # fmt: skip


def _program_year(day: dt.date) -> str:
    return school_year(day.year + 1 if day.month >= 7 else day.year).period


def write_training(economy: Economy, sink: Sink, rng: random.Random, wioa: random.Random) -> None:
    """The job centre's training rosters; ``wioa`` draws the WIOA columns (training type, exit
    reason) on its own, so that adding them changed no other draw and no other file."""
    registry = Registry(WORKFORCE, lambda n: f"TR{n + 300000}", rng)
    by_period: dict[str, list[list[Cell]]] = {}
    people: dict[str, list[tuple[str, str, list[str]]]] = {}
    for t in sorted(economy.trainings, key=lambda t: (t.entry, t.person.pid)):
        period = _program_year(t.entry)
        local = registry.local_id(t.person)
        first, last, birth, noise = registry.identity(t.person)
        ssn, changed = noisy_ssn(t.person.ssn, rng)
        by_period.setdefault(period, []).append([
            local, first, last, birth, ssn, "Three Rivers American Job Center", t.program,
            t.job_role, t.entry, t.exit, "true" if t.completed else "false",
            t.credential if t.completed else None, t.credential_date,
            *_wioa_columns(t, wioa),
        ])  # fmt: skip
        people.setdefault(period, []).append(
            (local, t.person.pid, [*noise, *(["ssn_typo"] if changed else [])])
        )
    for period in sorted(by_period):
        _write_linked(sink, WORKFORCE, "training", period, TRAINING_HEADER, by_period[period],
                      people[period])  # fmt: skip


def _wioa_columns(t: Training, rng: random.Random) -> list[Cell]:
    """Training type (about 1 in 10 on the job), PIRL 923 exit reason (about 1 exit in 40
    excluded), and the participant's race, low income and age band at entry."""
    kind = "on-the-job" if rng.random() < 0.1 else "occupational skills"
    reason = rng.choice(EXIT_REASONS) if t.exit and rng.random() < 0.025 else None
    low_income = "true" if t.person.household.econ else "false"
    return [kind, reason, t.person.race, low_income, _age_band(t.person.birth, t.entry)]


def _age_band(birth: dt.date, day: dt.date) -> str:
    age = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
    bands = ((16, "under 16"), (19, "16-18"), (25, "19-24"), (45, "25-44"), (55, "45-54"),
             (60, "55-59"))  # fmt: skip
    return next((band for limit, band in bands if age < limit), "60 and over")


def write_employer_events(economy: Economy, sink: Sink, rng: random.Random) -> None:
    registry = Registry(p.HIRING_EMPLOYER, lambda n: f"SBH-A{n + 7000}", rng)
    by_period: dict[str, list[list[Cell]]] = {}
    people: dict[str, list[tuple[str, str, list[str]]]] = {}
    for e in sorted(economy.events, key=lambda e: (e.date, e.person.pid, e.event)):
        period = _program_year(e.date)
        local = registry.local_id(e.person)
        first, last, birth, noise = registry.identity(e.person)
        by_period.setdefault(period, []).append([
            local, first, last, birth, "St. Brigid Health System", e.event, e.date, e.job_role,
            f"{e.hourly_wage:.2f}" if e.hourly_wage else None,
        ])  # fmt: skip
        people.setdefault(period, []).append((local, e.person.pid, noise))
    for period in sorted(by_period):
        _write_linked(sink, p.HIRING_EMPLOYER, "employer_event", period, EVENT_HEADER,
                      by_period[period], people[period])  # fmt: skip


def write_college(economy: Economy, sink: Sink, rng: random.Random) -> None:
    registry = Registry(COLLEGE, lambda n: f"RCC{n + 2100000}", rng)
    by_period: dict[str, list[list[Cell]]] = {}
    people: dict[str, list[tuple[str, str, list[str]]]] = {}
    for c in sorted(economy.college, key=lambda c: (c.begin, c.person.pid)):
        period = _program_year(c.begin)
        local = registry.local_id(c.person)
        first, last, birth, noise = registry.identity(c.person)
        by_period.setdefault(period, []).append([
            local, first, last, birth, "Riverton Community College", c.begin, c.end, c.level,
            c.award or None, c.award_date,
        ])  # fmt: skip
        people.setdefault(period, []).append((local, c.person.pid, noise))
    for period in sorted(by_period):
        _write_linked(sink, COLLEGE, "postsecondary", period, COLLEGE_HEADER, by_period[period],
                      people[period])  # fmt: skip


def _write_linked(
    sink: Sink, partner: str, contract: str, period: str, header: tuple[str, ...],
    rows: list[list[Cell]], people: list[tuple[str, str, list[str]]],
) -> None:  # fmt: skip
    target = sink.path(partner, contract, period, ".csv")
    file = sink.add(partner, contract, period, target)
    for local, pid, noise in people:
        sink.link(partner, contract, file, local, pid, noise)
    write_csv(target, header, rows)
