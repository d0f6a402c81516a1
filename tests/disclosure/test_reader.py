"""The release-wide reader works only from published rows; each case is worked out by hand.

A leak is a small count (1 to 9 here) that the published figures leave fewer than four whole
values for.
"""

import pytest

from backbone.disclosure.export import ResultRow
from backbone.disclosure.intervals import Infeasible
from backbone.disclosure.reader import Leak, Relations, leaks

A = "attendance"


def row(group, denominator=None, numerator=None, *, indicator=A, dimension="race", **extra):
    fields = {
        "period": "2024",
        "unit": "percent",
        "value": None,
        "display": "",
        "marker": "",
        "rule": "",
        "threshold": 10,
        "policy_version": "test",
        "line": 0,
    }
    fields.update(extra)
    if group == "all":
        dimension = "overall"
    return ResultRow(indicator, dimension=dimension, group=group, numerator=numerator,
                     denominator=denominator, **fields)  # fmt: skip


def found(rows, additive=True, partitions=()):
    indicators = {r.indicator for r in rows}
    relations = Relations(list(partitions), {i: {"race": additive} for i in indicators})
    return sorted((leak.place[3], leak.quantity, leak.low, leak.high, leak.how) for leak in
                  leaks(rows, relations))  # fmt: skip


def test_one_withheld_group_beside_a_published_total_is_recovered():
    rows = [row("all", 40, 20), row("a"), row("b", 35, 18)]
    # 40 - 35 = 5 people and 20 - 18 = 2 with the outcome, so 3 without.
    assert found(rows) == [
        ("a", "complement", 3, 3, "derived"),
        ("a", "denominator", 5, 5, "derived"),
        ("a", "numerator", 2, 2, "derived"),
    ]


def test_two_withheld_groups_are_safe_when_their_sum_leaves_room():
    # a + b = 15 people, 8 with the outcome and 7 without: each count has 8 or more values.
    rows = [row("all", 40, 20), row("a"), row("b"), row("c", 25, 12)]
    assert found(rows) == []


def test_two_withheld_groups_of_two_people_are_narrowed_though_neither_is_pinned():
    # a + b = 40 - 38 = 2 people, so each group has 0, 1 or 2: three values, 1 and 2 small.
    rows = [row("all", 40, 20), row("a"), row("b"), row("c", 38, 19)]
    sizes = [f for f in found(rows) if f[1] == "denominator"]
    assert sizes == [("a", "denominator", 0, 2, "derived"), ("b", "denominator", 0, 2, "derived")]


def test_a_shown_percent_times_a_shown_size_gives_the_numerator():
    # 22.5% <= 100 N / 40 < 23.5% means 9 <= N < 9.4, so N = 9.
    assert found([row("g", 40, value=23.0, display="23%")]) == [("g", "numerator", 9, 9, "derived")]


def test_a_percent_whose_numerator_is_not_small_is_safe():
    # 24.5% <= 100 N / 40 < 25.5% means N = 10: pinned, but not small; 30 without.
    assert found([row("g", 40, value=25.0, display="25%")]) == []


def test_small_figures_shown_outright_are_findings():
    # 40 - 33 = 7 without the outcome, shown by subtraction.
    assert found([row("g", 40, 33)]) == [("g", "complement", 7, 7, "published")]


def test_published_rules_are_public_knowledge():
    # Two groups "under 10" in a total of 18 can only be 9 and 9.
    rows = [
        row("all", 18, unit="median"),
        row("a", unit="median", rule="primary: n < 10", display="*"),
        row("b", unit="median", rule="primary: n < 10", display="*"),
    ]
    assert found(rows) == [
        ("a", "denominator", 9, 9, "derived"),
        ("b", "denominator", 9, 9, "derived"),
    ]


def test_a_specific_small_complement_gives_itself_away_where_small_count_does_not():
    # "small complement" of 11 people: rules apply in order, so the numerator was not small
    # (N >= 10) and C = 11 - N = 1. "small count" leaves N in 1..9 or 2..10: ten values.
    specific = row("g", 11, rule="small complement", display="*", marker="*")
    assert found([specific]) == [("g", "complement", 1, 1, "derived")]
    blurred = row("g", 11, rule="small count", display="*", marker="*")
    assert found([blurred]) == []


def test_a_coded_cell_whose_size_is_derivable_is_narrowed():
    # a = 100 - 70 = 30 people; "<=5%" of 30 is at most 1.5, so N is 0 or 1 (the total's
    # numerator is withheld, so subtraction does not give it).
    rows = [
        row("all", 100),
        row("a", display="<=5%", marker="coded", rule="bottom coded"),
        row("b", 70, 49),
    ]
    assert ("a", "numerator", 0, 1, "derived") in found(rows)


def test_a_complementary_cell_says_nothing_in_it_is_small():
    # Withheld only to protect others: a and b each have at least 10 with and 10 without the
    # outcome, so 40 = 20 + 20 and 20 = 10 + 10 pin them, but at values that are not small.
    rows = [
        row("all", 40, 20),
        row("a", display="‡", marker="‡", rule="complementary: release"),
        row("b", display="‡", marker="‡", rule="complementary: release"),
    ]
    assert found(rows) == []


def test_the_people_outside_an_overlapping_group_are_a_count_too():
    # 568 students in housing programs, 567 of them in emergency shelter: one student outside
    # the shelter group, who was chronically absent (431 - 430).
    rows = [row("all", 568, 431), row("Emergency shelter", 567, 430)]
    assert found(rows, additive=False) == [
        ("Emergency shelter", "outside denominator", 1, 1, "published"),
        ("Emergency shelter", "outside numerator", 1, 1, "published"),
    ]


def test_a_count_shown_by_another_indicator_over_the_same_people_is_used():
    # Graduates are the graduation numerator and the postsecondary denominator. Group x shows
    # 15 in the cohort with a small count withheld; the postsecondary table shows 14 graduates
    # of x, and agrees with graduation on three other cells, so N = 14 and C = 1.
    graduation = [
        row("all", 100, 80, indicator="graduation"),
        row("g1", 40, 30, indicator="graduation"),
        row("g2", 45, 36, indicator="graduation"),
        row("x", 15, indicator="graduation", rule="small count", display="*", marker="*"),
    ]
    enrolled = [
        row("all", 80, 50, indicator="enrolled"),
        row("g1", 30, 20, indicator="enrolled"),
        row("g2", 36, 20, indicator="enrolled"),
    ]
    x_enrolled = row("x", 14, None, indicator="enrolled", rule="small count", display="*")
    overlapping = found([*graduation, *enrolled, x_enrolled], additive=False)
    assert ("x", "complement", 1, 1, "derived") in overlapping
    # Without x's graduates shown elsewhere, the small count stays open.
    x_hidden = row("x", indicator="enrolled", rule="primary: n < 10", display="*")
    assert not [f for f in found([*graduation, *enrolled, x_hidden], additive=False) if f[0] == "x"]


def test_a_band_percent_can_leave_two_fits_which_is_narrowed():
    # a shows 40% and, by its rule, has 10-24 members; a + b = 20 and 10 of 20 had the outcome.
    # 40% of 10..20 fits (10, 4), (15, 6) and (20, 8); b is then (10, 6), (5, 4) or (0, 2),
    # the last impossible (b would have 2 with the outcome and no members). b's numerator is
    # 4 or 6: narrowed. Its complement is 4 or 1, four values from 1 to 4: not narrowed.
    rows = [
        row("all", 20, 10),
        row("a", value=40.0, display="40%", rule="percent only: n < 25"),
        row("b"),
    ]
    assert [f for f in found(rows) if f[0] == "b"] == [("b", "numerator", 4, 6, "derived")]


def test_figures_that_contradict_their_partition_are_infeasible():
    rows = [row("all", 40, 20), row("a", 10, 5), row("b", 20, 10)]
    with pytest.raises(Infeasible):
        found(rows)


def test_rows_of_a_period_not_yet_complete_say_nothing():
    rows = [row("all", 40, 20), row("a", rule="period not complete: its follow-up window")]
    assert found(rows) == []
    assert Leak  # the record the audit and protection share
