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

# record_id, source_partner, person_key, local_id (identity), wages in 2025 Q3
RECORDS = [
    ("r1", "tutoring", "P1", "T-1", None),
    ("r2", "tutoring", "P2", "T-2", None),
    ("r3", "tutoring", "P3", "T-3", None),
    ("r4", "tutoring", "P4", "T-4", None),
    ("w1", "workforce", "P1", None, 900.0),  # T-1 earned
    ("w2", "workforce", "P2", None, 0.0),  # T-2 on the payroll, no wages
    ("s3", "state-agency", "P3", None, 500.0),  # T-3 earned, but in a partner not permitted
]
# Roster spells: T-1..T-3 left in 2025 Q1, so 2025 Q3 is their 2nd quarter after; T-4 is still in.
SPELLS = [("r1", "2025-02-10"), ("r2", "2025-03-31"), ("r3", "2025-01-02"), ("r4", None)]


@pytest.fixture
def warehouse():
    connection = duckdb.connect()
    connection.execute("CREATE TABLE identity_record (record_id VARCHAR, local_id VARCHAR, source_partner VARCHAR, birth_date DATE)")  # fmt: skip
    connection.execute("CREATE TABLE crosswalk (record_id VARCHAR, source_partner VARCHAR, person_key VARCHAR)")  # fmt: skip
    connection.execute("CREATE TABLE wages (record_id VARCHAR, wages DOUBLE, year INTEGER, quarter INTEGER, source_partner VARCHAR)")  # fmt: skip
    connection.execute("CREATE TABLE program_participation (record_id VARCHAR, end_date DATE, source_partner VARCHAR)")  # fmt: skip
    for record, partner, person, local_id, wages in RECORDS:
        connection.execute("INSERT INTO crosswalk VALUES (?, ?, ?)", [record, partner, person])
        if local_id:
            connection.execute("INSERT INTO identity_record VALUES (?, ?, ?, NULL)", [record, local_id, partner])  # fmt: skip
            connection.execute("INSERT INTO identity_record VALUES (?, ?, ?, NULL)", [record, local_id, partner])  # a second load of the same person  # fmt: skip
        else:
            connection.execute("INSERT INTO wages VALUES (?, ?, 2025, 3, ?)", [record, wages, partner])  # fmt: skip
    for record, end in SPELLS:
        connection.execute("INSERT INTO program_participation VALUES (?, ?, 'tutoring')", [record, end])  # fmt: skip
    yield connection
    connection.close()


def rows_of(connection, outcome: Outcome, allowed_partners=("workforce",), limit=100, offset=0):
    allowed = {outcome.code: [Permit(Source(p, "c"), "dsa") for p in allowed_partners]}
    sql, parameters = outcomes_sql("tutoring", allowed, TODAY, [outcome])
    return connection.execute(sql, [*parameters, limit, offset]).fetchall()


def test_the_query_reads_only_the_permitted_partners_rows(warehouse):
    # T-3 earned only in a partner not permitted: "no", since workforce's Q3 is loaded.
    assert rows_of(warehouse, EMPLOYED) == [
        ("T-1", True), ("T-2", False), ("T-3", False), ("T-4", None),
    ]  # fmt: skip


def test_wages_are_not_yet_until_the_follow_up_quarter_is_loaded(warehouse):
    # T-1 leaves again in 2025 Q2: its 2nd quarter after (Q4) is not loaded; T-2 stays a "no".
    warehouse.execute("INSERT INTO program_participation VALUES ('r1', '2025-05-01', 'tutoring')")
    warehouse.execute("DELETE FROM wages WHERE record_id = 'w1'")
    assert rows_of(warehouse, EMPLOYED)[:2] == [("T-1", None), ("T-2", False)]


def test_an_open_spell_means_not_yet_left(warehouse):
    warehouse.execute("INSERT INTO program_participation VALUES ('r1', NULL, 'tutoring')")
    assert rows_of(warehouse, EMPLOYED)[0] == ("T-1", None)


def test_the_query_pages(warehouse):
    assert rows_of(warehouse, EMPLOYED, limit=1, offset=1) == [("T-2", False)]


def test_an_outcome_not_allowed_is_not_even_a_column(warehouse):
    other = Outcome("x", "X", "wages", frozenset({"local_id"}), "true", "true", "always")
    sql, parameters = outcomes_sql("tutoring", {}, TODAY, [EMPLOYED, other])
    assert "wages" not in sql
    assert warehouse.execute(sql, [*parameters, 10, 0]).fetchall() == [
        ("T-1",), ("T-2",), ("T-3",), ("T-4",),
    ]  # fmt: skip


GRADUATED = next(o for o in OUTCOMES if o.code == "graduated")
COLLEGE = next(o for o in OUTCOMES if o.code == "enrolled_postsecondary")
ABSENT = next(o for o in OUTCOMES if o.code == "chronically_absent")
READING = next(o for o in OUTCOMES if o.code == "grade3_reading_proficient")


def test_graduation_is_not_yet_until_the_cohort_year_has_passed(warehouse):
    # TODAY is 2026-01-15: the 2025 cohort's year ended on 2025-08-31, the 2026 cohort's has not.
    warehouse.execute("CREATE TABLE graduation (record_id VARCHAR, cohort_year INTEGER, status VARCHAR, source_partner VARCHAR)")  # fmt: skip
    warehouse.executemany(
        "INSERT INTO graduation VALUES (?, ?, ?, 'district')",
        [["w1", 2025, "regular diploma"], ["w2", 2025, "dropout"], ["s3", 2026, "unknown"]],
    )
    # T-1 graduated, T-2 left its passed cohort without, T-3's cohort is open, T-4 in none.
    assert rows_of(warehouse, GRADUATED, ["district"]) == [
        ("T-1", True), ("T-2", False), ("T-3", None), ("T-4", None),
    ]  # fmt: skip


def test_college_is_not_yet_before_eighteen_by_the_partners_own_birth_date(warehouse):
    warehouse.execute("CREATE TABLE postsecondary (record_id VARCHAR, source_partner VARCHAR)")
    warehouse.execute("INSERT INTO postsecondary VALUES ('s3', 'college')")
    births = {"r1": "2008-01-15", "r2": "2008-01-16", "r3": "2010-05-01"}  # 18 on TODAY, not yet
    for record, birth in births.items():
        warehouse.execute("UPDATE identity_record SET birth_date = ? WHERE record_id = ?", [birth, record])  # fmt: skip
    # A "yes" needs no eligibility: T-3 enrolled at 15. T-4 has no birth date: not yet.
    assert rows_of(warehouse, COLLEGE, ["college"]) == [
        ("T-1", False), ("T-2", None), ("T-3", True), ("T-4", None),
    ]  # fmt: skip


def test_chronic_absence_reads_the_latest_year_summed_over_schools(warehouse):
    warehouse.execute("CREATE TABLE attendance (record_id VARCHAR, school_year INTEGER, days_enrolled DOUBLE, days_absent DOUBLE, source_partner VARCHAR)")  # fmt: skip
    warehouse.executemany(
        "INSERT INTO attendance VALUES (?, ?, ?, ?, 'district')",
        [
            ["w1", 2025, 100, 2], ["w1", 2025, 80, 16],  # 18 of 180 days: exactly 10%, yes
            ["w2", 2025, 180, 17], ["w2", 2024, 180, 90],  # 2024 is not the latest year: no
            ["s3", 2025, 9, 9],  # under 10 days enrolled: not yet
            ["r4", 2024, 180, 90],  # only an earlier year: not yet
        ],
    )  # fmt: skip
    warehouse.execute("INSERT INTO crosswalk VALUES ('r4', 'district', 'P4')")
    assert rows_of(warehouse, ABSENT, ["district"]) == [
        ("T-1", True), ("T-2", False), ("T-3", None), ("T-4", None),
    ]  # fmt: skip


def test_grade3_reading_counts_only_grade3_reading_tests(warehouse):
    warehouse.execute("CREATE TABLE assessment (record_id VARCHAR, grade VARCHAR, subject VARCHAR, proficient BOOLEAN, source_partner VARCHAR)")  # fmt: skip
    warehouse.executemany(
        "INSERT INTO assessment VALUES (?, ?, ?, ?, 'district')",
        [
            ["w1", "3", "English Language Arts", False], ["w1", "3", "Reading", True],  # retest
            ["w2", "3", "English Language Arts", None],  # tested, no level: no
            ["s3", "3", "Mathematics", True], ["s3", "8", "Reading", True],  # not yet
        ],
    )  # fmt: skip
    assert rows_of(warehouse, READING, ["district"]) == [
        ("T-1", True), ("T-2", False), ("T-3", None), ("T-4", None),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("code", "contract", "listed", "missing"),
    [
        ("chronically_absent", "edfi", {"local_id", "school_year", "days_enrolled"}, "days_absent"),
        ("grade3_reading_proficient", "edfi", {"local_id", "grade", "subject"}, "proficient"),
        ("graduated", "graduation", {"local_id", "status"}, "cohort_year"),  # the eligibility field
    ],
)
def test_each_new_rule_is_gated_by_the_fields_the_agreement_lists(code, contract, listed, missing):
    district = Source("district", contract)
    terms = {"slug": "study", "discloser": "district", "elements": {contract: frozenset(listed)}}
    narrow = grant(**terms)
    found = decide("tutoring", {code: [district]}, [narrow], TODAY)
    assert found.withheld[code] == [
        "no active data-sharing agreement lets tutoring receive "
        f"{contract} data from district (agreement 'study' does not list {contract} field(s) "
        f"{missing})"
    ]
    wide = grant(**{**terms, "elements": {contract: frozenset({*listed, missing})}})
    assert decide("tutoring", {code: [district]}, [wide], TODAY).agreements == ["study"]
