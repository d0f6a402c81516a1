"""Protecting a release as a whole: hand-made releases whose leaks only show across indicators
or between overlapping groups, with the figure that must be withheld worked out by hand."""

from backbone.disclosure import Cell, Partition, Policy
from backbone.disclosure.reader import leaks
from backbone.disclosure.release import IndicatorCells, as_row, protect_release, relations_of

PERIOD = "2024"


def table(indicator, groups, *, dimension="race", additive=True, overall=None):
    """An indicator with an overall row and groups of one dimension: {group: (N, D)}."""
    cells = {}
    numerator, denominator = overall or (
        sum(n for n, _ in groups.values()),
        sum(d for _, d in groups.values()),
    )
    cells[(PERIOD, "overall", "all")] = Cell(f"{PERIOD}|overall|all", numerator, denominator,
                                             None, "percent")  # fmt: skip
    for group, (n, d) in groups.items():
        cells[(PERIOD, dimension, group)] = Cell(f"{PERIOD}|{dimension}|{group}", n, d, None,
                                                 "percent")  # fmt: skip
    partitions = []
    if additive:
        parts = tuple(f"{PERIOD}|{dimension}|{g}" for g in groups)
        partitions.append(Partition(f"{PERIOD}|overall|all", parts))
    return IndicatorCells(indicator, cells, partitions, {dimension: additive}, Policy(min_n=10))


def rows_and_relations(tables, protection):
    rows = [as_row(place, next(t.cells[place[1:]] for t in tables if t.indicator == place[0]), out)
            for place, out in protection.published.items()]  # fmt: skip
    return rows, relations_of(tables)


def test_a_count_two_indicators_share_is_withheld_in_both():
    # Graduation: x has 15 in the cohort and 14 graduates, so 1 did not graduate: a small
    # complement, withheld. Postsecondary enrolment counts the same 14 graduates as its
    # denominator (and agrees with graduation's numerators where both are shown: the total,
    # g3 and one of g1, g2, enough for a reader to assume they always agree). Shown there,
    # 14 gives the one non-graduate away; release-wide protection must withhold it there too.
    graduation = table(
        "graduation", {"g1": (30, 40), "g2": (36, 50), "g3": (50, 60), "x": (14, 15)}
    )
    enrolled = table("enrolled", {"g1": (20, 30), "g2": (20, 36), "g3": (25, 50), "x": (9, 14)})
    # Each indicator alone: graduation withholds x's numerator and (by subtraction from the
    # total) one more numerator; enrolment withholds x's small numerator and one more.
    protection = protect_release([graduation, enrolled])
    x_enrolled = protection.published[("enrolled", PERIOD, "race", "x")]
    assert x_enrolled.denominator is None
    assert protection.withheld > protection.withheld_alone
    rows, relations = rows_and_relations([graduation, enrolled], protection)
    assert leaks(rows, relations) == []


def test_the_people_outside_an_overlapping_group_are_protected():
    # 568 students in housing programs, 567 in emergency shelter (groups overlap: a student can
    # be in two programs). Shown as they are, 568 - 567 = 1 student outside the shelter group,
    # chronically absent (431 - 430). The shelter group is withheld first.
    housing = table(
        "housing",
        {"Emergency shelter": (430, 567), "Rapid re-housing": (20, 45)},
        dimension="project_type",
        additive=False,
        overall=(431, 568),
    )
    protection = protect_release([housing])
    shelter = protection.published[("housing", PERIOD, "project_type", "Emergency shelter")]
    assert shelter.denominator is None and shelter.numerator is None
    assert protection.published[("housing", PERIOD, "overall", "all")].denominator == 568
    assert (protection.withheld_alone, protection.withheld) == (0, 1)
    rows, relations = rows_and_relations([housing], protection)
    assert leaks(rows, relations) == []


def test_specific_reasons_are_published_as_small_count():
    # "small complement" for 11 people would say the numerator was not small, so 10 and 1.
    alone = table("reading", {"a": (10, 11), "b": (40, 89)})
    published = protect_release([alone]).published
    assert published[("reading", PERIOD, "race", "a")].rule.split("; ")[0] == "small count"


def test_a_release_without_leaks_is_left_as_each_indicator_protected_it():
    big = table("attendance", {"a": (120, 400), "b": (150, 410)})
    protection = protect_release([big])
    assert protection.rounds == 0 and protection.withheld == protection.withheld_alone == 0
