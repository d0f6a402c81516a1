"""The simulated city: households, children at school, homelessness and community programmes.

Everything is drawn from one ``random.Random`` in a fixed order, so a seed fixes the city. The
economy (wages, training, hires, college) is added by ``economy``; files are written elsewhere.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from backbone.demo.city import params as p
from backbone.demo.city.calendar import SchoolYear, school_year
from backbone.demo.city.names import MIDDLE, first_name_for, last_name_for

ELEMENTARY, MIDDLE_SCHOOL, HIGH = "elementary", "middle", "high"


@dataclass(eq=False)
class Person:
    """A true person: who they are, not how any partner recorded them."""

    pid: str
    first: str
    middle: str
    last: str
    sex: str
    birth: dt.date
    race: str
    ssn: str
    household: Household
    role: str  # "child" or "parent"
    student_id: str = ""
    english_learner: bool = False
    disability: bool = False
    ability: float = 0.0
    engagement: float = 0.0
    graduates: bool = True
    dropout_grade: int = 0
    years: dict[int, StudentYear] = field(default_factory=dict)
    exit_status: str = ""  # "graduated", "dropout" or "" (still enrolled or moved away)
    exit_year: int = 0

    @property
    def hispanic(self) -> bool:
        return self.race == "Hispanic or Latino"


@dataclass(eq=False)
class Household:
    hid: int
    hood: str
    econ: bool
    race: str
    arrive: int  # school year of arrival; arrive_date set when mid-year
    arrive_date: dt.date | None = None
    leave: int = 0  # school year of leaving (0: stays); leave_date set when mid-year
    leave_date: dt.date | None = None
    parent: Person | None = None
    children: list[Person] = field(default_factory=list)
    schools: dict[str, str] = field(default_factory=dict)  # level → school id
    episodes: list[Episode] = field(default_factory=list)

    def resident(self, year: int) -> bool:
        """Lives in the city during at least part of school year ``year``."""
        if self.arrive > year:
            return False
        return not self.leave or year < self.leave or (year == self.leave and bool(self.leave_date))


@dataclass(eq=False)
class StudentYear:
    """A child's school year: enrolment, absences, programme participation and scores."""

    year: int
    school_id: str
    grade: int
    entry: dt.date
    exit: dt.date
    exit_type: str
    days: list[dt.date] = field(default_factory=list)
    absences: list[tuple[dt.date, str]] = field(default_factory=list)
    tardies: list[dt.date] = field(default_factory=list)
    expected_absences: float = 0.0
    sheltered: bool = False
    flagged_homeless: bool = False
    programs: dict[str, Participation] = field(default_factory=dict)  # partner → participation
    scores: dict[str, tuple[int, str]] = field(default_factory=dict)  # subject → (score, level)


@dataclass(eq=False)
class Participation:
    partner: str
    program: str
    service_type: str
    start: dt.date
    end: dt.date
    sessions: int
    hours: float


@dataclass(eq=False)
class Episode:
    """One HMIS project stay of a household: every member gets an enrollment."""

    household: Household
    project: str  # key of HMIS_PROJECTS
    entry: dt.date
    exit: dt.date | None
    move_in: dt.date | None
    destination: str | None


@dataclass
class School:
    school_id: str
    name: str
    level: str
    hoods: tuple[str, ...]
    grades: tuple[int, ...]


@dataclass
class World:
    seed: int
    years: list[int]
    schools: list[School]
    households: list[Household] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)

    @property
    def children(self) -> list[Person]:
        return [x for x in self.people if x.role == "child"]

    def calendar(self, year: int) -> SchoolYear:
        return school_year(year)


# --- schools ------------------------------------------------------------------------------

_MIDDLE_OF = {"Northgate": 1, "Hillcrest": 1, "Riverside": 2, "Southport": 3, "Eastside": 4,
              "Mill District": 5}  # fmt: skip
_HIGH_OF = {"Northgate": 1, "Hillcrest": 1, "Riverside": 2, "Southport": 2, "Eastside": 3,
            "Mill District": 3}  # fmt: skip
_ELEMENTARY_NAMES = ("Lincoln", "Oak Grove", "Cedar", "Maple", "Washington", "Harbor",
                     "Jefferson", "Birch", "Sunrise", "Willow", "Lakeview", "Prairie")  # fmt: skip
_MIDDLE_NAMES = ("Northgate", "Riverside", "Southport", "Eastside", "Mill District")
_HIGH_NAMES = ("Riverton North", "Riverton Central", "Riverton East")


def build_schools() -> list[School]:
    """Twelve elementary schools (two per neighbourhood), five middle and three high schools."""
    schools: list[School] = []
    number = 1
    for index, hood in enumerate(p.NEIGHBOURHOODS):
        for half in range(2):
            name = f"{_ELEMENTARY_NAMES[2 * index + half]} Elementary School"
            schools.append(School(_school_id(number), name, ELEMENTARY, (hood,), tuple(range(6))))
            number += 1
    for m, name in enumerate(_MIDDLE_NAMES, start=1):
        hoods = tuple(h for h, n in _MIDDLE_OF.items() if n == m)
        schools.append(School(_school_id(number), f"{name} Middle School", MIDDLE_SCHOOL, hoods,
                              (6, 7, 8)))  # fmt: skip
        number += 1
    for h, name in enumerate(_HIGH_NAMES, start=1):
        hoods = tuple(x for x, n in _HIGH_OF.items() if n == h)
        schools.append(School(_school_id(number), f"{name} High School", HIGH, hoods,
                              (9, 10, 11, 12)))  # fmt: skip
        number += 1
    return schools


def _school_id(number: int) -> str:
    return str(p.LEA_ID * 1000 + number)


def level_of(grade: int) -> str:
    return ELEMENTARY if grade <= 5 else MIDDLE_SCHOOL if grade <= 8 else HIGH


def _assign_schools(household: Household, schools: list[School], rng: random.Random) -> None:
    for level in (ELEMENTARY, MIDDLE_SCHOOL, HIGH):
        options = [s for s in schools if s.level == level and household.hood in s.hoods]
        household.schools[level] = rng.choice(options).school_id


# --- people --------------------------------------------------------------------------------


def grade_of(birth: dt.date, year: int) -> int:
    """Grade (0 = kindergarten) in school year ``year`` for a child born on ``birth``: children
    five by September 1 start kindergarten that fall."""
    cohort = birth.year if (birth.month, birth.day) <= (9, 1) else birth.year + 1
    return year - (cohort + 6)


def birth_for_grade(grade: int, year: int, rng: random.Random) -> dt.date:
    cohort = year - 6 - grade
    return dt.date(cohort - 1, 9, 2) + dt.timedelta(days=rng.randrange(365))


class _Ids:
    """Person ids, SSNs and student ids, unique and drawn in order."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.people = 0
        self.students = p.FIRST_STUDENT_UNIQUE_ID
        self.ssns: set[str] = set()

    def person(self) -> str:
        self.people += 1
        return f"P{self.people:06d}"

    def student(self) -> str:
        self.students += 1
        return str(self.students - 1)

    def ssn(self) -> str:
        while True:
            area = self.rng.randrange(1, 900)
            if area == 666:
                continue
            value = f"{area:03d}{self.rng.randrange(1, 100):02d}{self.rng.randrange(1, 10000):04d}"
            if value not in self.ssns:
                self.ssns.add(value)
                return value


def _weighted(rng: random.Random, pairs: tuple[tuple[int, float], ...]) -> int:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def _econ_probability(hood: str, race: str) -> float:
    factor = {"Black or African American": 1.3, "Hispanic or Latino": 1.25,
              "American Indian or Alaska Native": 1.3, "White": 0.8, "Asian": 0.8}  # fmt: skip
    return min(p.NEIGHBOURHOODS[hood][2] * factor.get(race, 1.0), 0.95)


def new_household(world: World, ids: _Ids, year: int, rng: random.Random) -> Household:
    """A household arriving in school year ``year``, with its parent and children."""
    hood = rng.choices(list(p.NEIGHBOURHOODS), [1.0] * len(p.NEIGHBOURHOODS))[0]
    race = rng.choices(p.RACE_ORDER, p.NEIGHBOURHOODS[hood][1])[0]
    household = Household(len(world.households) + 1, hood, rng.random() < _econ_probability(
        hood, race), race, year)  # fmt: skip
    _assign_schools(household, world.schools, rng)
    last = last_name_for(race, rng)
    births = _child_births(year, rng)
    for birth in births:
        household.children.append(_child(household, ids, birth, last, rng))
    oldest = min(births)
    age = rng.randint(*p.PARENT_AGE_AT_FIRST_BIRTH)
    parent_birth = oldest.replace(year=oldest.year - age, day=min(oldest.day, 28))
    parent_birth += dt.timedelta(days=rng.randrange(-150, 150))
    sex = "female" if rng.random() < 0.78 else "male"
    household.parent = _person(household, ids, parent_birth, last, sex, "parent", rng)
    world.households.append(household)
    world.people += [household.parent, *household.children]
    return household


def _child_births(year: int, rng: random.Random) -> list[dt.date]:
    count = _weighted(rng, p.CHILDREN_PER_HOUSEHOLD)
    anchor = birth_for_grade(rng.randint(-3, 12), year, rng)
    births = [anchor]
    for _ in range(count - 1):
        gap = rng.randint(*p.SIBLING_GAP_YEARS) * 365 + rng.randrange(-90, 90)
        sign = 1 if rng.random() < 0.6 else -1
        births.append(births[-1] + dt.timedelta(days=sign * gap))
    latest = dt.date(year, 6, 1)
    return sorted(min(b, latest - dt.timedelta(days=30)) for b in births)


def _person(
    household: Household, ids: _Ids, birth: dt.date, last: str, sex: str, role: str,
    rng: random.Random,
) -> Person:  # fmt: skip
    return Person(
        ids.person(), first_name_for(sex, rng), rng.choice(MIDDLE), last, sex, birth,
        household.race, ids.ssn(), household, role,
    )  # fmt: skip


def _child(
    household: Household, ids: _Ids, birth: dt.date, last: str, rng: random.Random
) -> Person:
    sex = "female" if rng.random() < 0.49 else "male"
    child = _person(household, ids, birth, last, sex, "child", rng)
    child.student_id = ids.student()
    child.english_learner = rng.random() < p.ENGLISH_LEARNER_RATE.get(household.race, 0.03)
    child.disability = rng.random() < p.DISABILITY_RATE
    child.ability = rng.gauss(0, 1) - 0.25 * household.econ
    child.engagement = rng.gauss(0, 1) - 0.2 * household.econ
    logit = (p.GRADUATION_LOGIT + 0.8 * child.ability + 0.6 * child.engagement
             - 0.5 * household.econ - 0.4 * child.disability)  # fmt: skip
    child.graduates = rng.random() < 1 / (1 + math.exp(-logit))
    child.dropout_grade = rng.randint(9, 12)
    return child


# --- population over the years -------------------------------------------------------------


def populate(world: World, students: int, rng: random.Random) -> None:
    """Households in the first year until ``students`` children are of school age, then moves
    out and arrivals every year."""
    ids = _Ids(rng)
    first = world.years[0]
    enrolled = 0
    while enrolled < students:
        household = new_household(world, ids, first, rng)
        enrolled += sum(0 <= grade_of(c.birth, first) <= 12 for c in household.children)
    for year in world.years:
        resident = [h for h in world.households if h.arrive <= year and not h.leave]
        if year > first:
            for _ in range(round(p.HOUSEHOLD_ARRIVAL_RATE * len(resident))):
                _arrive(new_household(world, ids, year, rng), year, rng)
        for household in resident:
            if rng.random() < p.HOUSEHOLD_MOVE_OUT_RATE:
                _leave(household, year, rng)


def _arrive(household: Household, year: int, rng: random.Random) -> None:
    if rng.random() < p.MID_YEAR_MOVE_SHARE:
        household.arrive_date = rng.choice(school_year(year).days[20:150])


def _leave(household: Household, year: int, rng: random.Random) -> None:
    household.leave = year
    if rng.random() < p.MID_YEAR_MOVE_SHARE:
        household.leave_date = rng.choice(school_year(year).days[10:160])


def enrol(world: World) -> None:
    """Each child's school years: school, grade, entry and exit, until graduation or dropout."""
    for child in world.children:
        for year in world.years:
            record = _school_year_of(child, year)
            if record:
                child.years[year] = record


def _school_year_of(child: Person, year: int) -> StudentYear | None:
    household = child.household
    grade = grade_of(child.birth, year)
    if not 0 <= grade <= 12 or child.exit_status or not household.resident(year):
        return None
    calendar = school_year(year)
    entry = household.arrive_date if household.arrive == year and household.arrive_date else None
    entry = entry or calendar.first
    exit_date, exit_type = calendar.last, "End of school year"
    if household.leave == year and household.leave_date:
        exit_date, exit_type = household.leave_date, "Transferred"
    if not child.graduates and grade == child.dropout_grade:
        drop = calendar.days[80]
        if drop < exit_date:
            exit_date, exit_type = drop, "Dropout"
            child.exit_status, child.exit_year = "dropout", year
    elif grade == 12 and exit_type == "End of school year":
        exit_type = "Graduated"
        child.exit_status, child.exit_year = "graduated", year
    if exit_date < entry:
        return None
    school = household.schools[level_of(grade)]
    return StudentYear(year, school, grade, entry, exit_date, exit_type,
                       calendar.between(entry, exit_date))  # fmt: skip
