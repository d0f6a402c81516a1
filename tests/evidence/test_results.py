"""Every design's result as rows of one shape: figures worked out by hand, and each row's own
disclosure verdict."""

from __future__ import annotations

import math

import pandas as pd

from backbone.disclosure import Policy
from backbone.evidence import assessments, results

ROWS = pd.DataFrame({
    "program": ["M"] * 3 + ["B"] * 3, "instrument": ["DESSA"] * 6,
    "pre_score": [40.0, 50.0, 60.0, 42.0, 52.0, 62.0],
    "post_score": [46.0, 54.0, 68.0, 43.0, 54.0, 65.0],
})  # fmt: skip


def test_growth_is_a_row_without_a_comparison_group():
    (row,) = results.of_pre_post(assessments.pre_post(ROWS, "M", "DESSA"), Policy(min_n=3))
    # Gains 6, 4, 8: mean 6, SD 2, SE 2/√3; t(0.975, 2) = 4.302653.
    assert math.isclose(row.effect, 6.0) and math.isclose(row.se, 2 / math.sqrt(3))
    assert math.isclose(row.ci_high, 6 + 4.302653 * 2 / math.sqrt(3), rel_tol=1e-6)
    assert (row.kind, row.n_treated, row.n_comparison) == (results.GROWTH_LABEL, 3, None)
    assert row.naive_difference is None and row.withheld == ""


def test_growth_on_fewer_than_the_minimum_is_withheld():
    (row,) = results.of_pre_post(assessments.pre_post(ROWS, "M", "DESSA"), Policy(min_n=4))
    assert row.withheld == "withheld: reassessed participants (3 < 4)"


def test_a_difference_in_gains_needs_both_programs_at_the_minimum():
    versus = assessments.difference_in_gains(ROWS, "M", "B", "DESSA")
    (row,) = results.of_pre_post(versus, Policy(min_n=3))
    assert math.isclose(row.effect, 4.0) and row.n_comparison == 3  # gains 6 against 2
    assert row.label == "M vs B: DESSA gains" and row.withheld == ""
    (small,) = results.of_pre_post(versus, Policy(min_n=5))
    assert small.withheld == "withheld: reassessed in M (3 < 5), reassessed in B (3 < 5)"


def test_a_contrast_is_labelled_by_its_two_arms():
    assert results.contrast_label("A + B", "A") == "A + B vs A only"
    assert results.contrast_label("A + B", "neither") == "A + B vs neither program"
