"""The decision whether a partner may see its participants' outcomes, as plain data, and the
query that reads them (run on DuckDB tables written here)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from backbone.governance.dsa import Terms
from backbone.governance.participants import (
    OUTCOMES,
    Grant,
    Outcome,
    Permit,
    Source,
    decide,
    grant_blocker,
    outcomes_sql,
)

TODAY = dt.date(2026, 1, 15)
WAGES = Source("workforce", "ui_wages")
EMPLOYED = next(o for o in OUTCOMES if o.code == "employed")


def grant(**changes) -> Grant:
    """A wage agreement letting tutoring see every ui_wages field for program evaluation."""
    terms = {
        "slug": "wage-dsa", "discloser": "workforce", "start": dt.date(2025, 7, 1),
        "end": dt.date(2027, 6, 30), "elements": {"ui_wages": frozenset()},
    }  # fmt: skip
    terms.update({k: v for k, v in changes.items() if k not in {"recipients", "purpose"}})
    return Grant(
        Terms(**terms),
        changes.get("recipients", frozenset({"tutoring"})),
        changes.get("purpose", "program-evaluation"),
    )


def test_an_agreement_naming_the_recipient_permits_for_its_purpose():
    assert grant_blocker(grant(), "tutoring", WAGES, EMPLOYED.fields, TODAY) is None


@pytest.mark.parametrize(
    ("changes", "purpose", "reason"),
    [
        (
            {"recipients": frozenset({"mentoring"})},
            None,
            "agreement 'wage-dsa' does not name tutoring as a recipient",
        ),
        ({"status": "draft"}, None, "agreement 'wage-dsa' is a draft, not signed"),
        ({"status": "under_review"}, None, "agreement 'wage-dsa' is under review, not signed"),
        ({"status": "ended"}, None, "agreement 'wage-dsa' ended on 2026-01-15"),
        ({"end": dt.date(2025, 12, 31)}, None, "agreement 'wage-dsa' ended on 2025-12-31"),
        (
            {"status": "destroyed"},
            None,
            "agreement 'wage-dsa' has ended and its data was destroyed",
        ),
        ({"start": dt.date(2026, 2, 1)}, None, "agreement 'wage-dsa' starts on 2026-02-01"),
        (
            {"elements": {"hmis": frozenset()}},
            None,
            "agreement 'wage-dsa' does not list the ui_wages contract",
        ),
        (
            {"elements": {"ui_wages": frozenset({"local_id", "year", "quarter"})}},
            None,
            "agreement 'wage-dsa' does not list ui_wages field(s) wages",
        ),
        ({"purpose": ""}, None, "agreement 'wage-dsa' states no purpose"),
        (
            {},
            "improve-instruction",
            "agreement 'wage-dsa' is for the purpose 'program-evaluation', not 'improve-instruction'",
        ),
    ],
)
def test_what_keeps_an_agreement_from_permitting(changes, purpose, reason):
    assert (
        grant_blocker(grant(**changes), "tutoring", WAGES, EMPLOYED.fields, TODAY, purpose)
        == reason
    )


def test_every_listed_field_is_enough():
    fields = {"ui_wages": frozenset({"local_id", "wages", "year", "quarter"})}
    assert grant_blocker(grant(elements=fields), "tutoring", WAGES, EMPLOYED.fields, TODAY) is None


def test_a_partners_own_data_needs_no_agreement():
    found = decide("workforce", {"employed": [WAGES]}, [], TODAY)
    assert found.allowed == {"employed": [Permit(WAGES, None)]} and found.purposes == []


def test_without_any_agreement_of_the_discloser_the_refusal_says_so():
    found = decide("tutoring", {"employed": [WAGES]}, [], TODAY)
    assert found.refused
    assert found.explanation() == (
        "employed: no active data-sharing agreement lets tutoring receive ui_wages data from "
        "workforce."
    )


def test_an_mou_or_another_disclosers_agreement_does_not_count():
    others = [grant(kind="mou"), grant(discloser="college", slug="college-dsa")]
    assert decide("tutoring", {"employed": [WAGES]}, others, TODAY).refused


def test_the_first_agreement_that_permits_is_used_and_the_others_ignored():
    found = decide("tutoring", {"employed": [WAGES]}, [grant(status="draft"), grant(slug="z-dsa")], TODAY)  # fmt: skip
    assert found.agreements == ["z-dsa"] and not found.withheld


def test_an_outcome_is_shown_only_when_every_source_is_permitted():
    sources = {"employed": [WAGES, Source("state-agency", "ui_wages")]}
    found = decide("tutoring", sources, [grant()], TODAY)
    assert not found.allowed and found.refused
    assert list(found.withheld) == ["employed"]
    assert "from state-agency" in found.withheld["employed"][0]


def test_outcomes_nobody_sent_are_unavailable_not_refused():
    found = decide("tutoring", {}, [], TODAY)
    assert found.unavailable == [o.code for o in OUTCOMES] and not found.refused


def test_some_outcomes_allowed_and_others_withheld_is_not_a_refusal():
    sources = {"employed": [WAGES], "enrolled_postsecondary": [Source("college", "postsecondary")]}
    found = decide("tutoring", sources, [grant()], TODAY)
    assert list(found.allowed) == ["employed"] and list(found.withheld) == [
        "enrolled_postsecondary"
    ]
    assert not found.refused and found.purposes == ["program-evaluation"]


# The query -------------------------------------------------------------------------------------

# record_id, source_partner, person_key, local_id (identity), wages
RECORDS = [
    ("r1", "tutoring", "P1", "T-1", None),
    ("r2", "tutoring", "P2", "T-2", None),
    ("r3", "tutoring", "P3", "T-3", None),
    ("w1", "workforce", "P1", None, 900.0),  # T-1 earned
    ("w2", "workforce", "P2", None, 0.0),  # T-2 on the payroll, no wages
    ("s3", "state-agency", "P3", None, 500.0),  # T-3 earned, but in a partner not permitted
]


@pytest.fixture
def warehouse():
    connection = duckdb.connect()
    connection.execute("CREATE TABLE identity_record (record_id VARCHAR, local_id VARCHAR, source_partner VARCHAR)")  # fmt: skip
    connection.execute("CREATE TABLE crosswalk (record_id VARCHAR, source_partner VARCHAR, person_key VARCHAR)")  # fmt: skip
    connection.execute("CREATE TABLE wages (record_id VARCHAR, wages DOUBLE, source_partner VARCHAR)")  # fmt: skip
    for record, partner, person, local_id, wages in RECORDS:
        connection.execute("INSERT INTO crosswalk VALUES (?, ?, ?)", [record, partner, person])
        if local_id:
            connection.execute("INSERT INTO identity_record VALUES (?, ?, ?)", [record, local_id, partner])  # fmt: skip
            connection.execute("INSERT INTO identity_record VALUES (?, ?, ?)", [record, local_id, partner])  # a second load of the same person  # fmt: skip
        else:
            connection.execute("INSERT INTO wages VALUES (?, ?, ?)", [record, wages, partner])
    yield connection
    connection.close()


def test_the_query_reads_only_the_permitted_partners_rows(warehouse):
    allowed = {"employed": [Permit(WAGES, "wage-dsa", "program-evaluation")]}
    sql, parameters = outcomes_sql("tutoring", allowed, [EMPLOYED])
    rows = warehouse.execute(sql, [*parameters, 100, 0]).fetchall()
    assert rows == [("T-1", True), ("T-2", False), ("T-3", False)]


def test_the_query_pages(warehouse):
    allowed = {"employed": [Permit(WAGES, "wage-dsa")]}
    sql, parameters = outcomes_sql("tutoring", allowed, [EMPLOYED])
    assert warehouse.execute(sql, [*parameters, 1, 1]).fetchall() == [("T-2", False)]


def test_an_outcome_not_allowed_is_not_even_a_column(warehouse):
    other = Outcome("x", "X", "wages", frozenset({"local_id"}))
    sql, parameters = outcomes_sql("tutoring", {}, [EMPLOYED, other])
    assert "wages" not in sql
    assert warehouse.execute(sql, [*parameters, 10, 0]).fetchall() == [("T-1",), ("T-2",), ("T-3",)]
