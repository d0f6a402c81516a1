"""The consent gate: the rule (in force, withdrawn, which agreement) by hand, the SQL on a real
DuckDB engine, and — end to end — a revoked record leaving the crosswalk, the review queue and
the indicator counts after the next link and compute."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from backbone.governance.consent import ConsentOnFile, GatedLoad, listed_people
from backbone.governance.models import Agreement, AuditEvent, Consent
from backbone.governance.services import revoke_consent
from backbone.identity.consent import ConsentGate, close_gate, withheld_sql
from backbone.identity.models import ReviewPair
from backbone.identity.services import linkage_overview, run_linkage
from backbone.indicators.definitions import IndicatorDefinition, Period
from backbone.indicators.models import Result
from backbone.indicators.services import compute, save_indicator
from backbone.intake import services as intake
from backbone.intake.validation import record_id
from backbone.partnership.models import Partner
from backbone.warehouse.engines import DuckDBEngine
from backbone.warehouse.services import warehouse
from backbone.warehouse.services import workspace as workspace_now
from tests.agreements import covering_agreement
from tests.fixtures import write_csv

JAN, MAR, JUN = dt.date(2025, 1, 1), dt.date(2025, 3, 1), dt.date(2025, 6, 1)


@pytest.mark.parametrize(
    ("signed", "revoked", "expires", "on", "in_force"),
    [
        (JAN, None, None, MAR, True),
        (MAR, None, None, JAN, False),  # not signed yet
        (JAN, MAR, None, MAR, False),  # revoked that day
        (JAN, JUN, None, MAR, True),  # revocation still to come
        (JAN, None, MAR, MAR, False),  # lapsed that day
        (JAN, None, JUN, MAR, True),
    ],
)
def test_a_consent_is_in_force_from_signing_until_revoked_or_lapsed(
    signed, revoked, expires, on, in_force
):
    consent = ConsentOnFile("shelter", "S1", None, signed, revoked, expires)
    assert consent.in_force(on) is in_force


ON_FILE = [
    ConsentOnFile("shelter", "S1", 1, JAN),  # for this agreement
    ConsentOnFile("shelter", "S2", None, JAN),  # for any of the shelter's agreements
    ConsentOnFile("shelter", "S3", 2, JAN),  # for another agreement only
    ConsentOnFile("shelter", "S4", 1, JAN, revoked_on=MAR),
    ConsentOnFile("shelter", "S5", None, JAN, revoked_on=JAN),  # refused at intake
    ConsentOnFile("tutoring", "S6", None, JAN),  # another partner's S6
    ConsentOnFile("shelter", "S7", 1, JAN, revoked_on=MAR),  # revoked one, signed a new one
    ConsentOnFile("shelter", "S7", 1, JUN),
]


@pytest.mark.parametrize(
    ("presumed", "on", "listed"),
    [
        (False, MAR, {"S1", "S2"}),  # the only ones used
        (False, dt.date(2025, 2, 1), {"S1", "S2", "S4", "S7"}),  # before the revocations
        (False, JUN, {"S1", "S2", "S7"}),  # S7 consented again
        (True, MAR, {"S4", "S5", "S7"}),  # the only ones left out
        (True, JUN, {"S4", "S5"}),
    ],
)
def test_listed_people_are_the_consented_or_under_a_notice_the_withdrawn(presumed, on, listed):
    load = GatedLoad(10, "shelter", 1, presumed)
    assert listed_people(load, ON_FILE, on) == listed


def test_python_record_id_matches_the_load_sql():
    from backbone.intake.validation import record_id_sql

    engine = DuckDBEngine()
    engine.register("staged", pa.table({"local_id": [" S1", "S2 "]}))
    loaded = engine.run(f"SELECT {record_id_sql('local_id', 'k3y', 'shelter')} FROM staged")
    assert [r for (r,) in loaded] == [record_id("k3y", "shelter", i) for i in ("S1", "S2")]


ROWS = pa.table({  # submission 1 needs consent, 2 presumes it, 3 needs none
    "record_id": ["a", "b", "c", "a", "d", "e", "a"],
    "submission_id": pa.array([1, 1, 1, 2, 2, 2, 3], pa.int64()),
    "value": [1, 2, 3, 4, 5, 6, 7],
})  # fmt: skip
GATE = ConsentGate({1: False, 2: True}, frozenset({(1, "a"), (1, "c"), (2, "d")}))


@pytest.fixture
def wages():
    engine = DuckDBEngine()
    engine.register("source", ROWS)
    engine.run("CREATE VIEW wages AS SELECT * FROM source")
    yield engine
    engine.close()


def test_the_gate_keeps_consented_rows_and_drops_refused_ones_on_duckdb(wages):
    assert close_gate(wages, GATE, ["wages"]) == ["wages"]
    kept = wages.run("SELECT value FROM wages ORDER BY value")
    withheld = wages.run(withheld_sql("wages") + " ORDER BY 1")
    # 1: a and c consented (b not); 2: d refused (a, e presumed); 3: needs none.
    assert [v for (v,) in kept] == [1, 3, 4, 6, 7]
    assert [r for (r,) in withheld] == ["b", "d"]  # a is kept by its other rows


def test_an_empty_gate_leaves_the_views_alone(wages):
    assert close_gate(wages, ConsentGate({}, frozenset()), ["wages"]) == []
    assert wages.run("SELECT count(*) FROM wages") == [(7,)]


# --- end to end: link, queue, compute; revoke; link and compute again ---------------------------

ROSTER = ["local_id", "first_name", "last_name", "birth_date", "program", "start_date"]
PEOPLE = [
    ("Ana", "Ruiz", "2014-03-15"), ("Ben", "Okafor", "2013-05-02"), ("Cara", "Lind", "2012-11-30"),
    ("Dev", "Patel", "2014-01-09"), ("Eli", "Stone", "2013-07-21"),
]  # fmt: skip
SHELTERED = IndicatorDefinition(
    slug="sheltered_children",
    name="Children in a shelter program",
    table="program_participation",
    denominator="start_date IS NOT NULL",
    numerator="program = 'Shelter'",
    period=Period(column="start_date", rule="school_year"),
    unit="count",
)


def _partner(slug: str, kind: str) -> Partner:
    return Partner.objects.create(slug=slug, name=slug.title(), partner_type=kind, sectors=["x"])


def _send(tmp_path, partner: Partner, prefix: str, program: str, people) -> None:
    rows = [[f"{prefix}{i}", *person, program, "2025-09-08"] for i, person in enumerate(people)]
    path = write_csv(tmp_path / f"{prefix}.csv", ROSTER, rows)
    assert intake.ingest(path, partner, "program_participation").submission.status == "loaded"


def _consent(partner: Partner, local_id: str, agreement=None, **dates) -> Consent:
    values = {"signed_on": dt.date(2024, 9, 1), **dates}
    return Consent.objects.create(
        partner=partner, local_id=local_id, agreement=agreement, records="Program roster",
        purpose="Program evaluation", **values,
    )  # fmt: skip


@pytest.fixture
def partnership(tmp_path, workspace):
    """Five children at a shelter (written consent needed: S0–S3 gave it, S4 has none on file)
    and at tutoring (no consent needed); two more at a coalition under an HMIS privacy notice
    (C0 presumed to consent, C1 refused)."""
    shelter = _partner("shelter", "homeless_service_provider")
    tutoring = _partner("tutoring", "community_organization")
    coalition = _partner("coalition", "homeless_service_provider")
    needs = covering_agreement(
        shelter, "program_participation", needs_consent=True, legal_basis="consent"
    )
    covering_agreement(tutoring, "program_participation")
    covering_agreement(
        coalition, "program_participation", needs_consent=True, legal_basis="hmis_privacy_notice"
    )
    _send(tmp_path, shelter, "S", "Shelter", PEOPLE)
    _send(tmp_path, tutoring, "T", "Tutoring", PEOPLE)
    _send(tmp_path, coalition, "C", "Housing", [("Fay", "Moss", "2011-02-02")] * 2)
    consents = {f"S{i}": _consent(shelter, f"S{i}", needs) for i in range(4)}
    _consent(coalition, "C1", signed_on=dt.date(2024, 9, 1), revoked_on=dt.date(2024, 9, 1))
    save_indicator(SHELTERED)
    return consents


def _crosswalk_ids() -> list[str]:
    rows = warehouse().query(
        "SELECT i.local_id FROM identity_record i JOIN crosswalk c USING (record_id) ORDER BY 1",
        tier="all",
    )
    return [local for (local,) in rows]


def _counts() -> tuple[int, int]:
    [result] = Result.objects.filter(run=compute(), dimension="overall")
    return result.numerator, result.denominator


def _queue() -> list[tuple[str, str]]:
    """Each pair in the review queue (any decision), by the partners' own person ids."""
    key = workspace_now().pseudonym_key()
    people = {
        record_id(key, partner, f"{partner[0].upper()}{i}"): f"{partner[0].upper()}{i}"
        for partner in ("shelter", "tutoring", "coalition")
        for i in range(5)
    }
    return sorted((people[p.record_a], people[p.record_b]) for p in ReviewPair.objects.all())


@pytest.mark.django_db
def test_a_revoked_record_leaves_the_crosswalk_the_queue_and_the_counts(partnership):
    run_linkage(retrain=True)
    # Linked: S0–S3 with consent, every tutoring record, C0 under the notice; S4 (no consent on
    # file) and C1 (refused) never. Counted: 4 in the shelter of 4 + 5 + 1 = 10 persons.
    linked = ["C0", "S0", "S1", "S2", "S3", "T0", "T1", "T2", "T3", "T4"]
    assert _crosswalk_ids() == linked
    assert _counts() == (4, 10)
    assert linkage_overview()["records"] == 10  # S4 and C1 are not "waiting to be linked"
    # Both files spell names and birth dates alike but share no other identifier: each
    # consented shelter child's pair with their tutoring record waits for review.
    queued = [("S0", "T0"), ("S1", "T1"), ("S2", "T2"), ("S3", "T3")]
    assert sorted(tuple(sorted(pair)) for pair in _queue()) == queued

    revoke_consent(partnership["S0"], dt.date(2025, 1, 10))

    # At once: the pair with S0 leaves the queue (the others stay), and the removal is audited.
    assert sorted(tuple(sorted(pair)) for pair in _queue()) == queued[1:]
    [event] = AuditEvent.objects.filter(object_type="identity.reviewpair", action="delete")
    assert (event.purpose, event.detail) == ("consent no longer in force", {"pairs": 1})
    run = run_linkage()
    assert _crosswalk_ids() == [i for i in linked if i != "S0"]
    assert run.records == 9
    assert _counts() == (3, 9)  # one fewer sheltered child, one fewer person
    assert sorted(tuple(sorted(pair)) for pair in _queue()) == queued[1:]  # not queued again


@pytest.mark.django_db
def test_an_agreement_that_comes_to_need_consent_gates_its_records_at_the_next_link(
    partnership,
):
    """Tutoring's DSA is amended to need consent, with no consents on file and no signal (a
    bulk update): the next link drops every tutoring record and their queued pairs."""
    run_linkage(retrain=True)
    assert len(_queue()) == 4
    Agreement.objects.filter(discloser__slug="tutoring").update(needs_consent=True)

    run = run_linkage()

    assert _crosswalk_ids() == ["C0", "S0", "S1", "S2", "S3"]
    assert (run.records, run.queued_for_review) == (5, 0)
    assert _queue() == []


@pytest.mark.spark
@pytest.mark.django_db
def test_spark_counts_through_the_same_gate(partnership):
    revoke_consent(partnership["S0"], dt.date(2025, 1, 10))
    [result] = Result.objects.filter(run=compute("spark"), dimension="overall")
    assert (result.numerator, result.denominator) == (3, 9)  # S0, S4 and C1 left out
