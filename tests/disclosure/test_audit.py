"""The audit works only from published figures; each case is worked out by hand."""

import pytest

from backbone.disclosure import Partition
from backbone.disclosure.audit import Figure, Finding, recoverable
from backbone.disclosure.derivation import InconsistentData


def counts(key: str, denominator: int | None, numerator: int | None = None, **extra) -> Figure:
    fields = {"unit": "percent", "value": None, "display": "", "threshold": 10, "rule": ""}
    fields.update(extra)
    return Figure(key, numerator=numerator, denominator=denominator, **fields)


def test_one_withheld_group_beside_a_published_total_is_recovered():
    figures = [counts("all", 40, 20), counts("a", None), counts("b", 35, 18)]
    findings = recoverable(figures, [Partition("all", ("a", "b"))])
    # 40 - 35 = 5 people and 20 - 18 = 2 with the outcome, so 3 without.
    assert findings == [
        Finding("a", "complement", 3, 10, "derived"),
        Finding("a", "denominator", 5, 10, "derived"),
        Finding("a", "numerator", 2, 10, "derived"),
    ]


def test_two_withheld_groups_are_safe():
    figures = [counts("all", 40, 20), counts("a", None), counts("b", None), counts("c", 25, 12)]
    assert recoverable(figures, [Partition("all", ("a", "b", "c"))]) == []


def test_non_negativity_pins_a_value_linear_algebra_alone_does_not():
    # a + b = 30 - 30 = 0, so a = b = 0 (counts are never negative); then e = 7 - b = 7.
    figures = [
        counts("T", 30, unit="median"),
        counts("a", None, unit="median"),
        counts("b", None, unit="median"),
        counts("c", 30, unit="median"),
        counts("Y", 7, unit="median"),
        counts("e", None, unit="median"),
    ]
    partitions = [Partition("T", ("a", "b", "c")), Partition("Y", ("b", "e"))]
    findings = recoverable(figures, partitions)
    assert findings == [
        Finding("e", "denominator", 7, 10, "derived"),
        Finding("Y", "denominator", 7, 10, "published"),
    ]


def test_a_shown_percent_times_a_shown_denominator_gives_the_numerator():
    # 22.5% <= 100 N / 40 < 23.5% means 9 <= N < 9.4, so N = 9.
    figure = counts("g", 40, None, value=23.0, display="23%")
    assert recoverable([figure], []) == [Finding("g", "numerator", 9, 10, "derived")]


def test_a_percent_with_two_possible_numerators_is_safe():
    # 24.5% <= 100 N / 40 < 25.5% means 9.8 <= N < 10.2: N = 10, not small; 30 without.
    assert recoverable([counts("g", 40, None, value=25.0, display="25%")], []) == []


def test_a_top_coded_small_group_gives_its_count_away():
    # ">=95%" of 12 people: N >= 11.4, so N = 12 and nobody is without the outcome (0 is safe);
    # the audit does not flag it. With 3 withheld beside it the coded cell still hides N.
    coded = counts("g", 12, None, display=">=95%")
    assert recoverable([coded], []) == []


def test_small_figures_shown_outright_are_findings():
    figures = [counts("g", 40, 33)]  # 40 - 33 = 7 without the outcome, shown by subtraction
    assert recoverable(figures, []) == [Finding("g", "complement", 7, 10, "published")]


def test_published_rules_are_public_knowledge():
    # Two groups "under 10" in a total of 18 can only be 9 and 9.
    figures = [
        counts("all", 18, unit="median"),
        counts("a", None, unit="median", rule="primary: n < 10", display="*"),
        counts("b", None, unit="median", rule="primary: n < 10", display="*"),
    ]
    findings = recoverable(figures, [Partition("all", ("a", "b"))])
    assert [(f.key, f.value) for f in findings] == [("a", 9), ("b", 9)]


def test_a_percent_in_the_band_beside_a_withheld_group_is_safe_when_several_fits_remain():
    # a shows 40% and, by its rule, has 10-24 members; a + b = 20 and 10 of 20 had the outcome.
    # 40% of 10..20 fits only (10, 4), (15, 6) and (20, 8); b is then (10, 6), (5, 4) or
    # (0, 2), the last impossible. Two fits remain for b: nothing is pinned.
    figures = [
        counts("all", 20, 10),
        counts("a", None, value=40.0, display="40%", rule="percent only: n < 25"),
        counts("b", None, None),
    ]
    assert recoverable(figures, [Partition("all", ("a", "b"))]) == []


def test_a_percent_in_the_band_that_no_group_size_fits_is_inconsistent():
    # With 17 of 20 overall, b would be (10, 13), (5, 11) or (0, 9): more with the outcome than
    # members every time, so the published figures contradict each other.
    figures = [
        counts("all", 20, 17),
        counts("a", None, value=40.0, display="40%", rule="percent only: n < 25"),
        counts("b", None, None),
    ]
    with pytest.raises(InconsistentData):
        recoverable(figures, [Partition("all", ("a", "b"))])


def test_contradictory_figures_are_reported():
    figures = [counts("all", 40, 20), counts("a", 10, 5), counts("b", 20, 10)]
    with pytest.raises(InconsistentData, match="do not add up"):
        recoverable(figures, [Partition("all", ("a", "b"))])
