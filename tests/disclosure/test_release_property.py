"""Release-wide protection (``protect_release``) against the audit a reader of the whole export
would run (``check_export`` / ``reader.leaks``), on synthetic releases (tests/disclosure/releases.py)
where indicators share their populations and groups overlap.

- Whenever ``protect_release`` returns, the audit finds nothing and no shown count is small
  (it may refuse a release with ``CannotProtect``, counted as a hypothesis event), and the
  independent attacker (tests/release_attacker.py), given the true counts, finds nothing.
- Per-indicator ``protect`` alone leaves leaks only a whole-release reading finds: planted by hand
  below, each with its arithmetic, and the audit must name exactly that cell and quantity.
- Protecting the release as a whole never withholds less than protecting each indicator did.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings

from backbone.disclosure import CannotProtect, Policy
from backbone.disclosure.check import check_export
from backbone.disclosure.export import ResultRow
from backbone.disclosure.reader import leaks
from backbone.disclosure.release import IndicatorCells, ReleaseProtection, protect_release
from tests.disclosure.releases import (
    ABSENT,
    ENROLLED,
    GRADUATED,
    PROGRAM,
    RACE,
    REENGAGED,
    ReleaseSpec,
    build,
    indicator_cells,
    protect_alone,
    relations,
    result_rows,
    specs,
    write_release,
)
from tests.release_attacker import attack

PERIOD = "2024-25"
# protect_release costs about 2 s of CPU per generated release (up to ~10 s when it ends in
# CannotProtect), so the examples are few: this file runs in about a minute.
SAFETY = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LOSS = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Finding = tuple[str, str, str, str, str, int, int, str]  # place, quantity, low, high, how


def audit(tables: list[IndicatorCells], rows: list[ResultRow]) -> set[Finding]:
    """What ``check_export`` finds in the export of ``rows``, written to a scratch folder."""
    with tempfile.TemporaryDirectory() as scratch:
        report = check_export(write_release(Path(scratch), rows, tables))
    return {
        (f.indicator, f.period, f.dimension, f.group, f.quantity, f.low, f.high, f.how)
        for f in report.findings
    }


def protected(spec: ReleaseSpec) -> tuple[list[IndicatorCells], ReleaseProtection | None]:
    """The release of ``spec`` protected as a whole, or None when ``protect_release`` refuses
    it (``CannotProtect``, documented: a count stays narrow with everything around it
    withheld)."""
    tables = build(spec)
    try:
        return tables, protect_release(tables)
    except CannotProtect:
        event("protect_release raised CannotProtect")
        return tables, None


def small_shown_counts(rows: list[ResultRow]) -> list[tuple[ResultRow, int]]:
    """Shown N, D and (for a percent with both shown) D − N that are 1..threshold − 1."""
    found = []
    for row in rows:
        shown = [row.numerator, row.denominator]
        if row.unit == "percent" and row.numerator is not None and row.denominator is not None:
            shown.append(row.denominator - row.numerator)
        found += [(row, x) for x in shown if x is not None and 0 < x < row.threshold]
    return found


# --- properties over generated releases ---------------------------------------------------------


@SAFETY
@given(spec=specs())
def test_a_release_protected_as_a_whole_leaks_nothing(spec):
    tables, protection = protected(spec)
    if protection is None:
        return
    rows = result_rows(tables, protection.published)
    assert audit(tables, rows) == set()
    assert leaks(rows, relations(tables)) == []
    assert small_shown_counts(rows) == []
    truth = {
        (table.indicator, *key): (cell.numerator, cell.denominator)
        for table in tables
        for key, cell in table.cells.items()
    }
    with tempfile.TemporaryDirectory() as scratch:
        assert attack(write_release(Path(scratch), rows, tables), truth) == []


@LOSS
@given(spec=specs())
def test_protecting_the_release_withholds_at_least_what_each_indicator_did(spec):
    _, protection = protected(spec)
    if protection is not None:
        assert protection.withheld >= protection.withheld_alone


# --- leaks per-indicator protection leaves, planted by hand ------------------------------------


def table(indicator: str, min_n: int, counts: dict[tuple[str, str], tuple[int, int]]):
    """One period of an indicator from (numerator, denominator) by (dimension, group)."""
    return indicator_cells(indicator, {(PERIOD, *key): nd for key, nd in counts.items()}, min_n)


def findings_alone(tables: list[IndicatorCells]) -> set[Finding]:
    """What the audit finds when each indicator is protected on its own."""
    return audit(tables, result_rows(tables, protect_alone(tables)))


def findings_after_release(tables: list[IndicatorCells]) -> set[Finding]:
    protection = protect_release(tables)
    return audit(tables, result_rows(tables, protection.published))


# Race groups add up to the overall row; IEP is a program (overlapping, not additive).
OVERALL, ASIAN, BLACK, WHITE, IEP = (
    ("overall", "all"), (RACE, "Asian"), (RACE, "Black"), (RACE, "White"), (PROGRAM, "IEP"),
)  # fmt: skip

# Graduated (threshold 10): 9 of the 25 Asian students graduated, a small numerator, so
# ``protect`` withholds it (and Black's numerator as its complement): 120 = 9 + 51 + 60.
GRADUATED_9_ASIAN = {
    OVERALL: (120, 200), ASIAN: (9, 25), BLACK: (51, 75), WHITE: (60, 100), IEP: (30, 50),
}  # fmt: skip


def test_a_numerator_shown_as_another_indicators_denominator_is_found():
    # Enrolled counts graduates (threshold 5): its denominators are graduated's numerators,
    # 120, 9, 51, 60 and 30. Asian: 6 of 9 enrolled, a complement of 3 < 5, so enrolled shows
    # the 9 and withholds the 6 (``small complement`` keeps the group size).
    enrolled = {
        OVERALL: (79, 120), ASIAN: (6, 9), BLACK: (33, 51), WHITE: (40, 60), IEP: (21, 30),
    }  # fmt: skip
    tables = [table(GRADUATED, 10, GRADUATED_9_ASIAN), table(ENROLLED, 5, enrolled)]
    # A reader sees graduated's numerators equal enrolled's sizes wherever both are shown
    # (overall 120, White 60, IEP 30: three cells) and takes them equal everywhere, so the
    # Asian numerator graduated withheld is enrolled's published 9 < 10. (9 + 51 + 60 = 120
    # then gives Black's 51 too, which is not small; every complement is >= 10.)
    assert findings_alone(tables) == {
        (GRADUATED, PERIOD, RACE, "Asian", "numerator", 9, 9, "derived"),
    }
    assert findings_after_release(tables) == set()


def test_a_complement_shown_as_another_indicators_denominator_is_found():
    # Graduated (threshold 10): 17 of the 25 Asian students graduated, so 8 did not: a small
    # complement, withheld with the numerator (Black's numerator withheld beside it).
    graduated = {
        OVERALL: (128, 200), ASIAN: (17, 25), BLACK: (51, 75), WHITE: (60, 100), IEP: (30, 50),
    }  # fmt: skip
    # Reengaged counts those who did not graduate (threshold 5): its denominators are
    # graduated's complements, 72, 8, 24, 40 and 20. Asian: 2 of 8, a small numerator, so
    # reengaged shows the 8.
    reengaged = {
        OVERALL: (36, 72), ASIAN: (2, 8), BLACK: (12, 24), WHITE: (22, 40), IEP: (10, 20),
    }  # fmt: skip
    tables = [table(GRADUATED, 10, graduated), table(REENGAGED, 5, reengaged)]
    # Graduated's complements (200 - 128 = 72, 100 - 60 = 40, 50 - 30 = 20) equal reengaged's
    # sizes on three cells, so the Asian complement is reengaged's 8 < 10.
    assert findings_alone(tables) == {
        (GRADUATED, PERIOD, RACE, "Asian", "complement", 8, 8, "derived"),
    }
    assert findings_after_release(tables) == set()


def test_the_people_outside_an_overlapping_group_are_found():
    # One indicator, threshold 10, nothing small anywhere, so ``protect`` shows every cell:
    # IEP is not a partition, so it is not protected against the overall row.
    graduated = {
        OVERALL: (120, 200), ASIAN: (15, 25), BLACK: (45, 75), WHITE: (60, 100), IEP: (120, 193),
    }  # fmt: skip
    tables = [table(GRADUATED, 10, graduated)]
    # Outside IEP: 200 - 193 = 7 students, 120 - 120 = 0 graduates (zero is not small) and
    # (200 - 120) - (193 - 120) = 80 - 73 = 7 who did not graduate, both published by
    # subtraction.
    assert findings_alone(tables) == {
        (GRADUATED, PERIOD, PROGRAM, "IEP", "outside denominator", 7, 7, "published"),
        (GRADUATED, PERIOD, PROGRAM, "IEP", "outside complement", 7, 7, "published"),
    }
    assert findings_after_release(tables) == set()


def test_a_top_coded_percent_over_a_size_shown_elsewhere_is_found():
    # Absent counts everyone (threshold 10): its sizes are graduated's sizes. 39 of the 40 IEP
    # students were chronically absent, 97.5% >= 95%: top coded, both counts withheld.
    graduated = {
        OVERALL: (120, 200), ASIAN: (15, 25), BLACK: (45, 75), WHITE: (60, 100), IEP: (20, 40),
    }  # fmt: skip
    absent = {
        OVERALL: (150, 200), ASIAN: (15, 25), BLACK: (55, 75), WHITE: (80, 100), IEP: (39, 40),
    }  # fmt: skip
    tables = [table(GRADUATED, 10, graduated), table(ABSENT, 10, absent)]
    # The sizes agree on overall and the three races, so absent's IEP size is graduated's 40;
    # ">=95%" of 40 is 38 to 40 absent, so 0 to 2 were not: three values, two of them small.
    # (The numerator, 38 to 40, is narrow but not small.)
    assert findings_alone(tables) == {
        (ABSENT, PERIOD, PROGRAM, "IEP", "complement", 0, 2, "derived"),
    }
    assert findings_after_release(tables) == set()


# --- cases that once went wrong -------------------------------------------------------------


def test_a_coincidental_equality_does_not_hide_a_true_one():
    # As test_a_numerator_shown_as_another_indicators_denominator_is_found, but enrolled's
    # numerators (80, 40, 20 on overall, White, IEP) happen to equal graduated's complements
    # (200 - 120, 100 - 60, 50 - 30) on the three cells where both are shown, so a reader is
    # offered a second equality. It fails at Asian (enrolled's numerator is at most its size 9,
    # graduated's complement at least 25 - 9 = 16); a reader drops that one (the weaker
    # evidence) and still learns the 9.
    enrolled = {
        OVERALL: (80, 120), ASIAN: (6, 9), BLACK: (34, 51), WHITE: (40, 60), IEP: (20, 30),
    }  # fmt: skip
    tables = [table(GRADUATED, 10, GRADUATED_9_ASIAN), table(ENROLLED, 5, enrolled)]
    assert findings_alone(tables) == {
        (GRADUATED, PERIOD, RACE, "Asian", "numerator", 9, 9, "derived"),
    }


def test_a_release_with_threshold_three_can_be_protected():
    # Policy allows min_n = 3, and "primary: n < 3" tells a reader the group has 0, 1 or 2
    # people: three values, which is no more than the rule itself says. Under a threshold of
    # three, three values are enough.
    cells = {OVERALL: (20, 40), ASIAN: (1, 2), BLACK: (9, 18), WHITE: (10, 20)}
    tables = [table(GRADUATED, 3, cells)]
    assert findings_after_release(tables) == set()


# Graduated (threshold 5) and enrolled (threshold 10, sizes = graduated's numerators), one race.
GRADUATED_16 = {OVERALL: (11, 16), ASIAN: (11, 16), (PROGRAM, "ELL"): (5, 6), IEP: (8, 13)}
ENROLLED_11 = {OVERALL: (11, 11), ASIAN: (11, 11), (PROGRAM, "ELL"): (5, 5), IEP: (8, 8)}


def test_the_small_release_has_a_safe_protection():
    # What protect_release reaches before giving up, with graduated's overall and Asian counts
    # withheld as well: graduated shows only ELL's 6 and IEP's 13, enrolled shows nothing
    # but its markers. The audit finds nothing, so the release could be protected.
    def row(indicator, key, counts, display, rule, threshold):
        numerator, denominator = counts
        return ResultRow(
            indicator, PERIOD, *key, "percent", numerator, denominator, None, display,
            display if display in ("*", "‡") else "coded", rule, threshold, Policy().version, 0,
        )  # fmt: skip

    rows = [
        row(GRADUATED, OVERALL, (None, None), "‡", "complementary: release", 5),
        row(GRADUATED, ASIAN, (None, None), "‡", "complementary: release", 5),
        row(GRADUATED, (PROGRAM, "ELL"), (None, 6), "*", "small count", 5),
        row(GRADUATED, IEP, (None, 13), "‡", "complementary: release", 5),
        row(ENROLLED, OVERALL, (None, None), ">=95%", "top coded", 10),
        row(ENROLLED, ASIAN, (None, None), ">=95%", "top coded", 10),
        row(ENROLLED, (PROGRAM, "ELL"), (None, None), "*", "primary: n < 10", 10),
        row(ENROLLED, IEP, (None, None), "*", "primary: n < 10", 10),
    ]
    tables = [table(GRADUATED, 5, GRADUATED_16), table(ENROLLED, 10, ENROLLED_11)]
    assert audit(tables, rows) == set()
    assert leaks(rows, relations(tables)) == []


def test_a_small_release_that_can_be_protected_is():
    # Enrolled's IEP size (8 < 10) is graduated's IEP numerator. protect_release withholds
    # graduated's IEP and overall numerators, but graduated still shows IEP's size 13 with "‡"
    # (at least 5 did not graduate) and Asian (everyone) as 11 of 16: 16 - 11 = 5 did not
    # graduate at all, so IEP's complement is 5 and its numerator 13 - 5 = 8. It then gives up
    # ("everything around it is withheld") though withholding graduated's overall and Asian
    # sizes protects the release (test_the_small_release_has_a_safe_protection). The candidates
    # now reach every figure of the period in the indicators sharing counts with it.
    tables = [table(GRADUATED, 5, GRADUATED_16), table(ENROLLED, 10, ENROLLED_11)]
    assert findings_after_release(tables) == set()
