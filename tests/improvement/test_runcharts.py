"""Run-chart rules against methods §3.3's tables, qicharts2's published Appendix 2 and
Montgomery examples, and series whose runs and trends are counted by hand."""

from __future__ import annotations

import pytest

from backbone.improvement.runcharts import (
    crossings_minimum,
    longest_run_limit,
    run_chart,
    runs_limits,
    side_runs,
    trends,
)

# qicharts2 vignette, "Appendix 2: Critical values for longest run and number of crossings"
# (docs/articles/qicharts2.html in anhoej/qicharts2): n, longest-run limit, minimum crossings.
QICHARTS2_APPENDIX_2 = (
    "10 6 2 11 6 2 12 7 3 13 7 3 14 7 4 15 7 4 16 7 4 17 7 5 18 7 5 19 7 6 20 7 6 21 7 6 22 7 7 "
    "23 8 7 24 8 8 25 8 8 26 8 8 27 8 9 28 8 9 29 8 10 30 8 10 31 8 11 32 8 11 33 8 11 34 8 12 "
    "35 8 12 36 8 13 37 8 13 38 8 14 39 8 14 40 8 14 41 8 15 42 8 15 43 8 16 44 8 16 45 8 17 "
    "46 9 17 47 9 17 48 9 18 49 9 18 50 9 19 51 9 19 52 9 20 53 9 20 54 9 21 55 9 21 56 9 21 "
    "57 9 22 58 9 22 59 9 23 60 9 23 61 9 24 62 9 24 63 9 25 64 9 25 65 9 25 66 9 26 67 9 26 "
    "68 9 27 69 9 27 70 9 28 71 9 28 72 9 29 73 9 29 74 9 29 75 9 30 76 9 30 77 9 31 78 9 31 "
    "79 9 32 80 9 32 81 9 33 82 9 33 83 9 34 84 9 34 85 9 34 86 9 35 87 9 35 88 9 36 89 9 36 "
    "90 9 37 91 10 37 92 10 38 93 10 38 94 10 39 95 10 39 96 10 39 97 10 40 98 10 40 99 10 41 "
    "100 10 41"
)

# methods.md §3.3's computed Swed–Eisenhart table: n, (too few <, too many >) at 2.5% and 5%.
METHODS_RUNS_TABLE = {
    10: ((3, 9), (4, 8)),
    11: ((4, 9), (4, 9)),
    12: ((4, 10), (4, 10)),
    16: ((5, 13), (6, 12)),
    20: ((7, 15), (7, 15)),
    23: ((8, 17), (9, 16)),
    30: ((11, 21), (12, 20)),
    46: ((17, 31), (18, 30)),
    60: ((24, 38), (25, 37)),
}


def labels(n):
    return [f"point {i + 1}" for i in range(n)]


@pytest.mark.parametrize(("n", "limit"), [(10, 6), (12, 7), (23, 8), (46, 9), (91, 10)])
def test_longest_run_limit_equals_methods_table(n, limit):
    assert longest_run_limit(n) == limit


@pytest.mark.parametrize(("n", "minimum"), [(10, 2), (23, 7)])
def test_minimum_crossings_equals_methods_table(n, minimum):
    assert crossings_minimum(n) == minimum


def test_limits_equal_qicharts2_appendix_2_for_10_to_100_points():
    numbers = [int(t) for t in QICHARTS2_APPENDIX_2.split()]
    table = {numbers[i]: (numbers[i + 1], numbers[i + 2]) for i in range(0, len(numbers), 3)}
    assert sorted(table) == list(range(10, 101))
    assert {n: (longest_run_limit(n), crossings_minimum(n)) for n in table} == table


@pytest.mark.parametrize(("n", "expected"), sorted(METHODS_RUNS_TABLE.items()))
def test_swed_eisenhart_limits_equal_methods_table(n, expected):
    assert (runs_limits(n, 0.025), runs_limits(n, 0.05)) == expected


def test_swed_eisenhart_lower_limit_by_hand_for_ten_points():
    # 5 above, 5 below: P(R=2) = 2/252, P(R=3) = 8/252, P(R=4) = 32/252 (2·C(4,1)²).
    # P(R <= 3) = 10/252 = 0.040 <= 0.05 but P(R <= 4) = 0.167: too few if runs < 4.
    assert runs_limits(10, 0.05)[0] == 4
    # P(R <= 2) = 0.008 <= 0.025, P(R <= 3) = 0.040: too few if runs < 3.
    assert runs_limits(10, 0.025)[0] == 3


def test_points_on_the_median_neither_count_nor_break_a_run():
    # median 5; sides: - + 0 + + 0 + - : runs [0], [1, 3, 4, 6], [7]
    chart = run_chart([1, 9, 5, 8, 7, 5, 6, 2, 5], labels(9))
    assert chart.median == 5
    assert side_runs(chart.values, chart.median) == [[0], [1, 3, 4, 6], [7]]
    assert (chart.useful, chart.runs, chart.crossings, chart.longest_run) == (6, 3, 2, 4)


def test_anhoej_long_run_fires_on_the_planted_runs_only():
    # 7 points below, 7 above: median (2 + 8) / 2 = 5, runs of 7 and 7, limit round(log2 14 + 3)
    # = 7, so no long run (7 is not more than 7).
    even = run_chart([1, 2, 1, 2, 1, 2, 1, 9, 8, 9, 8, 9, 8, 9], labels(14))
    assert (even.median, even.longest_run, even.longest_run_limit) == (5, 7, 7)
    assert "Unusually long run" not in [s.rule for s in even.signals]
    # 8 and 8 of 16: limit round(4 + 3) = 7, both runs are longer.
    longer = run_chart([1, 2, 1, 2, 1, 2, 1, 2, 9, 8, 9, 8, 9, 8, 9, 8], labels(16))
    assert [(s.rule, s.points) for s in longer.signals if s.rule == "Unusually long run"] == [
        ("Unusually long run", tuple(range(8))),
        ("Unusually long run", tuple(range(8, 16))),
    ]


def test_anhoej_too_few_crossings_is_a_whole_chart_signal():
    # sorted 1 1 1 1 2 2 2 8 8 9 9 9: median 2; sides - 0 - 0 - + + + + + - 0
    chart = run_chart([1, 2, 1, 2, 1, 9, 8, 9, 8, 9, 1, 2], labels(12))
    # 9 useful, 2 crossings; qbinom(0.05, 8, 0.5) = 2 as P(X <= 1) = 9/256 < 0.05 <= 37/256
    assert (chart.median, chart.useful, chart.crossings, chart.crossings_minimum) == (2, 9, 2, 2)
    assert chart.signals == ()
    # sorted 1×7, 9×8: median 9; 7 useful points below, 0 crossings; qbinom(0.05, 6, 0.5) = 1
    # (1/64 < 0.05 <= 7/64); the run of 7 is also longer than round(log2 7 + 3) = 6.
    fewer = run_chart([1, 1, 1, 1, 1, 9, 9, 9, 9, 9, 9, 9, 9, 1, 1], labels(15))
    assert (fewer.useful, fewer.crossings, fewer.crossings_minimum) == (7, 0, 1)
    assert [(s.rule, s.points) for s in fewer.signals] == [
        ("Unusually long run", (0, 1, 2, 3, 4, 13, 14)),
        ("Too few crossings", ()),
    ]


def test_ihi_rules_fire_where_planted():
    # A shift of 6 below the median, then a rise of 7 points.
    values = [5, 6, 5, 6, 1, 2, 1, 2, 1, 2, 6, 7, 8, 9, 10]
    chart = run_chart(values, labels(15), rules="ihi")
    # sorted 1 1 1 2 2 2 5 5 6 ...: median 5; sides 0 + 0 + - - - - - - + + + + +
    assert chart.median == 5
    assert (chart.useful, chart.runs) == (13, 3)
    assert [(s.rule, s.points) for s in chart.signals] == [
        ("Shift", (4, 5, 6, 7, 8, 9)),
        ("Trend", (8, 9, 10, 11, 12, 13, 14)),  # 1 2 6 7 8 9 10
        ("Too few runs", ()),  # 3 runs < 5, the 5% limit for 13 points (methods table)
    ]
    # docs/improvement.md's worked example: under Anhøj's rules, 2 crossings < qbinom(0.05,
    # 12, 0.5) = 3 (P(X <= 2) = 79/4096 < 0.05 <= 299/4096); longest run 6 <= 7.
    anhoej = run_chart(values, labels(15))
    assert (anhoej.crossings, anhoej.crossings_minimum, anhoej.longest_run) == (2, 3, 6)
    assert [s.rule for s in anhoej.signals] == ["Too few crossings"]


def test_repeated_values_neither_make_nor_break_a_trend():
    assert trends([1, 2, 2, 2, 3, 4], 5) == []  # only four distinct rising values
    assert trends([1, 2, 2, 3, 3, 4, 5], 5) == [(0, 1, 2, 3, 4, 5, 6)]


def test_a_stable_seeded_series_gives_no_anhoej_signal():
    import numpy as np

    # Independent normal values: Anhøj's rules keep false signals near 5%; the IHI set fires
    # far more often on such series (Anhøj & Olesen 2014), so it is not asserted here.
    values = np.random.default_rng(17).normal(50, 5, 30).round(1).tolist()
    assert run_chart(values, labels(30)).signals == ()


def test_qicharts2_montgomery_runs_analysis_is_reproduced():
    # qicharts2 tests/testthat/tbl_7.4_1.rds (Montgomery table 7.4, p chart): qicharts2 runs
    # the analysis around the centre line p̄ = 0.09551: 25 useful, longest run 5 (limit 8),
    # 10 crossings (minimum 8). Proportions y.sum / n from that file.
    events = [12, 8, 6, 9, 10, 12, 11, 16, 10, 6, 20, 15, 9, 8, 6, 8, 10, 7, 5, 8, 5, 8, 10, 6, 9]
    sizes = [100, 80, 80, 100, 110, 110, 100, 100, 90, 90, 110, 120, 120, 120, 110, 80, 80, 80,
             90, 100, 100, 100, 100, 90, 90]  # fmt: skip
    p = [e / n for e, n in zip(events, sizes, strict=True)]
    runs = side_runs(p, sum(events) / sum(sizes))
    assert sum(map(len, runs)) == 25
    assert (max(map(len, runs)), longest_run_limit(25)) == (5, 8)
    assert (len(runs) - 1, crossings_minimum(25)) == (10, 8)


@pytest.mark.parametrize(
    ("values", "names", "message"),
    [([1, 2], ["a"], "2 values but 1 labels"), ([], [], "at least one value"),
     ([1.0, float("nan")], ["a", "b"], "finite")],
)  # fmt: skip
def test_bad_input_is_refused(values, names, message):
    with pytest.raises(ValueError, match=message):
        run_chart(values, names)


def test_unknown_rule_set_is_refused():
    with pytest.raises(ValueError, match="unknown rule set 'nhs'"):
        run_chart([1, 2], ["a", "b"], rules="nhs")
