"""The truth folder: who every source record is, the planted effects, and true outcomes."""

from __future__ import annotations

import json
from pathlib import Path

from backbone.demo.city import params as p
from backbone.demo.city.calendar import school_year
from backbone.demo.city.economy import Economy
from backbone.demo.city.files import Sink, write_csv
from backbone.demo.city.graduation import CohortMember
from backbone.demo.city.kindergarten import ReadinessResult
from backbone.demo.city.world import World


def write_truth(world: World, economy: Economy, sink: Sink, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "persons.csv", ("partner", "contract", "file", "local_id", "person_id",
                                       "noise"),
              [(t.partner, t.contract, t.file, t.local_id, t.person_id, t.noise)
               for t in sink.truth])  # fmt: skip
    _people(world, folder)
    _student_years(world, folder)
    write_csv(folder / "training.csv", ("person_id", "program", "entry_date", "exit_date",
                                        "completed"),
              [(t.person.pid, t.program, t.entry, t.exit, str(t.completed).lower())
               for t in economy.trainings])  # fmt: skip
    (folder / "effects.json").write_text(
        json.dumps({"seed": world.seed, **effects(world.years)}, indent=2, sort_keys=True) + "\n"
    )


def write_district_truth(
    readiness: list[ReadinessResult], cohorts: list[CohortMember], folder: Path
) -> None:
    """``kindergarten_readiness.csv`` and ``graduation_cohorts.csv``: what the district's
    kindergarten entry assessment and cohort files say, by true person."""
    write_csv(folder / "kindergarten_readiness.csv",
              ("person_id", "student_unique_id", "school_year", "administration_date",
               "scale_score", "performance_level", "ready"),
              [(r.child.pid, r.child.student_id, r.school_year, r.administered, r.score, r.level,
                str(r.level == p.KEA_READY_LEVEL).lower()) for r in readiness])  # fmt: skip
    write_csv(folder / "graduation_cohorts.csv",
              ("person_id", "student_unique_id", "cohort_year", "status", "diploma_date"),
              [(m.child.pid, m.child.student_id, m.cohort_year, m.status, m.diploma_date)
               for m in cohorts])  # fmt: skip


def _people(world: World, folder: Path) -> None:
    header = ("person_id", "role", "household_id", "first_name", "middle_name", "last_name",
              "sex", "birth_date", "race_ethnicity", "neighbourhood", "zip",
              "economically_disadvantaged", "english_learner", "disability", "ssn",
              "student_unique_id", "ability", "engagement", "graduation_status",
              "exit_year")  # fmt: skip
    rows = [
        (x.pid, x.role, x.household.hid, x.first, x.middle, x.last, x.sex, x.birth, x.race,
         x.household.hood, p.NEIGHBOURHOODS[x.household.hood][0],
         str(x.household.econ).lower(), str(x.english_learner).lower(),
         str(x.disability).lower(), x.ssn, x.student_id if x.years else "",
         f"{x.ability:.3f}", f"{x.engagement:.3f}", x.exit_status, x.exit_year or "")
        for x in world.people
    ]  # fmt: skip
    write_csv(folder / "people.csv", header, rows)


def _student_years(world: World, folder: Path) -> None:
    header = ("person_id", "student_unique_id", "school_year", "school_id", "grade",
              "entry_date", "exit_date", "exit_type", "days_enrolled", "days_absent",
              "expected_absences", "tutored", "sheltered", "flagged_homeless", "programs",
              "ela_score", "math_score")  # fmt: skip
    rows = []
    for child in world.children:
        for year, r in child.years.items():
            rows.append((
                child.pid, child.student_id, year, r.school_id, r.grade, r.entry, r.exit,
                r.exit_type, len(r.days), len(r.absences), f"{r.expected_absences:.2f}",
                str("bright-futures-tutoring" in r.programs).lower(), str(r.sheltered).lower(),
                str(r.flagged_homeless).lower(), ";".join(sorted(r.programs)),
                r.scores.get("ELA", ("",))[0], r.scores.get("Math", ("",))[0],
            ))  # fmt: skip
    write_csv(folder / "student_years.csv", header, rows)


def absence_reduction_by_year(years: list[int]) -> dict[str, float]:
    """Tutoring's effect on *recorded* absent days per school year. It lowers expected absences
    by ``TUTORING_ABSENCE_REDUCTION``; absences fall uniformly on the year's instructional days,
    and from ``ATTENDANCE_CHANGE_START`` each is kept with probability 1 - the change's
    reduction, so a year's effect is the reduction times the share of absences kept."""
    start, keep = p.ATTENDANCE_CHANGE_START, 1 - p.ATTENDANCE_CHANGE_REDUCTION
    found = {}
    for year in years:
        days = school_year(year).days
        kept = sum(1.0 if day < start else keep for day in days) / len(days)
        found[str(year)] = round(p.TUTORING_ABSENCE_REDUCTION * kept, 4)
    return found


def effects(years: list[int] | None = None) -> dict[str, object]:
    """The planted effects and the noise rates, as ``effects.json`` records them; ``years``
    (the city's school years) adds the effects that differ by year."""
    return {
        "tutoring": {
            "partner": "bright-futures-tutoring",
            "absence_days_reduction": p.TUTORING_ABSENCE_REDUCTION,  # before the change
            "absence_days_reduction_by_school_year": absence_reduction_by_year(years or []),
            "grade3_scale_score_gain": p.TUTORING_SCORE_GAIN,
            "selection": "school neighbourhood, grade 1-5, economic disadvantage, English learner",
            "selection_rates": {"base": p.TUTORING_BASE_RATE,
                                "econ_multiplier": p.TUTORING_ECON_MULTIPLIER,
                                "english_learner_multiplier": p.TUTORING_EL_MULTIPLIER},
        },
        "mentoring_sel": {
            "partner": "riverton-mentoring-alliance",
            "contract": "program_assessment",
            "instrument": "DESSA",
            "mean_pre_post_growth": p.MENTORING_SEL_GROWTH,
            "applies": "every mentee with a post-test; T-scores rounded to whole points and "
                       "kept within 28-72; no comparison group is assessed",
            "no_post_test_share": p.MENTORING_SEL_NO_POST,
        },
        "homelessness": {"absence_days_added_in_year_with_shelter_stay":
                         p.HOMELESS_EXTRA_ABSENCES},
        "attendance_change": {
            "network": "housing-education-network",
            "from": p.ATTENDANCE_CHANGE_START.isoformat(),
            "absence_reduction": p.ATTENDANCE_CHANGE_REDUCTION,
            "applies": "every student: each absence on or after 'from' is kept with "
                       "probability 1 - absence_reduction; expected_absences is before it",
        },
        "training": {
            "partner": "three-rivers-workforce-board",
            "quarterly_wage_gain_after_exit": p.TRAINING_QUARTERLY_GAIN,
            "employment_probability_gain_after_exit": p.TRAINING_EMPLOYMENT_GAIN,
            "applies": "every participant, every quarter after the exit quarter",
        },
        "suspension": {
            "yearly_chance": p.SUSPENSION_CHANCE,
            "econ_multiplier": p.SUSPENSION_ECON_MULTIPLIER,
            "black_multiplier": p.SUSPENSION_BLACK_MULTIPLIER,
            "removal_from_class_chance": p.OTHER_DISCIPLINE_CHANCE,
        },
        "noise_rates": p.NOISE_RATES,
        "district_identifies_homeless": p.DISTRICT_IDENTIFIES_HOMELESS,
    }  # fmt: skip
