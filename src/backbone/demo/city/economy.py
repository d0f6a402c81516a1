"""Work and learning after school: UI wages, workforce training, hires and college.

Workers are parents and young people from 16; each has a person-level employment propensity and
earnings level, lower for economically disadvantaged households. Training selection favours
low earners (so naive comparisons are biased); its planted effect raises post-exit wages.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from backbone.demo.city import params as p
from backbone.demo.city.world import Person, World

Quarter = tuple[int, int]


@dataclass(eq=False)
class Training:
    person: Person
    program: str
    job_role: str
    credential: str
    entry: dt.date
    exit: dt.date
    completed: bool
    credential_date: dt.date | None


@dataclass(eq=False)
class EmployerEvent:
    person: Person
    event: str
    date: dt.date
    job_role: str
    hourly_wage: float | None


@dataclass(eq=False)
class CollegeYear:
    person: Person
    begin: dt.date
    end: dt.date
    level: str
    award: str
    award_date: dt.date | None


@dataclass
class Economy:
    quarters: list[Quarter]
    employers: list[str]
    wages: dict[Quarter, list[tuple[Person, str, float]]] = field(default_factory=dict)
    trainings: list[Training] = field(default_factory=list)
    events: list[EmployerEvent] = field(default_factory=list)
    college: list[CollegeYear] = field(default_factory=list)


def quarters_of(years: list[int]) -> list[Quarter]:
    """Calendar quarters from the July before the first school year to the last June."""
    first = (years[0] - 1, 3)
    out = [first]
    while out[-1] != (years[-1], 2):
        year, quarter = out[-1]
        out.append((year + 1, 1) if quarter == 4 else (year, quarter + 1))
    return out


def quarter_of(day: dt.date) -> Quarter:
    return (day.year, (day.month - 1) // 3 + 1)


def quarter_start(quarter: Quarter) -> dt.date:
    return dt.date(quarter[0], 3 * quarter[1] - 2, 1)


def age_on(person: Person, day: dt.date) -> int:
    before = (day.month, day.day) < (person.birth.month, person.birth.day)
    return day.year - person.birth.year - before


def simulate_economy(world: World, rng: random.Random) -> Economy:
    employers = [f"UI-44{n:05d}" for n in range(1, p.EMPLOYERS + 1)]
    if p.HIRING_EMPLOYER_UI_ACCOUNT not in employers:
        employers[0] = p.HIRING_EMPLOYER_UI_ACCOUNT
    economy = Economy(quarters_of(world.years), employers)
    workers = [x for x in world.people if _ever_working_age(x, economy)]
    _training(world, workers, economy, rng)
    _hiring(world, economy, rng)
    hires = {e.person.pid: e for e in economy.events if e.event == "hire"}
    trained = {t.person.pid: t for t in economy.trainings}
    for person in workers:
        _wages(person, economy, trained.get(person.pid), hires.get(person.pid), rng)
    _college(world, economy, rng)
    return economy


def _ever_working_age(person: Person, economy: Economy) -> bool:
    return age_on(person, quarter_start(economy.quarters[-1])) >= p.WORKER_MIN_AGE


def _is_young(person: Person, day: dt.date) -> bool:
    return person.role == "child" and age_on(person, day) <= 24


def _training(world: World, workers: list[Person], economy: Economy, rng: random.Random) -> None:
    trained: set[str] = set()
    for year in world.years[:-1]:
        start = dt.date(year - 1, 7, 1)
        for person in workers:
            if person.pid in trained:
                continue
            age = age_on(person, start)
            if age < 18 or (person.role == "child" and person.years.get(year)):
                continue
            kind = "young" if _is_young(person, start) else "parent"
            rate = p.TRAINING_RATE[kind] * (
                p.TRAINING_ECON_MULTIPLIER if person.household.econ else 1.0)  # fmt: skip
            if rng.random() < rate:
                economy.trainings.append(_enrol_training(person, start, rng))
                trained.add(person.pid)


def _enrol_training(person: Person, start: dt.date, rng: random.Random) -> Training:
    weights = [w for *_, w in p.TRAINING_PROGRAMS]
    program, role, credential, _ = rng.choices(p.TRAINING_PROGRAMS, weights)[0]
    entry = start + dt.timedelta(days=rng.randrange(330))
    exit_date = entry + dt.timedelta(days=rng.randint(90, 180))
    completed = rng.random() < p.TRAINING_COMPLETION_RATE
    credential_date = exit_date + dt.timedelta(days=rng.randint(0, 30)) if completed else None
    return Training(person, program, role, credential, entry, exit_date, completed,
                    credential_date)  # fmt: skip


def _hiring(world: World, economy: Economy, rng: random.Random) -> None:
    """St. Brigid interviews healthcare completers (and a few walk-ins); offers; hires."""
    applicants = [
        (t.person, t.exit, t.job_role)
        for t in economy.trainings
        if t.completed and t.program == "Healthcare Career Pathway" and rng.random() < 0.7
    ]
    for person in world.people:
        if person.role == "parent" and rng.random() < 0.004:
            day = dt.date(world.years[0], 1, 1) + dt.timedelta(days=rng.randrange(1500))
            applicants.append((person, day, "Patient Access Representative"))
    for person, after, role in applicants:
        interview = after + dt.timedelta(days=rng.randint(7, 60))
        economy.events.append(EmployerEvent(person, "interview", interview, role, None))
        if rng.random() < 0.6:
            wage = round(rng.uniform(17.0, 22.5), 2)
            offer = interview + dt.timedelta(days=rng.randint(3, 20))
            economy.events.append(EmployerEvent(person, "offer", offer, role, wage))
            if rng.random() < 0.85:
                hire = offer + dt.timedelta(days=rng.randint(7, 30))
                economy.events.append(EmployerEvent(person, "hire", hire, role, wage))


def _wages(
    person: Person, economy: Economy, training: Training | None, hire: EmployerEvent | None,
    rng: random.Random,
) -> None:  # fmt: skip
    kind = "young" if person.role == "child" else "parent"
    level = p.QUARTERLY_EARNINGS_MEDIAN[kind] * math.exp(rng.gauss(0, 0.45))
    level *= p.ECON_EARNINGS_FACTOR if person.household.econ else 1.0
    propensity = rng.uniform(*p.EMPLOYMENT_PROPENSITY) * (0.85 if person.household.econ else 1.0)
    employer = rng.choice(economy.employers)
    after = quarter_of(training.exit) if training else None
    hired = quarter_of(hire.date) if hire else None
    for quarter in economy.quarters:
        day = quarter_start(quarter)
        age = age_on(person, day)
        if age < p.WORKER_MIN_AGE or not _in_city(person, day):
            continue
        chance, amount = propensity, level
        if person.role == "child" and (age < 18 or person.years.get(_school_year(day))):
            chance, amount = propensity * 0.4, level * 0.35
        if after and quarter > after:
            chance += p.TRAINING_EMPLOYMENT_GAIN
            amount += p.TRAINING_QUARTERLY_GAIN
        if hired and quarter >= hired:
            employer, chance = p.HIRING_EMPLOYER_UI_ACCOUNT, max(chance, 0.97)
        elif rng.random() < 0.06:
            employer = rng.choice(economy.employers)
        if rng.random() < chance:
            wage = round(amount * rng.uniform(0.8, 1.2), 2)
            economy.wages.setdefault(quarter, []).append((person, employer, wage))


def _school_year(day: dt.date) -> int:
    return day.year + 1 if day.month >= 7 else day.year


def _in_city(person: Person, day: dt.date) -> bool:
    household = person.household
    year = _school_year(day)
    if year < household.arrive:
        return False
    return not household.leave or year < household.leave


def _college(world: World, economy: Economy, rng: random.Random) -> None:
    """Graduates enrolling at Riverton Community College the fall after graduation."""
    for child in world.children:
        if child.exit_status != "graduated" or child.exit_year >= world.years[-1]:
            continue
        logit = p.COLLEGE_ENROLL_LOGIT + 0.7 * child.ability - 0.4 * child.household.econ
        if rng.random() >= 1 / (1 + math.exp(-logit)):
            continue
        level = "associate" if rng.random() < 0.75 else "certificate"
        years = 1 + (rng.random() < 0.65) + (rng.random() < 0.4)
        for k in range(years):
            fall = child.exit_year + k
            if fall >= world.years[-1]:
                break
            last = k == years - 1
            award = last and rng.random() < p.COLLEGE_AWARD_RATE * (1 + k)
            end = dt.date(fall + 1, 5, 15) if not last or award else dt.date(fall, 12, 15)
            name = "Associate of Applied Science" if level == "associate" else "Certificate"
            economy.college.append(CollegeYear(
                child, dt.date(fall, 8, 25), end, level, name if award else "",
                end if award else None))  # fmt: skip
