"""What happens to children: shelter stays, community programmes, absences and test scores.

The order matters and is fixed: homelessness, then programmes (selection on observed covariates
only), then attendance and scores, which carry the planted effects of both.
"""

from __future__ import annotations

import datetime as dt
import math
import random

from backbone.demo.city import params as p
from backbone.demo.city.calendar import school_year
from backbone.demo.city.world import Episode, Household, Participation, Person, StudentYear, World

# HMIS projects: key → (project id, organisation id, project type, project name)
HMIS_PROJECTS = {
    "es": ("PRJ-101", "ORG-1", "0", "Harbor House Family Emergency Shelter"),
    "rrh": ("PRJ-201", "ORG-2", "13", "Riverton Families First Rapid Re-Housing"),
    "psh": ("PRJ-301", "ORG-3", "3", "Riverton Housing Authority Permanent Supportive Housing"),
}
HMIS_ORGANIZATIONS = {
    "ORG-1": "Harbor House", "ORG-2": "Northside Family Resource Center",
    "ORG-3": "Riverton Housing Authority",
}  # fmt: skip
_OTHER_DESTINATIONS = (("410", 0.25), ("422", 0.2), ("312", 0.2), ("313", 0.12),
                       ("314", 0.08), ("116", 0.07), ("99", 0.08))  # fmt: skip


# --- homelessness ----------------------------------------------------------------------------


def homelessness(world: World, rng: random.Random) -> None:
    """Shelter stays of resident households, and rapid re-housing or PSH after some of them."""
    for year in world.years:
        calendar = school_year(year)
        window = (dt.date(year - 1, 7, 1), dt.date(year, 6, 1))
        for household in world.households:
            if not household.resident(year) or household.episodes:
                continue
            risk = p.NEIGHBOURHOODS[household.hood][5]
            rate = p.HOMELESS_ANNUAL_RATE * risk if household.econ else (
                p.HOMELESS_NOT_DISADVANTAGED_RATE)  # fmt: skip
            if rng.random() < rate:
                entry = window[0] + dt.timedelta(days=rng.randrange((window[1] - window[0]).days))
                _episodes(household, entry, rng)
        del calendar


def _episodes(household: Household, entry: dt.date, rng: random.Random) -> None:
    shelter_exit = entry + dt.timedelta(days=rng.randint(14, 90))
    path = rng.random()
    if path < p.PSH_SHARE:
        move_in = shelter_exit + dt.timedelta(days=rng.randint(20, 60))
        household.episodes.append(Episode(household, "es", entry, shelter_exit, None, "101"))
        household.episodes.append(Episode(household, "psh", shelter_exit, None, move_in, None))
    elif path < p.PSH_SHARE + p.RRH_AFTER_SHELTER_SHARE:
        move_in = shelter_exit + dt.timedelta(days=rng.randint(10, 45))
        leave = move_in + dt.timedelta(days=rng.randint(120, 300))
        final = "435" if rng.random() < 0.55 else "410" if rng.random() < 0.6 else "312"
        household.episodes.append(Episode(household, "es", entry, shelter_exit, None, "435"))
        household.episodes.append(Episode(household, "rrh", shelter_exit, leave, move_in, final))
    else:
        values, weights = zip(*_OTHER_DESTINATIONS, strict=True)
        destination = rng.choices(values, weights)[0]
        household.episodes.append(Episode(household, "es", entry, shelter_exit, None, destination))


def sheltered_in(household: Household, year: int) -> bool:
    """An emergency-shelter stay overlaps the instructional days of school year ``year``."""
    calendar = school_year(year)
    return any(
        e.project == "es"
        and e.entry <= calendar.last
        and (e.exit or calendar.last) >= calendar.first
        for e in household.episodes
    )


# --- community programmes ----------------------------------------------------------------------


def programmes(world: World, rng: random.Random) -> None:
    """Participation in the four CBOs' programmes, one draw per eligible student-year."""
    for child in world.children:
        for year, record in child.years.items():
            _tutoring(child, record, rng)
            _mentoring(child, record, rng)
            _after_school(child, record, rng)
            _summer(child, record, year, rng)


def _enrolled_in_fall(record: StudentYear) -> bool:
    calendar = school_year(record.year)
    return record.entry <= calendar.days[25] and record.exit >= calendar.days[60]


def _tutoring(child: Person, record: StudentYear, rng: random.Random) -> None:
    household = child.household
    if (
        record.grade not in p.TUTORING_GRADES
        or household.hood not in p.TUTORING_NEIGHBOURHOODS
        or not _enrolled_in_fall(record)
    ):
        return
    rate = p.TUTORING_BASE_RATE
    rate *= p.TUTORING_ECON_MULTIPLIER if household.econ else 1.0
    rate *= p.TUTORING_EL_MULTIPLIER if child.english_learner else 1.0
    if rng.random() < rate:
        record.programs["bright-futures-tutoring"] = _spell(
            "bright-futures-tutoring",
            record,
            "Reading Buddies Tutoring",
            "tutoring",
            (20, 60),
            1.0,
            rng,
        )


def _mentoring(child: Person, record: StudentYear, rng: random.Random) -> None:
    if record.grade not in p.MENTORING_GRADES or not _enrolled_in_fall(record):
        return
    rate = p.MENTORING_RATE * (1.8 if child.household.econ else 1.0)
    if rng.random() < rate:
        record.programs["riverton-mentoring-alliance"] = _spell(
            "riverton-mentoring-alliance",
            record,
            "Pathways Mentoring",
            "mentoring",
            (10, 30),
            1.5,
            rng,
        )


def _after_school(child: Person, record: StudentYear, rng: random.Random) -> None:
    if (
        record.grade not in p.AFTER_SCHOOL_GRADES
        or child.household.hood not in p.AFTER_SCHOOL_NEIGHBOURHOODS
        or not _enrolled_in_fall(record)
    ):
        return
    if rng.random() < p.AFTER_SCHOOL_RATE:
        record.programs["eastside-youth-center"] = _spell(
            "eastside-youth-center",
            record,
            "Eastside After School",
            "after_school",
            (30, 120),
            2.5,
            rng,
        )


def _summer(child: Person, record: StudentYear, year: int, rng: random.Random) -> None:
    if record.grade not in p.SUMMER_GRADES or record.exit < school_year(year).last:
        return
    if rng.random() < p.SUMMER_RATE * (1.5 if child.household.econ else 1.0):
        start = dt.date(year, 6, 20) + dt.timedelta(days=rng.randint(0, 6))
        sessions = rng.randint(10, 25)
        end = start + dt.timedelta(days=rng.randint(28, 40))
        record.programs["summer-bridge-riverton"] = Participation(
            "summer-bridge-riverton", "Summer Bridge Reading Camp", "summer_learning", start,
            end, sessions, float(sessions * 4),
        )  # fmt: skip


def _spell(
    partner: str,
    record: StudentYear,
    program: str,
    service: str,
    sessions: tuple[int, int],
    hours: float,
    rng: random.Random,
) -> Participation:
    calendar = school_year(record.year)
    start = max(record.entry, calendar.days[rng.randint(10, 40)])
    end = min(record.exit, calendar.days[rng.randint(-15, -1)])
    if rng.random() < 0.1:
        end = min(end, calendar.days[rng.randint(90, 120)])
    count = rng.randint(*sessions)
    return Participation(partner, program, service, start, end, count, round(count * hours, 1))


# --- attendance and scores ----------------------------------------------------------------------


def attendance(world: World, rng: random.Random) -> None:
    """Absences (and a few tardies) per student-year, with the planted effects applied to the
    expected number of absent days."""
    for child in world.children:
        for year, record in child.years.items():
            record.sheltered = sheltered_in(child.household, year)
            identified = rng.random() < p.DISTRICT_IDENTIFIES_HOMELESS
            record.flagged_homeless = record.sheltered and identified
            record.expected_absences = expected_absences(child, record)
            count = min(_poisson(record.expected_absences, rng), len(record.days))
            days = sorted(rng.sample(record.days, count))
            record.absences = [
                (d, "Excused Absence" if rng.random() < p.EXCUSED_SHARE else "Unexcused Absence")
                for d in days
            ]
            absent = set(days)
            present = [d for d in record.days if d not in absent]
            tardies = min(_poisson(p.TARDIES_PER_YEAR, rng), len(present))
            record.tardies = sorted(rng.sample(present, tardies))


def attendance_change(world: World, rng: random.Random) -> None:
    """The planted change: from ``ATTENDANCE_CHANGE_START`` each absence is kept with probability
    1 - ``ATTENDANCE_CHANGE_REDUCTION`` (a stream of its own, so no other draw moves)."""
    start, keep = p.ATTENDANCE_CHANGE_START, 1 - p.ATTENDANCE_CHANGE_REDUCTION
    for child in world.children:
        for record in child.years.values():
            record.absences = [a for a in record.absences if a[0] < start or rng.random() < keep]


def expected_absences(child: Person, record: StudentYear) -> float:
    """Expected absent days: base rate x disparities x engagement, plus shelter, minus tutoring."""
    m = p.ABSENCE_MULTIPLIERS
    rate = p.BASE_ABSENCE_RATE * p.NEIGHBOURHOODS[child.household.hood][4]
    rate *= m["economically_disadvantaged"] if child.household.econ else 1.0
    rate *= m["disability"] if child.disability else 1.0
    rate *= m["high_school"] if record.grade >= 9 else 1.0
    rate *= p.RACE_ABSENCE_MULTIPLIER.get(child.race, 1.0)
    rate *= math.exp(-m["engagement_sd"] * child.engagement)
    expected = min(rate, 0.6) * len(record.days)
    if record.sheltered:
        expected += p.HOMELESS_EXTRA_ABSENCES
    if "bright-futures-tutoring" in record.programs:
        expected -= p.TUTORING_ABSENCE_REDUCTION
    return max(expected, 0.0)


def _poisson(mean: float, rng: random.Random) -> int:
    if mean <= 0:
        return 0
    if mean > 40:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def scores(world: World, rng: random.Random) -> None:
    """State test scale scores for students enrolled on the test day in a tested grade."""
    for child in world.children:
        for year, record in child.years.items():
            test_day = school_year(year).test_date
            if not record.entry <= test_day <= record.exit:
                continue
            for subject, grade in p.ASSESSMENTS:
                if record.grade == grade and rng.random() < 0.97:
                    score = scale_score(child, record, subject, rng)
                    record.scores[subject] = (score, performance_level(score, grade))


def scale_score(child: Person, record: StudentYear, subject: str, rng: random.Random) -> int:
    gaps = p.SCORE_GAPS
    score = p.SCALE_MEAN[record.grade] + p.SCALE_SD_ABILITY * child.ability
    score += p.NEIGHBOURHOODS[child.household.hood][3]
    score += gaps["economically_disadvantaged"] if child.household.econ else 0.0
    score += gaps["disability"] if child.disability else 0.0
    if child.english_learner:
        score += gaps["english_learner_ela" if subject == "ELA" else "english_learner_math"]
    if record.grade == 3 and "bright-futures-tutoring" in record.programs:
        score += p.TUTORING_SCORE_GAIN
    score += rng.gauss(0, p.SCALE_NOISE_SD)
    low, high = p.SCALE_RANGE
    return int(min(max(round(score), low), high))


def performance_level(score: int, grade: int) -> str:
    met, advanced = p.CUT_SCORES[grade]
    if score >= advanced:
        return "Advanced"
    return "Met Standard" if score >= met else "Did Not Meet Standard"
