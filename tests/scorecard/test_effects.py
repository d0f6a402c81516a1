"""How a study's figures are rounded for the public: the CI's half-width to two significant
figures, everything else to the same place. Expected texts worked out by hand."""

from __future__ import annotations

import pytest

from backbone.scorecard.effects import Shown, decimals, lineage, question, shown


@pytest.mark.parametrize(
    ("figures", "expected"),
    [
        # half-width 6.615 → 6.6: tenths
        ((7.634, 1.02, 14.25, -6.21), Shown("+7.6", "1.0 to 14.2", "−6.2")),
        # half-width 0.644 → 0.64: hundredths
        ((-2.917, -3.571, -2.283, -1.31), Shown("−2.92", "−3.57 to −2.28", "−1.31")),
        # half-width 222.2 → 220: tens of dollars
        ((1353.4, 1131.2, 1575.6, 1436.0), Shown("+1,350", "1,130 to 1,580", "+1,440")),
        # half-width 0.057 → 0.057: thousandths
        ((0.1041, 0.0423, 0.1659, 0.096), Shown("+0.104", "0.042 to 0.166", "+0.096")),
        # an interval across zero; an estimate that rounds to zero has no sign
        ((0.004, -3.1, 3.1, 0.6), Shown("0.0", "−3.1 to 3.1", "+0.6")),
    ],
)
def test_figures_carry_no_more_digits_than_the_interval_supports(figures, expected):
    assert shown(*figures) == expected


def test_a_zero_width_interval_keeps_two_decimals():
    assert decimals(5.0, 5.0) == 2


def test_the_question_names_any_training_for_a_star():
    assert question("*", "earnings") == "Did taking part in any training program change earnings?"


def test_lineage_without_files_or_linkage_says_only_the_date_and_version():
    import datetime as dt

    assert lineage(dt.date(2026, 1, 2), "1.0", 0, []) == "Run on 2 January 2026 with backbone 1.0."
