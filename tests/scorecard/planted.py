"""A planted partnership: hand-made results with a group of 4 people, a group of 13 with only
5 not succeeding, overlapping programs and a median, so the published figures can be checked
against numbers written here rather than computed by the code under test.

Sums, by hand: 2024 race 347 + 3 + 1,069 = 1,419 of 589 + 4 + 2,062 = 2,655; 2024 economic
601 + 810 + 8 = 1,419 of 1,288 + 1,354 + 13 = 2,655; 2023 race 318 + 2 + 891 = 1,211 of
567 + 5 + 1,808 = 2,380; 2023 economic 540 + 665 + 6 = 1,211 of 1,190 + 1,180 + 10 = 2,380.
Programs overlap (733 + 515 + 6 ≠ 2,655), so they are not a partition.
"""

from __future__ import annotations

import datetime as dt

from backbone.indicators.models import (
    Baseline,
    ComputeRun,
    Indicator,
    Milestone,
    Result,
    Target,
    TurnTheCurve,
)
from backbone.partnership.models import Partnership, SharedOutcome

# Dimensions are named by their column, as ``backbone compute`` names them.
RACE, ECONOMIC, PROGRAM = "race_ethnicity", "economically_disadvantaged", "program"
PACIFIC = "Native Hawaiian or Pacific Islander"

READING = {  # (period, dimension, group): (numerator, denominator)
    ("2023", "overall", "all"): (1211, 2380),
    ("2023", RACE, "Asian"): (318, 567),
    ("2023", RACE, PACIFIC): (2, 5),
    ("2023", RACE, "White"): (891, 1808),
    ("2023", ECONOMIC, "true"): (540, 1190),
    ("2023", ECONOMIC, "false"): (665, 1180),
    ("2023", ECONOMIC, "missing"): (6, 10),
    ("2023", PROGRAM, "Tutoring"): (377, 702),
    ("2023", PROGRAM, "Mentoring"): (250, 498),
    ("2023", PROGRAM, "Robotics club"): (3, 7),
    ("2024", "overall", "all"): (1419, 2655),
    ("2024", RACE, "Asian"): (347, 589),
    ("2024", RACE, PACIFIC): (3, 4),
    ("2024", RACE, "White"): (1069, 2062),
    ("2024", ECONOMIC, "true"): (601, 1288),
    ("2024", ECONOMIC, "false"): (810, 1354),
    ("2024", ECONOMIC, "missing"): (8, 13),
    ("2024", PROGRAM, "Tutoring"): (412, 733),
    ("2024", PROGRAM, "Mentoring"): (268, 515),
    ("2024", PROGRAM, "Robotics club"): (2, 6),
}
# Median quarterly earnings of the people with earnings (numerator) among leavers (denominator).
EARNINGS = {
    ("2024", "overall", "all"): (412, 655, 31234.5),
    ("2024", RACE, "Asian"): (7, 12, 28000.0),
    ("2024", RACE, "White"): (405, 643, 31300.0),
}
STORY = "Attendance fell when the bus routes changed in 2023; tutoring moved into the schools."


def plant() -> dict[str, Indicator]:
    """The partnership, an outcome, two indicators with one compute run of results, a target,
    a story and a milestone."""
    Partnership.objects.create(name="Planted Partnership", place="Planted City")
    outcome = SharedOutcome.objects.create(
        slug="reading-for-all", name="Reading for all", statement="Every child reads by grade 3."
    )
    reading = _indicator("planted_reading", "Planted reading proficiency", "percent", outcome)
    earnings = _indicator("planted_earnings", "Planted median earnings", "median", outcome)
    run = ComputeRun.objects.create(indicators=2, results=len(READING) + len(EARNINGS))
    Result.objects.bulk_create(
        [_result(run, reading, key, n, d, 100 * n / d) for key, (n, d) in READING.items()]
        + [_result(run, earnings, key, n, d, v) for key, (n, d, v) in EARNINGS.items()]
    )
    Baseline.objects.create(indicator=reading, period="2023", value=50.9)
    Target.objects.create(indicator=reading, method="steady", goal=60.0, goal_year=2027)
    TurnTheCurve.objects.create(indicator=reading, written_on=dt.date(2025, 1, 10), story=STORY)
    Milestone.objects.create(
        outcome=outcome, indicator=reading, date=dt.date(2024, 9, 1),
        title="Tutoring in every elementary school", status="achieved",
    )  # fmt: skip
    return {"reading": reading, "earnings": earnings}


def _indicator(slug: str, name: str, unit: str, outcome: SharedOutcome) -> Indicator:
    return Indicator.objects.create(
        slug=slug, name=name, plain_definition=f"{name}, planted for tests.", unit=unit,
        outcome=outcome, definition={"slug": slug},
    )  # fmt: skip


def _result(
    run: ComputeRun, indicator: Indicator, key: tuple[str, str, str], n: int, d: int, v: float
) -> Result:
    period, dimension, group = key
    return Result(
        run=run, indicator=indicator, definition_version=1, period=period, dimension=dimension,
        group_value=group, numerator=n, denominator=d, value=v,
    )  # fmt: skip


def true_withheld(cell_rows: list[dict[str, str]]) -> list[tuple[dict[str, str], str, int]]:
    """For each published row (as in results.csv) with a withheld count: the row, which count
    (numerator, denominator, complement) and its true value from the planted tables."""
    found = []
    for row in cell_rows:
        key = (row["period"], row["dimension"], row["group"])
        if row["indicator"] == "planted_reading":
            n, d = READING[key]
            truth = {"numerator": n, "denominator": d, "complement": d - n}
        else:  # a median's published size is its numerator: the people with earnings
            truth = {"denominator": EARNINGS[key][0]}
        for name, value in truth.items():
            hidden = (
                "" in (row["numerator"], row["denominator"])
                if name == "complement"
                else row[name] == ""
            )
            if hidden:
                found.append((row, name, value))
    return found
