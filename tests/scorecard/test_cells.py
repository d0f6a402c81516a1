"""Which dimensions are partitions of the total, and what the disclosure cells are — against
hand-made results whose sums were worked out by hand."""

from __future__ import annotations

from backbone.disclosure import Partition
from backbone.scorecard.cells import Computed, Declared, cell_key, plan

RACE, PROGRAM = "person_demographics.race_ethnicity", "training.program"

ROWS = [
    Computed("2024", "overall", "all", 1419, 2655, 53.4),
    Computed("2024", RACE, "Asian", 347, 589, 58.9),
    Computed("2024", RACE, "Pacific Islander", 3, 4, 75.0),
    Computed("2024", RACE, "White", 1069, 2062, 51.8),
    # 733 + 515 + 6 = 1254 people, not 2655: programs overlap and leave people out.
    Computed("2024", PROGRAM, "Tutoring", 412, 733, 56.2),
    Computed("2024", PROGRAM, "Mentoring", 268, 515, 52.0),
    Computed("2024", PROGRAM, "Robotics", 2, 6, 33.3),
]


def test_groups_that_add_up_partition_the_total_and_overlapping_ones_do_not():
    planned = plan(ROWS, "percent")
    assert planned.partitions == [
        Partition(
            "2024|overall|all",
            ("2024|person_demographics.race_ethnicity|Asian",
             "2024|person_demographics.race_ethnicity|Pacific Islander",
             "2024|person_demographics.race_ethnicity|White"),
        )
    ]  # fmt: skip
    assert planned.additive == {RACE: True, PROGRAM: False}
    assert planned.declared == [
        Declared("2024", ("overall", "all"),
                 ((RACE, "Asian"), (RACE, "Pacific Islander"), (RACE, "White")))
    ]  # fmt: skip
    assert len(planned.cells) == 7


def test_a_dimension_that_adds_up_in_one_period_only_is_not_additive_but_is_protected_there():
    rows = [
        *ROWS[:4],
        Computed("2025", "overall", "all", 100, 200, 50.0),
        Computed("2025", RACE, "Asian", 40, 90, 44.4),
        Computed("2025", RACE, "White", 50, 100, 50.0),  # 190 people of 200
    ]
    planned = plan(rows, "percent")
    assert planned.additive == {RACE: False}
    assert [p.total for p in planned.partitions] == ["2024|overall|all"]


def test_numerators_must_add_up_too():
    rows = [
        Computed("2024", "overall", "all", 10, 30, 33.3),
        Computed("2024", RACE, "A", 5, 10, 50.0),
        Computed("2024", RACE, "B", 6, 20, 30.0),  # 5 + 6 = 11, not 10
    ]
    assert plan(rows, "percent").partitions == []


def test_a_median_is_the_size_of_the_people_it_is_the_median_of():
    rows = [
        Computed("2024", "overall", "all", 412, 655, 31234.5),
        Computed("2024", RACE, "Asian", 7, 12, 28000.0),
        Computed("2024", RACE, "White", 405, 643, 31300.0),
    ]
    planned = plan(rows, "median")
    total = planned.cells[cell_key("2024", "overall", "all")]
    assert (total.numerator, total.denominator, total.value) == (None, 412, 31234.5)
    assert planned.additive == {RACE: True}  # 7 + 405 = 412
