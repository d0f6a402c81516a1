"""The engine that says what a reader can pin down, on hand-worked systems."""

from fractions import Fraction

import pytest

from backbone.disclosure.derivation import (
    Bounds,
    Facts,
    InconsistentData,
    Ratio,
    derive,
    percent_ratio,
    row_echelon,
)


def sizes(known: dict[str, int], unknown: list[str], *sums: tuple[str, ...]) -> Facts:
    """Group sizes only; each sum is (total, part, part, ...)."""
    facts = Facts(known={(k, "D"): v for k, v in known.items()})
    facts.unknown = {(k, "D") for k in unknown}
    for total, *parts in sums:
        equation = {(p, "D"): -1 for p in parts}
        equation[(total, "D")] = 1
        facts.equations.append(equation)
    return facts


def test_a_combination_of_two_partitions_is_found():
    # T = a + b + c and S = a + b: c = 50 - 20 = 30, while a and b stay open.
    bounds = derive(
        sizes({"T": 50, "S": 20}, ["a", "b", "c"], ("T", "a", "b", "c"), ("S", "a", "b"))
    )
    assert bounds[("c", "D")] == Bounds(30, 30)
    assert bounds[("a", "D")] == Bounds(0, 20)


def test_row_echelon_isolates_a_variable_only_when_it_is_determined():
    # x + y = 5, y + z = 7, x - z = -2 (dependent): rank 2, nothing alone in a row.
    rows = [({"x": 1, "y": 1}, 5), ({"y": 1, "z": 1}, 7), ({"x": 1, "z": -1}, -2)]
    reduced = row_echelon(rows)  # type: ignore[arg-type]
    assert len(reduced) == 2
    assert all(len(row) == 2 for row, _ in reduced)


def test_contradictory_rows_are_reported():
    rows = [({"x": 1, "y": 1}, 5), ({"x": 1, "y": 1}, 6)]
    with pytest.raises(InconsistentData):
        row_echelon(rows)  # type: ignore[arg-type]


def test_non_negativity_pins_zeros_that_expose_a_third_cell():
    facts = sizes(
        {"T": 30, "c": 30, "Y": 7}, ["a", "b", "e"], ("T", "a", "b", "c"), ("Y", "b", "e")
    )
    bounds = derive(facts)
    assert (bounds[("b", "D")], bounds[("e", "D")]) == (Bounds(0, 0), Bounds(7, 7))


def test_percent_ranges_round_half_up():
    assert percent_ratio("g", 23.0) == Ratio(
        "g", Fraction(45, 2), Fraction(47, 2), high_strict=True
    )
    assert percent_ratio("g", 100.0) == Ratio("g", Fraction(199, 2), Fraction(100))
    assert percent_ratio("g", 0.0).low == 0


def test_every_group_size_in_a_short_range_is_tried():
    # 91% of a group of 10-19: only 10 of 11 rounds to 91%, so one person is without.
    facts = Facts(unknown={("g", k) for k in "DNC"})
    facts.equations.append({("g", "D"): 1, ("g", "N"): -1, ("g", "C"): -1})
    facts.ratios.append(percent_ratio("g", 91.0))
    facts.ranges[("g", "D")] = Bounds(10, 19)
    bounds = derive(facts)
    assert (bounds[("g", "D")], bounds[("g", "N")], bounds[("g", "C")]) == (
        Bounds(11, 11),
        Bounds(10, 10),
        Bounds(1, 1),
    )


def test_linear_programming_combines_percents_and_a_sum():
    # 15 of T had the outcome; its parts a and b (10-24 people each) both show 50%. Then
    # 49.5% (D_a + D_b) <= 15 < 50.5% (D_a + D_b), so T has more than 29.7 and at most 30.3
    # people: 30. Bounds propagated cell by cell leave it open.
    facts = Facts(known={("T", "N"): 15})
    facts.unknown = {(k, q) for k in "Tab" for q in "DNC"} - {("T", "N")}
    for k in "Tab":
        facts.equations.append({(k, "D"): 1, (k, "N"): -1, (k, "C"): -1})
    for q in "DNC":
        facts.equations.append({("T", q): 1, ("a", q): -1, ("b", q): -1})
    facts.ratios += [percent_ratio("a", 50.0), percent_ratio("b", 50.0)]
    facts.ranges = {("a", "D"): Bounds(10, 24), ("b", "D"): Bounds(10, 24)}
    assert not derive(facts)[("T", "D")].pinned
    assert derive(facts, focus=lambda q, b: True)[("T", "D")] == Bounds(30, 30)
