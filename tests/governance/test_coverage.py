"""Which data-sharing agreement covers a submission, decided on plain data with literal dates."""

from __future__ import annotations

import datetime as dt

import pytest

from backbone.governance.coverage import (
    FieldCheck,
    NotCovered,
    batch_fields,
    contract_fields,
    covering_agreement,
    element_problems,
)
from backbone.governance.dsa import Terms
from backbone.warehouse.records import RowBatch

DISTRICT = "riverton-public-schools"
TODAY = dt.date(2025, 9, 1)


def dsa(slug: str = "district-dsa-2024", **terms) -> Terms:
    values = {
        "discloser": DISTRICT,
        "start": dt.date(2024, 7, 1),
        "end": dt.date(2026, 6, 30),
        "elements": {"edfi": frozenset(), "graduation": frozenset({"local_id", "status"})},
        **terms,
    }
    return Terms(slug, **values)


PREFIX = f"no active data-sharing agreement covers {DISTRICT} submitting edfi: "


@pytest.mark.parametrize(
    ("agreements", "reason"),
    [
        ([], f"no data-sharing agreement names {DISTRICT} as discloser"),
        ([dsa(discloser="state-ui")], f"no data-sharing agreement names {DISTRICT} as discloser"),
        ([dsa(kind="mou")], f"no data-sharing agreement names {DISTRICT} as discloser"),
        ([dsa(end=dt.date(2025, 6, 30))], "agreement 'district-dsa-2024' ended on 2025-06-30"),
        ([dsa(status="expired")], "agreement 'district-dsa-2024' ended on 2025-09-01"),
        ([dsa(status="ended", end=None)], "agreement 'district-dsa-2024' has ended"),
        (
            [dsa(status="destroyed")],
            "agreement 'district-dsa-2024' has ended and its data was destroyed",
        ),
        ([dsa(status="draft")], "agreement 'district-dsa-2024' is a draft, not signed"),
        ([dsa(status="under_review")], "agreement 'district-dsa-2024' is under review, not signed"),
        ([dsa(start=dt.date(2025, 9, 2))], "agreement 'district-dsa-2024' starts on 2025-09-02"),
        (
            [dsa(elements={"graduation": frozenset()})],
            "agreement 'district-dsa-2024' does not list the edfi contract",
        ),
        (
            [dsa("old-dsa", end=dt.date(2024, 6, 30)), dsa("new-dsa", status="under_review")],
            "agreement 'old-dsa' ended on 2024-06-30; agreement 'new-dsa' is under review, "
            "not signed",
        ),
    ],
)
def test_refusal_names_why_no_agreement_covers_the_contract(agreements, reason):
    with pytest.raises(NotCovered) as refused:
        FieldCheck.start(agreements, DISTRICT, "edfi", TODAY)
    assert str(refused.value) == PREFIX + reason


def test_the_last_day_of_the_term_is_still_covered():
    last_day = dsa(end=TODAY)
    assert covering_agreement([last_day], DISTRICT, "edfi", {"local_id"}, TODAY) == last_day


def test_an_element_without_fields_covers_every_field_of_the_contract():
    chosen = covering_agreement([dsa()], DISTRICT, "edfi", contract_fields("edfi"), TODAY)
    assert chosen.slug == "district-dsa-2024"


def test_fields_beyond_the_element_are_refused_naming_them():
    with pytest.raises(NotCovered) as refused:
        covering_agreement([dsa()], DISTRICT, "graduation", {"local_id", "status", "ssn"}, TODAY)
    assert str(refused.value) == (
        f"no active data-sharing agreement covers {DISTRICT} submitting graduation: "
        "agreement 'district-dsa-2024' does not list field(s) ssn"
    )


def test_the_check_names_every_uncovered_field_of_every_batch():
    check = FieldCheck.start([dsa()], DISTRICT, "graduation", TODAY)
    check.add({"local_id", "diploma_date"})
    check.add({"status", "cohort_year"})
    with pytest.raises(NotCovered, match=r"does not list field\(s\) cohort_year, diploma_date$"):
        check.governing()


def test_of_several_covering_agreements_the_longest_running_governs():
    short = dsa("short-dsa", end=dt.date(2026, 6, 30))
    long = dsa("long-dsa", end=dt.date(2028, 6, 30))
    narrow = dsa("narrow-dsa", end=None, elements={"graduation": frozenset({"local_id"})})
    chosen = covering_agreement([short, narrow, long], DISTRICT, "graduation", {"status"}, TODAY)
    assert chosen.slug == "long-dsa"  # the open-ended one does not list status


def test_batch_fields_are_the_columns_holding_a_value():
    by_columns = RowBatch(
        "wages",
        "w.csv",
        columns={"local_id": ["1", "2"], "wages": [None, None], "source_row": [2, 3]},
    )
    by_rows = RowBatch("wages", "w.csv", rows=[{"local_id": "1", "year": None, "source_row": 2}])
    assert (batch_fields(by_columns), batch_fields(by_rows)) == ({"local_id"}, {"local_id"})


def test_ui_wage_contract_fields_are_the_identity_and_wage_columns():
    identity = {
        "local_id", "first_name", "middle_name", "last_name", "name_suffix", "birth_date", "sex",
        "ssn", "student_id", "street_address", "city", "zip", "dob_quality", "ssn_quality", "race_ethnicity",
    }  # fmt: skip
    wages = {"local_id", "employer_id", "year", "quarter", "wages"}
    assert contract_fields("ui_wages") == identity | wages


@pytest.mark.parametrize(
    ("contract", "fields", "problems"),
    [
        ("ui_wages", ["wages", "ssn"], []),
        ("ui_wages", ["wages", "grade", "bogus"], ["ui_wages has no field(s) bogus, grade"]),
        ("wagez", [], ["unknown contract 'wagez'; expected one of: edfi, hmis, ui_wages, "
                        "person_demographics, program_participation, program_assessment, "
                        "postsecondary, training, skill_gain, employer_event, graduation"]),
    ],
)  # fmt: skip
def test_element_problems(contract, fields, problems):
    assert element_problems(contract, fields) == problems
