"""Complementary suppression on hand-worked tables (min_n = 10).

Each expected pattern was worked out on paper: which cells a reader could subtract to recover a
hidden small figure, and which next-smallest cell breaks that subtraction.
"""

import pytest

from backbone.disclosure import Cell, Partition, Policy, PublishedCell, protect
from backbone.disclosure.complementary import Table, complete
from backbone.disclosure.primary import primary_exposure


def group_sizes(sizes: dict[str, int]) -> list[Cell]:
    """Cells that are plain head counts (no numerator): only the denominator matters."""
    return [Cell(key, None, size, float(size), "count") for key, size in sizes.items()]


def complementary_rounds(cells: list[Cell], partitions: list[Partition]) -> int:
    policy = Policy()
    table = Table(
        {cell.key: cell for cell in cells},
        partitions,
        {cell.key: primary_exposure(cell, policy) for cell in cells},
        policy,
    )
    return complete(table)


def markers(published: dict[str, PublishedCell]) -> dict[str, str]:
    return {key: cell.marker for key, cell in published.items() if cell.marker}


def test_one_small_group_takes_the_next_smallest_with_it():
    cells = group_sizes({"all": 100, "A": 6, "B": 20, "C": 30, "D": 44})
    out = protect(cells, [Partition("all", ("A", "B", "C", "D"))], Policy())
    # all - B - C - D would give A = 6, so B (the smallest that lifts the hidden sum to 26) goes.
    assert markers(out) == {"A": "*", "B": "‡"}
    assert out["B"].rule == "complementary: partition all"
    assert (out["B"].display, out["B"].denominator) == ("‡", None)
    assert out["all"].display == "100"


def test_hidden_groups_that_add_to_less_than_min_n_are_not_enough():
    # A (5) and the empty group Z (0) are both primary; A + Z = 5 is then known from the total,
    # so A could only be 0..5: the hidden sum must reach 10, which takes B (15) as well.
    cells = group_sizes({"all": 50, "A": 5, "Z": 0, "B": 15, "C": 30})
    out = protect(cells, [Partition("all", ("A", "Z", "B", "C"))], Policy())
    assert markers(out) == {"A": "*", "Z": "*", "B": "‡"}


def test_a_small_numerator_is_protected_by_hiding_another_numerator_only():
    cells = [
        Cell("all", 40, 100, None, "percent"),
        Cell("A", 4, 30, None, "percent"),
        Cell("B", 16, 30, None, "percent"),
        Cell("C", 20, 40, None, "percent"),
    ]
    out = protect(cells, [Partition("all", ("A", "B", "C"))], Policy())
    # 40 - 16 - 20 = 4 would give A away; hiding B's numerator (16) makes A + B = 20.
    assert markers(out) == {"A": "*", "B": "‡"}
    assert (out["A"].denominator, out["A"].rule) == (30, "small numerator")
    assert (out["B"].numerator, out["B"].denominator, out["B"].value) == (None, 30, None)
    assert (out["C"].display, out["all"].display) == ("50%", "40%")


def test_quarters_within_a_year():
    cells = group_sizes({"year": 102, "Q1": 30, "Q2": 7, "Q3": 25, "Q4": 40})
    out = protect(cells, [Partition("year", ("Q1", "Q2", "Q3", "Q4"))], Policy())
    assert markers(out) == {"Q2": "*", "Q3": "‡"}


def test_several_dimensions_share_one_total():
    cells = group_sizes(
        {"all": 80, "race=A": 6, "race=B": 34, "race=C": 40, "sex=F": 75, "sex=M": 5}
    )
    partitions = [
        Partition("all", ("race=A", "race=B", "race=C")),
        Partition("all", ("sex=F", "sex=M")),
    ]
    out = protect(cells, partitions, Policy())
    assert markers(out) == {"race=A": "*", "race=B": "‡", "sex=M": "*", "sex=F": "‡"}
    assert out["all"].display == "80"


def test_schools_within_a_district_need_a_rectangle():
    # Race X in school 1 is 5. Hiding only S1/Y leaves S1/X = dX - S2/X; hiding S2/X too leaves
    # S2/X = S2 - S2/Y - S2/Z. Only the rectangle S1/X, S1/Y, S2/X, S2/Y breaks every route:
    # its four cells then satisfy four equations of rank 3.
    sizes = {
        "district": 100, "S1": 60, "S2": 40, "dX": 17, "dY": 38, "dZ": 45,
        "S1/X": 5, "S1/Y": 25, "S1/Z": 30, "S2/X": 12, "S2/Y": 13, "S2/Z": 15,
    }  # fmt: skip
    partitions = [
        Partition("district", ("S1", "S2")),
        Partition("S1", ("S1/X", "S1/Y", "S1/Z")),
        Partition("S2", ("S2/X", "S2/Y", "S2/Z")),
        Partition("district", ("dX", "dY", "dZ")),
        Partition("dX", ("S1/X", "S2/X")),
        Partition("dY", ("S1/Y", "S2/Y")),
        Partition("dZ", ("S1/Z", "S2/Z")),
    ]
    out = protect(group_sizes(sizes), partitions, Policy())
    assert markers(out) == {"S1/X": "*", "S1/Y": "‡", "S2/X": "‡", "S2/Y": "‡"}
    # One cell per round, and each round's choice is only visible after the previous one.
    assert complementary_rounds(group_sizes(sizes), partitions) == 3


def test_the_next_smallest_is_skipped_when_it_is_pinned_elsewhere():
    # New York's rule would hide b (16) beside a (4), but b = X - d is published through the
    # other partition, so a = 50 - 16 - 30 still. Hiding c instead leaves a + c = 34.
    sizes = {"T": 50, "a": 4, "b": 16, "c": 30, "X": 40, "d": 24}
    partitions = [Partition("T", ("a", "b", "c")), Partition("X", ("b", "d"))]
    out = protect(group_sizes(sizes), partitions, Policy())
    assert markers(out) == {"a": "*", "c": "‡"}


def test_a_bottom_coded_group_is_protected_by_its_neighbours():
    cells = [
        Cell("all", 100, 200, None, "percent"),
        Cell("A", 2, 60, None, "percent"),  # 3.3%: coded, numerator 2 must stay hidden
        Cell("B", 40, 70, None, "percent"),
        Cell("C", 58, 70, None, "percent"),
    ]
    out = protect(cells, [Partition("all", ("A", "B", "C"))], Policy())
    # 100 - 40 - 58 = 2 would give A's numerator away: B's numerator goes (B is 40 < C's 58).
    assert markers(out) == {"A": "coded", "B": "‡"}
    assert out["A"].display == "<=5%"
    assert (out["B"].denominator, out["C"].display) == (70, "83%")  # 58 / 70 = 82.9%


def test_nothing_is_added_when_no_small_figure_is_derivable():
    cells = group_sizes({"all": 60, "A": 20, "B": 40})
    out = protect(cells, [Partition("all", ("A", "B"))], Policy())
    assert markers(out) == {}
    assert {cell.rule for cell in out.values()} == {"published"}


def test_reasons_are_blurred_when_they_alone_pin_a_count():
    # min_n = 3, so "small complement" says 1 or 2 without the outcome. T's parts each miss at
    # least 1, so T misses at least 2, and its own reason says at most 2: T, a and b would all
    # be pinned by the published reasons alone. "small count" does not say which count.
    cells = [
        Cell("T", 28, 30, 28.0, "count"),
        Cell("a", 24, 25, 24.0, "count"),
        Cell("b", 4, 5, 4.0, "count"),
    ]
    out = protect(cells, [Partition("T", ("a", "b"))], Policy(min_n=3))
    assert {(c.display, c.denominator, c.rule) for c in out.values()} == {
        ("*", 30, "small count"),
        ("*", 25, "small count"),
        ("*", 5, "small count"),
    }


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (group_sizes({"all": 60, "A": 20, "B": 30}), "the parts' denominators do not add up"),
        (
            [
                Cell("all", 9, 60, None, "percent"),
                Cell("A", 5, 20, None, "percent"),
                Cell("B", 5, 40, None, "percent"),
            ],
            "the parts' numerators do not add up",
        ),
        (group_sizes({"all": 60, "A": 60}), "unknown cells 'B'"),
    ],
)
def test_partitions_that_do_not_add_up_are_refused(cells, message):
    with pytest.raises(ValueError, match=f"partition 'all': {message}"):
        protect(cells, [Partition("all", ("A", "B"))], Policy())
