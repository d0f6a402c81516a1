"""What a staff reader without person-level rights sees of results (``protection.protected``),
and when the editor's preview refuses a period (``protection.preview_refusal``); expected values
worked out by hand in each test."""

from __future__ import annotations

import pytest

from backbone.disclosure import Policy
from backbone.indicators.protection import Computed, exact, preview_refusal, protected

RACE = "race_ethnicity"
AIAN = "American Indian or Alaska Native"

# Grade 3 reading, 2026, the row: 7 of 10 American Indian or Alaska Native students read
# at grade level. By hand: 7 + 60 + 120 + 213 = 400 readers of 10 + 100 + 200 + 290 = 600.
GRADE3 = [
    Computed("2026", "overall", "all", 400, 600, 100 * 400 / 600),
    Computed("2026", RACE, AIAN, 7, 10, 70.0),
    Computed("2026", RACE, "Asian", 60, 100, 60.0),
    Computed("2026", RACE, "Black", 120, 200, 60.0),
    Computed("2026", RACE, "White", 213, 290, 100 * 213 / 290),
]


def by_group(rows):
    return {(s.dimension, s.group): s for s in rows}


def test_seven_of_ten_is_withheld_and_the_next_smallest_group_hides_it():
    shown = by_group(protected(GRADE3, "percent", Policy()))
    aian = shown[(RACE, AIAN)]
    # A group of 10 may be shown; 7 readers (and 3 non-readers) may not, nor 70%.
    assert (aian.numerator, aian.denominator, aian.value, aian.display, aian.marker) == (
        None, 10, None, "*", "*",
    )  # fmt: skip
    # 400 − 60 − 120 − 213 = 7 would give it back: the smallest other group's readers (Asian,
    # 60 of 100) are withheld too; its size is not at risk and stays.
    asian = shown[(RACE, "Asian")]
    assert (asian.numerator, asian.denominator, asian.marker) == (None, 100, "‡")
    white = shown[(RACE, "White")]  # 213 / 290 = 73.45…%
    assert (white.numerator, white.denominator, white.display) == (213, 290, "73%")
    overall = shown[("overall", "all")]  # 400 / 600 = 66.67%
    assert (overall.numerator, overall.denominator, overall.display) == (400, 600, "67%")


def test_a_stricter_policy_withholds_more():
    shown = by_group(protected(GRADE3, "percent", Policy(min_n=11)))
    assert shown[(RACE, AIAN)].denominator is None  # a group of 10 is under 11


def test_overlapping_groups_get_primary_suppression_only():
    # Programs overlap: 30 + 25 ≠ 40 people, so no partition; the group of 6 is still withheld.
    rows = [
        Computed("2024", "overall", "all", 20, 40, 50.0),
        Computed("2024", "program", "Tutoring", 15, 30, 50.0),
        Computed("2024", "program", "Robotics", 3, 6, 50.0),
        Computed("2024", "program", "Mentoring", 12, 25, 48.0),
    ]
    shown = by_group(protected(rows, "percent", Policy()))
    assert shown[("program", "Robotics")].marker == "*"
    assert shown[("program", "Tutoring")].display == "50%"  # nothing forces a second cell


def test_a_median_shows_its_size_as_the_numerator_and_never_the_other_count():
    rows = [  # median earnings of the people with earnings (numerator) among leavers
        Computed("2024", "overall", "all", 412, 655, 31234.5),
        Computed("2024", RACE, "Asian", 7, 12, 28000.0),
        Computed("2024", RACE, "White", 405, 643, 31300.0),
    ]
    shown = by_group(protected(rows, "median", Policy()))
    assert shown[(RACE, "Asian")].marker == "*"  # a median of 7 people
    total = shown[("overall", "all")]
    assert total.denominator is None
    # 412 − 405 = 7: the total or White has to go.
    assert total.numerator is None or shown[(RACE, "White")].numerator is None
    assert {s.display for s in shown.values() if s.value is not None} <= {"$31,235", "$31,300"}


def test_exact_values_pass_unchanged_with_no_marker():
    rows = exact(GRADE3, "percent")
    assert [(s.numerator, s.denominator, s.marker, s.rule) for s in rows][1] == (7, 10, "", "exact")
    assert rows[1].display == "70.0%"


@pytest.mark.parametrize(
    ("numerator", "denominator", "unit", "refused"),
    [
        (1, 1, "percent", "the population has fewer than 10 people"),  # one person
        (0, 1, "percent", "the population has fewer than 10 people"),
        (0, 0, "percent", "the population has fewer than 10 people"),
        (9, 40, "percent", "fewer than 10 people in the population had the outcome"),
        (0, 40, "percent", "fewer than 10 people in the population had the outcome"),
        (31, 40, "percent", "fewer than 10 people in the population did not have the outcome"),
        (21, 21, "percent", "fewer than 10 people in the population did not have the outcome"),
        (30, 40, "percent", ""),
        (10, 20, "percent", ""),
        (90, 40, "rate", ""),  # 90 events among 40 people: no complement
    ],
)
def test_the_preview_refuses_a_count_under_the_threshold(numerator, denominator, unit, refused):
    assert preview_refusal(numerator, denominator, 10, unit) == refused
