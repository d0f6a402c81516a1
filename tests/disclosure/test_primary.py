"""The single-cell rules, each against a hand-worked cell (min_n = 10 unless stated)."""

import pytest

from backbone.disclosure import Cell, Policy, PublishedCell, protect


def published(cell: Cell, policy: Policy | None = None) -> PublishedCell:
    return protect([cell], [], policy or Policy())[cell.key]


def test_a_large_group_is_published_with_whole_percent_and_audit_record():
    out = published(Cell("g", 17, 40, 42.5, "percent"))
    # 17 / 40 = 42.5% rounds half up to 43%.
    assert out == PublishedCell(
        key="g",
        numerator=17,
        denominator=40,
        value=43.0,
        display="43%",
        marker="",
        rule="published",
        threshold=10,
        policy_version="backbone-disclosure-1",
    )


def test_a_group_below_min_n_has_every_figure_withheld():
    out = published(Cell("g", 4, 9, 44.4, "percent"))
    assert (out.numerator, out.denominator, out.value) == (None, None, None)
    assert (out.display, out.marker, out.rule) == ("*", "*", "primary: n < 10")


def test_the_threshold_follows_the_policy():
    out = published(Cell("g", 6, 12, 50.0, "percent"), Policy(min_n=5, version="dsa-7"))
    assert (out.display, out.threshold, out.policy_version) == ("50%", 5, "dsa-7")


@pytest.mark.parametrize(
    ("numerator", "denominator", "rule"),
    [
        (9, 40, "small numerator"),  # 9 of 40 = 22.5%: shown with n=40 it gives 9 away
        (1, 12, "small numerator"),
        (31, 40, "small complement"),  # 9 of 40 did not: 77.5% with n=40 gives 9 away
    ],
)
def test_small_numerators_and_complements_hide_the_count_and_percent(numerator, denominator, rule):
    out = published(Cell("g", numerator, denominator, None, "count"))
    assert (out.numerator, out.denominator, out.value, out.display) == (
        None,
        denominator,
        None,
        "*",
    )
    assert out.rule == rule


def test_zero_of_a_large_group_is_published_as_a_count():
    out = published(Cell("g", 0, 40, 0.0, "count"))
    assert (out.numerator, out.denominator, out.display) == (0, 40, "0")


@pytest.mark.parametrize(
    ("numerator", "denominator", "display", "rule"),
    [
        (38, 40, ">=95%", "top coded"),  # exactly 95.0%
        (40, 40, ">=95%", "top coded"),
        (2, 40, "<=5%", "bottom coded"),  # exactly 5.0%
        (0, 40, "<=5%", "bottom coded"),
    ],
)
def test_extreme_percents_are_coded_without_counts(numerator, denominator, display, rule):
    out = published(Cell("g", numerator, denominator, None, "percent"))
    assert (out.numerator, out.denominator, out.value) == (None, None, None)
    assert (out.display, out.marker, out.rule) == (display, "coded", rule)


def test_coding_uses_the_exact_percent_not_the_rounded_one():
    # 189 of 200 = 94.5%: it rounds (half up) to 95 but is below 95, so it is shown, not coded.
    out = published(Cell("g", 189, 200, None, "percent"))
    assert (out.display, out.rule) == ("95%", "published")


def test_coding_bounds_are_configurable():
    out = published(Cell("g", 36, 40, None, "percent"), Policy(top_code=90, bottom_code=10))
    assert out.display == ">=90%"


def test_percent_only_band_shows_the_percent_without_counts():
    policy = Policy(percent_only_below=20)
    out = published(Cell("g", 12, 19, None, "percent"), policy)
    # 63% of a group of 10-19 fits 10 of 16 and 12 of 19: neither count can be pinned.
    assert (out.numerator, out.denominator, out.value, out.display) == (None, None, 63.0, "63%")
    assert (out.marker, out.rule) == ("", "percent only: n < 20")
    assert published(Cell("g", 12, 20, None, "percent"), policy).denominator == 20


def test_percent_only_band_withholds_a_percent_that_pins_a_count():
    # 10 of 11 shows as 91%; of groups of 10-19 only 10 of 11 rounds to 91%, so the 1 is known.
    out = published(Cell("g", 10, 11, None, "percent"), Policy(percent_only_below=20))
    assert (out.value, out.display, out.marker) == (None, "*", "*")
    assert out.rule == "percent only: n < 20; percent gives a small count away"


def test_a_median_is_suppressed_by_its_denominator_only():
    small = published(Cell("m", None, 9, 31_200.0, "median", prefix="$"))
    large = published(Cell("m", None, 10, 31_249.6, "median", prefix="$"))
    assert (small.display, small.value) == ("*", None)
    assert (large.display, large.value, large.numerator, large.denominator) == (
        "$31,250",
        31_250.0,
        None,
        10,
    )


def test_a_rate_has_no_complement_rule():
    # 45 events among 50 people: the complement 5 is not a count of people.
    out = published(Cell("r", 45, 50, 900.0, "rate"))
    assert (out.numerator, out.display, out.rule) == (45, "900.0", "published")


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (
            [Cell("a", 1, 10, None, "percent"), Cell("a", 1, 10, None, "percent")],
            "'a' appears twice",
        ),
        ([Cell("a", 11, 10, None, "percent")], "numerator exceeds denominator"),
        ([Cell("a", 1, 10, None, "share")], "unit must be one of"),
    ],
)
def test_bad_cells_are_refused(cells, message):
    with pytest.raises(ValueError, match=message):
        protect(cells, [], Policy())
