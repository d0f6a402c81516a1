"""The WIOA measures on a planted dataset, every expected figure worked out by hand below.

One workforce board sends training rows, skill-gain rows and UI wage records, loaded by the real
importers. Its person ids are the workers' SSNs in all three files, so each person's records
share one ``record_id`` and the measures need no linkage (every record is its own person).

Quarters are written ``2025Q3``; "Qn after exit" is the exit's calendar quarter + n (TEGL 10-16
Change 2). Program year (PY) 2024 runs 1 July 2024 to 30 June 2025.

| id  | exit       | exit Q | Q2 after | Q4 after | notes                                          |
|-----|------------|--------|----------|----------|------------------------------------------------|
| P01 | 2024-12-31 | 2024Q4 | 2025Q2   | 2025Q4   | E1 5000 in 2025Q1 (Q1 after: not Q2), E1 6000 in Q2, E1 6500 in Q4 |
| P02 | 2025-01-01 | 2025Q1 | 2025Q3   | 2026Q1   | E2 4000 in 2025Q2 (Q1 after), nothing in Q2, E2 4200 in Q4; credential 13 months after exit |
| P03 | 2025-03-31 | 2025Q1 | 2025Q3   | 2026Q1   | E1 3000 + E2 2500 in Q2 (two employers: 5500), E2 2800 in Q4; credential exactly 1 year after exit |
| P04 | 2025-04-01 | 2025Q2 | 2025Q4   | 2026Q2   | E3 7000 in 2025Q3 (Q1 after), E3 7200 in Q2, E3 7300 in Q4 (in the late file) |
| P05 | 2024-07-15 | 2024Q3 | 2025Q1   | 2025Q3   | E1 0.00 in Q2 (zero wages: not employed), E1 3100 in Q4 |
| P06 | 2024-09-30 | 2024Q3 |          |          | exit reason institutionalized: excluded; wages and credential ignored |
| P07 | 2024-10-01 | 2024Q4 | 2025Q2   | 2025Q4   | no wages |
| P08 | 2025-06-30 | 2025Q2 | 2025Q4   | 2026Q2   | E4 4800 in Q2, E1 5000 in Q4 (late file): another employer |
| P09 | 2024-11-15 | 2024Q4 | 2025Q2   | 2025Q4   | E2 8000 in Q2, nothing in Q4 |
| P10 | 2025-02-10 | 2025Q1 |          |          | exit reason deceased: excluded |
| P11 | 2025-07-01 | 2025Q3 | 2026Q1   | 2026Q3   | PY 2025; E1 4000 in Q2 |
| P12 | 2024-08-20 | 2024Q3 | 2025Q1   | 2025Q3   | on-the-job training; E5 3900 in Q2, E5 4000 in Q4; credential at exit |
| P13 | (none)     |        |          |          | still in training: skill gains only |

The first wage file ends in 2026Q1; the late file adds 2026Q2.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from backbone.indicators import engines
from backbone.indicators.library import standard_indicator
from backbone.intake import services as intake
from backbone.partnership.models import Partner
from tests.agreements import covering_agreement

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)
WIOA = (
    "employment_q2_after_exit",
    "employment_q4_after_exit",
    "median_earnings_q2_after_exit",
    "retention_same_employer",
    "credential_attainment",
    "measurable_skill_gains",
)

TRAINING = """\
local_id,provider,program,entry_date,exit_date,credential,credential_date,training_type,exit_reason,race_ethnicity,low_income,age_band
100000001,RCC,Welding,2024-02-01,2024-12-31,AWS D1.1,2024-12-31,occupational skills,,White,yes,25-44
100000002,RCC,Welding,2024-02-01,2025-01-01,AWS D1.1,2026-02-01,occupational skills,,Black or African American,yes,19-24
100000003,RCC,Welding,2024-02-01,2025-03-31,AWS D1.1,2026-03-31,occupational skills,,White,no,25-44
100000004,RCC,Welding,2024-02-01,2025-04-01,,,occupational skills,,Hispanic or Latino,yes,25-44
100000005,RCC,Welding,2024-02-01,2024-07-15,,,occupational skills,,White,yes,45-54
100000006,RCC,Welding,2024-02-01,2024-09-30,AWS D1.1,2024-09-30,occupational skills,institutionalized,White,yes,25-44
100000007,RCC,Welding,2024-02-01,2024-10-01,,,occupational skills,,Black or African American,no,19-24
100000008,RCC,Welding,2024-02-01,2025-06-30,AWS D1.1,2025-08-01,occupational skills,,Black or African American,yes,25-44
100000009,RCC,Welding,2024-02-01,2024-11-15,,,occupational skills,,White,no,45-54
100000010,RCC,Welding,2024-02-01,2025-02-10,,,occupational skills,deceased,White,no,55-59
100000011,RCC,Welding,2024-10-01,2025-07-01,,,occupational skills,,Asian,yes,16-18
100000012,Calloway,Welding,2024-02-01,2024-08-20,AWS D1.1,2024-08-20,on-the-job,,Asian,yes,19-24
100000013,RCC,Welding,2024-05-01,,,,adult education,,White,no,19-24
"""

WAGES = """\
ssn,employer_id,year,quarter,wages
100000001,E1,2025,1,5000.00
100000001,E1,2025,2,6000.00
100000001,E1,2025,4,6500.00
100000002,E2,2025,2,4000.00
100000002,E2,2026,1,4200.00
100000003,E1,2025,3,3000.00
100000003,E2,2025,3,2500.00
100000003,E2,2026,1,2800.00
100000004,E3,2025,3,7000.00
100000004,E3,2025,4,7200.00
100000005,E1,2025,1,0.00
100000005,E1,2025,3,3100.00
100000006,E1,2025,1,9000.00
100000006,E1,2025,3,9000.00
100000008,E4,2025,4,4800.00
100000009,E2,2025,2,8000.00
100000011,E1,2026,1,4000.00
100000012,E5,2025,1,3900.00
100000012,E5,2025,3,4000.00
"""

LATE_WAGES = """\
ssn,employer_id,year,quarter,wages
100000004,E3,2026,2,7300.00
100000008,E1,2026,2,5000.00
"""

# One row per participant in education or training and program year; the year's gain if any.
SKILL_GAINS = """\
local_id,program,program_year,gain_type,gain_date
100000001,Welding,2024,exam or benchmark,2024-11-01
100000002,Welding,2024,,
100000003,Welding,2024,transcript,2025-06-30
100000004,Welding,2024,progress report,2025-07-01
100000006,Welding,2023,educational functioning level,2024-03-01
100000006,Welding,2024,educational functioning level,2024-09-01
100000011,Welding,2024,secondary diploma,2025-03-01
100000013,Welding,2024,,
100000013,Welding,2025,transcript,2025-09-10
"""

# (numerator, denominator) by hand. PY 2024 exiters left after the exclusions (P06, P10):
# P01 P02 P03 P04 P05 P07 P08 P09 P12 — nine; low income among them: P01 P02 P04 P05 P08 P12.
EMPLOYED_Q2 = {
    # employed in Q2 after exit: P01 P03 P04 P08 P09 P12 (P02 only in Q1, P05 zero, P07 none)
    ("2024", "overall", "all"): (6, 9),
    ("2024", "low_income", "true"): (4, 6),  # P01 P04 P08 P12
    ("2025", "overall", "all"): (1, 1),  # P11
}
EMPLOYED_Q4_SHORT = {
    # before 2026Q2 arrives: P01 P02 P03 P05 P12 (P04 and P08 wait for 2026Q2; P07 P09 none)
    ("2024", "overall", "all"): (5, 9),
    ("2024", "low_income", "true"): (4, 6),  # P01 P02 P05 P12
}
EMPLOYED_Q4 = {
    ("2024", "overall", "all"): (7, 9),  # + P04 and P08
    ("2024", "low_income", "true"): (6, 6),
}
# Medians of Q2 earnings summed over employers, among those employed in Q2:
# overall 3900 4800 5500 6000 7200 8000 → (5500 + 6000) / 2 = 5750 (rows instead of people
# would give 2500 3000 3900 4800 6000 7200 8000 → 4800); low income 3900 4800 6000 7200 → 5400.
MEDIAN_Q2 = {
    ("2024", "overall", "all"): (6, 9, 5750.0),
    ("2024", "low_income", "true"): (4, 6, 5400.0),
}
# Among the Q2-employed: paid by a Q2 employer again in Q4 — P01 (E1), P03 (E2), P12 (E5),
# and P04 (E3) once 2026Q2 is in; not P08 (E4 → E1) or P09. Per employer of the Q2 record.
RETENTION = {
    ("2024", "overall", "all"): (4, 6),
    ("2024", "low_income", "true"): (3, 4),  # P01 P04 P12 of P01 P04 P08 P12
    ("2024", "employer_id", "E1"): (1, 2),  # P01 stayed; P03 left E1
    ("2024", "employer_id", "E2"): (1, 2),  # P03 stayed at E2; P09 did not
    ("2024", "employer_id", "E3"): (1, 1),
    ("2024", "employer_id", "E4"): (0, 1),
    ("2024", "employer_id", "E5"): (1, 1),
}
# Without the on-the-job P12: P01 P02 P03 P04 P05 P07 P08 P09. Credential from entry to one
# year after exit: P01 (at exit), P03 (exactly one year), P08 (a month); not P02 (13 months).
CREDENTIAL = {
    ("2024", "overall", "all"): (3, 8),
    ("2024", "low_income", "true"): (2, 5),  # P01 P08 of P01 P02 P04 P05 P08
}
# PY 2024 rows: P01 (gain) P02 (none) P03 (30 June: in the year) P04 (1 July: next year)
# P11 (gain) P13 (none); P06 exited institutionalized in PY 2024: excluded that year only.
SKILL_GAINS_EXPECTED = {
    ("2024", "overall", "all"): (3, 6),
    ("2024", "low_income", "true"): (2, 4),  # P01 P11 of P01 P02 P04 P11
    ("2023", "overall", "all"): (1, 1),  # P06 before the year of the exit
    ("2025", "overall", "all"): (1, 1),  # P13
}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.fixture
def board(tmp_path, workspace) -> Partner:
    """The workforce board with its training, skill-gain and first wage files loaded."""
    partner = Partner.objects.create(
        slug="three-rivers", name="Three Rivers Workforce Board", partner_type="workforce_board"
    )
    covering_agreement(partner, "training", "skill_gain", "ui_wages")
    for name, contract, text in (
        ("training.csv", "training", TRAINING),
        ("skill_gain.csv", "skill_gain", SKILL_GAINS),
        ("wages.csv", "ui_wages", WAGES),
    ):
        outcome = intake.ingest(write(tmp_path, name, text), partner, contract, "2025")
        assert outcome.submission.status == "loaded", (name, outcome)
    return partner


def computed() -> dict[str, dict[tuple[str, str, str], dict]]:
    """Each WIOA measure's rows by (period, dimension, group)."""
    definitions = [standard_indicator(slug).definition for slug in WIOA]
    rows = engines.compute(intake.warehouse(), definitions, today=TODAY, own_records=True)
    return {
        slug: {(str(r["period"]), r["dimension"], r["group_value"]): r for r in result}
        for slug, result in zip(WIOA, rows, strict=True)
    }


def counts(rows: dict, expected: dict) -> dict:
    return {key: (rows[key]["numerator"], rows[key]["denominator"]) for key in expected}


def load_late_wages(tmp_path: Path, board: Partner) -> None:
    path = write(tmp_path, "late.csv", LATE_WAGES)
    assert intake.ingest(path, board, "ui_wages", "2026Q2").submission.status == "loaded"


def test_employment_in_the_second_quarter_follows_calendar_quarters(board):
    rows = computed()["employment_q2_after_exit"]
    assert counts(rows, EMPLOYED_Q2) == EMPLOYED_Q2
    assert rows[("2024", "overall", "all")]["value"] == pytest.approx(100 * 6 / 9)


def test_excluded_exits_leave_every_measure(board):
    """P06 and P10 are in no population: no period or group counts them (race 'Asian' holds P11
    and P12 only, the 55-59 band only P10)."""
    result = computed()
    for slug in ("employment_q2_after_exit", "credential_attainment"):
        assert ("2024", "age_band", "55-59") not in result[slug]
    assert (
        result["employment_q2_after_exit"][("2024", "race_ethnicity", "Asian")]["denominator"] == 1
    )


def test_median_earnings_add_up_each_persons_employers_first(board):
    rows = computed()["median_earnings_q2_after_exit"]
    for key, (numerator, denominator, median) in MEDIAN_Q2.items():
        assert (rows[key]["numerator"], rows[key]["denominator"]) == (numerator, denominator)
        assert rows[key]["value"] == pytest.approx(median)


def test_credential_attainment_leaves_out_on_the_job_training_and_late_credentials(board):
    rows = computed()["credential_attainment"]
    assert counts(rows, CREDENTIAL) == CREDENTIAL
    assert rows[("2024", "overall", "all")]["complete"]


def test_measurable_skill_gains_count_gains_dated_in_the_program_year(board):
    assert counts(computed()["measurable_skill_gains"], SKILL_GAINS_EXPECTED) == (
        SKILL_GAINS_EXPECTED
    )


def test_a_wage_file_one_quarter_short_leaves_the_fourth_quarter_not_yet_available(board):
    result = computed()
    q2, q4 = result["employment_q2_after_exit"], result["employment_q4_after_exit"]
    # PY 2024's last exits (June 2025) need 2025Q4 for Q2 and 2026Q2 for Q4; wages end 2026Q1.
    assert q2[("2024", "overall", "all")]["complete"]
    assert not q2[("2025", "overall", "all")]["complete"]
    assert not q4[("2024", "overall", "all")]["complete"]
    assert q4[("2024", "overall", "all")]["data_through"] == dt.date(2026, 3, 31)
    assert counts(q4, EMPLOYED_Q4_SHORT) == EMPLOYED_Q4_SHORT
    assert not result["retention_same_employer"][("2024", "overall", "all")]["complete"]


def test_the_missing_quarter_completes_the_fourth_quarter_measures(tmp_path, board):
    load_late_wages(tmp_path, board)
    result = computed()
    q4 = result["employment_q4_after_exit"]
    assert q4[("2024", "overall", "all")]["complete"]
    assert counts(q4, EMPLOYED_Q4) == EMPLOYED_Q4
    retention = result["retention_same_employer"]
    assert retention[("2024", "overall", "all")]["complete"]
    assert counts(retention, RETENTION) == RETENTION
