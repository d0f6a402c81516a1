"""Data-sharing agreements govern the data: ended agreements flag it, the destruction deadline
removes it (rows, crosswalk rows, archived files) with a certificate and an audit event, revoked
consent keeps records out of linkage, and the registry file carries every term."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pyarrow as pa
import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.core.exceptions import ValidationError
from django.urls import reverse
from typer.testing import CliRunner

from backbone.cli import app
from backbone.governance import registry_file as rf
from backbone.governance.actor import SYSTEM, acting_as
from backbone.governance.models import (
    Agreement,
    AgreementDataElement,
    AuditEvent,
    Consent,
    DestructionCertificate,
)
from backbone.governance.publication import PublicationRule
from backbone.governance.registry import apply_registry, export_registry
from backbone.governance.services import (
    publication_rule_for_partners,
    revoke_consent,
    verify_chain,
)
from backbone.identity.services import consented_identity, run_linkage
from backbone.intake import destruction, services
from backbone.intake.models import Submission
from backbone.partnership.models import Partner
from tests.agreements import FAR_END, covering_agreement
from tests.fixtures import SMALL_REGISTRY, write_csv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("workspace")]

# The helper's agreements end on 2099-12-31 and must be destroyed by 2100-12-31.
ENDED = dt.date(2100, 1, 15)
PAST_DEADLINE = dt.date(2101, 1, 1)
ROSTER_HEADER = ["local_id", "first_name", "last_name", "birth_date", "program", "start_date"]


def partner(slug: str, kind: str = "community_organization") -> Partner:
    return Partner.objects.create(
        slug=slug, name=slug.title(), partner_type=kind, sectors=["education"]
    )


def roster(tmp_path: Path, name: str, people: list[str]) -> Path:
    rows = [[p, f"First{p}", f"Last{p}", "2014-03-15", "Reading", "2025-09-08"] for p in people]
    return write_csv(tmp_path / name, ROSTER_HEADER, rows)


@pytest.fixture
def two_programs(tmp_path):
    """Tutoring sends two rosters under its agreement; mentoring one under its own."""
    tutoring, mentoring = partner("tutoring"), partner("mentoring")
    doomed = covering_agreement(tutoring, "program_participation", slug="tutoring-dsa")
    kept = covering_agreement(
        mentoring, "program_participation", slug="mentoring-dsa", end=dt.date(2199, 12, 31),
        destruction_deadline=dt.date(2200, 12, 31),
    )  # fmt: skip
    sent = [
        services.ingest(roster(tmp_path, "fall.csv", ["T1", "T2"]), tutoring, "program_participation", "2025-26"),
        services.ingest(roster(tmp_path, "spring.csv", ["T3"]), tutoring, "program_participation", "2026-27"),
        services.ingest(roster(tmp_path, "mentees.csv", ["M1"]), mentoring, "program_participation", "2025-26"),
    ]  # fmt: skip
    assert [o.submission.status for o in sent] == ["loaded"] * 3
    return doomed, kept, [o.submission for o in sent]


def write_crosswalk() -> None:
    """A crosswalk over every identity record (as linkage would write it): one person each."""
    store = services.warehouse()
    records = sorted(
        r for (r,) in store.query("SELECT record_id FROM identity_record", tier="identity")
    )
    store.write_derived(
        "crosswalk", "analytic", pa.table({"record_id": records, "person_key": records})
    )


def test_an_ended_agreement_flags_its_submissions_and_the_pages_say_so(two_programs, admin_client):
    doomed, _, (fall, _, mentees) = two_programs
    done = destruction.enforce_agreements(ENDED)
    assert done.flagged == {"tutoring-dsa": 2} and done.certificates == []
    flags = dict(Submission.objects.values_list("original_name", "agreement_ended_on"))
    assert flags == {"fall.csv": FAR_END, "spring.csv": FAR_END, "mentees.csv": None}
    doomed.refresh_from_db()
    assert doomed.status == "ended"
    assert destruction.enforce_agreements(ENDED).flagged == {}  # flagged once
    notice = "agreement ended — data due for destruction on 31 December 2100"
    assert notice in admin_client.get(reverse("intake:submission_list")).content.decode()
    assert notice in admin_client.get(fall.get_absolute_url()).content.decode()
    assert notice not in admin_client.get(mentees.get_absolute_url()).content.decode()


def test_past_the_deadline_the_job_destroys_rows_crosswalk_and_files_and_certifies_it(two_programs):
    doomed, _, (fall, spring, mentees) = two_programs
    write_crosswalk()
    store = services.warehouse()
    archived = [Path(settings.WORKSPACE) / s.archive_path for s in (fall, spring, mentees)]
    assert all(path.is_file() for path in archived)

    [certificate] = destruction.enforce_agreements(PAST_DEADLINE).certificates

    # Only the mentoring roster is left, in both tiers and in the crosswalk.
    assert store.query("SELECT local_id FROM identity_record", tier="identity") == [("M1",)]
    assert store.query("SELECT count(*) FROM program_participation") == [(1,)]
    assert store.submissions() == {mentees.pk}
    assert store.query("SELECT count(*) FROM crosswalk") == [(1,)]
    assert [path.exists() for path in archived] == [False, False, True]
    statuses = dict(Submission.objects.values_list("original_name", "status"))
    assert statuses == {"fall.csv": "destroyed", "spring.csv": "destroyed", "mentees.csv": "loaded"}

    assert certificate.agreement == doomed and certificate.as_of == PAST_DEADLINE
    assert certificate.submission_ids == sorted([fall.pk, spring.pk])
    assert certificate.rows_removed == {"identity_record": 3, "program_participation": 3}
    assert (certificate.crosswalk_rows_removed, certificate.files_removed) == (3, 2)
    doomed.refresh_from_db()
    assert (doomed.status, doomed.destruction_certified_at) == ("destroyed", PAST_DEADLINE)

    [event] = AuditEvent.objects.filter(action="destroy")
    assert (event.object_type, event.object_id) == ("governance.agreement", str(doomed.pk))
    assert event.detail["rows"] == {"identity_record": 3, "program_participation": 3}
    assert (event.detail["files"], event.detail["certificate"]) == (2, certificate.pk)
    assert verify_chain().ok


def test_destruction_runs_once(two_programs):
    destruction.enforce_agreements(PAST_DEADLINE)
    again = destruction.enforce_agreements(PAST_DEADLINE)
    assert again.certificates == [] and again.flagged == {}
    assert DestructionCertificate.objects.count() == 1
    assert AuditEvent.objects.filter(action="destroy").count() == 1


def test_bytes_a_still_governed_submission_shares_stay_archived(tmp_path):
    """The same bytes sent under two agreements are archived once; destroying one keeps them."""
    tutoring = partner("tutoring")
    first = covering_agreement(tutoring, "program_participation", slug="old-dsa")
    path = roster(tmp_path, "roster.csv", ["T1"])
    old = services.ingest(path, tutoring, "program_participation", "2025-26").submission
    Submission.objects.filter(pk=old.pk).update(status="rejected")  # as if validation failed
    first.status = "ended"
    first.save()
    covering_agreement(
        tutoring, "program_participation", slug="new-dsa", end=dt.date(2199, 1, 1),
        destruction_deadline=dt.date(2200, 1, 1),
    )  # fmt: skip
    new = services.ingest(path, tutoring, "program_participation", "2025-26").submission
    assert new.agreement.slug == "new-dsa" and new.archive_path == old.archive_path
    [certificate] = destruction.enforce_agreements(PAST_DEADLINE).certificates
    assert certificate.submission_ids == [old.pk] and certificate.files_removed == 0
    assert (Path(settings.WORKSPACE) / new.archive_path).is_file()


def test_the_command_enforces_as_of_the_day_given(two_programs):
    with acting_as(SYSTEM):  # the command names the OS user as the actor: keep it to this test
        result = CliRunner().invoke(app, ["agreements", "enforce", "--today", "2101-01-01"])
    assert result.exit_code == 0, result.output
    assert DestructionCertificate.objects.get().certified_by.startswith("cli")
    assert "tutoring-dsa: destroyed 2 submission(s), 6 rows, 2 file(s)" in result.output
    bad = CliRunner().invoke(app, ["agreements", "enforce", "--today", "someday"])
    assert bad.exit_code == 2


# --- consent -----------------------------------------------------------------------------------


def test_revoked_consent_keeps_records_out_of_linkage_where_consent_is_needed(tmp_path):
    shelter, tutoring = partner("shelter", "homeless_service_provider"), partner("tutoring")
    agreement = covering_agreement(shelter, "program_participation", needs_consent=True)
    covering_agreement(tutoring, "program_participation")
    services.ingest(roster(tmp_path, "s.csv", ["S1", "S2"]), shelter, "program_participation")
    services.ingest(roster(tmp_path, "t.csv", ["S1"]), tutoring, "program_participation")
    revoked = consent(shelter, "S1", agreement)
    consent(tutoring, "S1")  # tutoring's agreement needs no consent: revoking changes nothing
    revoke_consent(revoked, dt.date(2025, 1, 10))
    Consent.objects.filter(partner=tutoring).update(revoked_on=dt.date(2025, 1, 10))
    consent(shelter, "S2", agreement, revoked_on=dt.date(2999, 1, 1))  # not yet revoked

    with services.warehouse().engine("identity") as engine:
        view = consented_identity(engine)
        linked = engine.run(f"SELECT source_partner, local_id FROM {view} ORDER BY 1, 2")
        assert linked == [("shelter", "S2"), ("tutoring", "S1")]
    [event] = AuditEvent.objects.filter(object_type="governance.consent", action="change")
    assert event.detail == {"changed": {"revoked_on": [None, "2025-01-10"]}}
    assert "S1" not in str(AuditEvent.objects.filter(object_type="governance.consent").values())


PEOPLE = [
    ("Ana", "Ruiz", "2014-03-15"), ("Ben", "Okafor", "2013-05-02"), ("Cara", "Lind", "2012-11-30"),
    ("Dev", "Patel", "2014-01-09"), ("Eli", "Stone", "2013-07-21"),
]  # fmt: skip


def test_linkage_leaves_out_the_record_whose_consent_was_revoked(tmp_path):
    """The same five children at a shelter (whose agreement needs consent) and at tutoring; the
    first's shelter consent was revoked, so the crosswalk holds the other nine records."""
    shelter, tutoring = partner("shelter", "homeless_service_provider"), partner("tutoring")
    agreement = covering_agreement(shelter, "program_participation", needs_consent=True)
    covering_agreement(tutoring, "program_participation")
    for who, prefix in ((shelter, "S"), (tutoring, "T")):
        rows = [
            [f"{prefix}{i}", *person, "Program", "2025-09-08"] for i, person in enumerate(PEOPLE)
        ]
        path = write_csv(tmp_path / f"{prefix}.csv", ROSTER_HEADER, rows)
        assert services.ingest(path, who, "program_participation").submission.status == "loaded"
    consent(shelter, "S0", agreement, revoked_on=dt.date(2025, 1, 10))
    for i in range(1, 5):
        consent(shelter, f"S{i}", agreement)

    run = run_linkage(retrain=True)

    linked = services.warehouse().query(
        "SELECT i.local_id FROM identity_record i JOIN crosswalk c USING (record_id) ORDER BY 1",
        tier="all",
    )
    assert [local for (local,) in linked] == ["S1", "S2", "S3", "S4", "T0", "T1", "T2", "T3", "T4"]
    assert (run.records, run.persons) == (9, 5)


def consent(
    partner: Partner, local_id: str, agreement: Agreement | None = None, **values
) -> Consent:
    return Consent.objects.create(
        partner=partner, local_id=local_id, agreement=agreement, records="Program roster",
        purpose="Program evaluation", signed_on=dt.date(2024, 9, 1), **values,
    )  # fmt: skip


# --- the registry file, the page, publication rules --------------------------------------------

DSA_ENTRY = """\
  - slug: schools-dsa
    title: Schools Evaluation DSA
    kind: dsa
    status: signed
    legal_basis: audit_evaluation
    discloser: riverton-schools
    purpose_code: program-evaluation
    purpose: Evaluate the after-school program.
    population: Students at the two housing sites.
    needs_consent: true
    signed_on: 2024-06-12
    start: 2024-07-01
    end: 2026-06-30
    data_elements:
      - contract: edfi
      - contract: graduation
        fields: [status, local_id, cohort_year]
    destruction:
      deadline: 2026-12-31
      method: Secure deletion, certified in writing.
    security_requirements: Encrypted at rest and in transit.
    redisclosure:
      allowed: true
      conditions: Only to the housing authority, in aggregate.
    publication:
      min_n: 11
      top_code_percent: 1
    parties:
      - partner: riverton-schools
      - partner: riverton-housing
"""


def test_a_dsa_round_trips_through_the_registry_file():
    registry = rf.parse_registry(SMALL_REGISTRY + DSA_ENTRY)
    apply_registry(registry)
    exported = export_registry()
    [dsa] = [a for a in exported.agreements if a.slug == "schools-dsa"]
    assert dsa.data_elements == [
        rf.DataElement(contract="edfi"),
        rf.DataElement(contract="graduation", fields=["cohort_year", "local_id", "status"]),
    ]
    assert (dsa.publication.min_n, dsa.publication.top_code_percent) == (11, 1.0)
    assert (dsa.destruction.deadline, dsa.redisclosure.allowed) == (dt.date(2026, 12, 31), True)
    text = rf.dump_registry(exported)
    apply_registry(rf.parse_registry(text))
    assert rf.dump_registry(export_registry()) == text


@pytest.mark.parametrize(
    ("original", "broken", "message"),
    [
        ("discloser: riverton-schools", "discloser: ghost", "no partner with slug 'ghost'"),
        ("legal_basis: audit_evaluation", "legal_basis: hunch", "unknown legal basis 'hunch'"),
        ("      deadline: 2026-12-31\n", "", "needs a destruction deadline"),
        ("deadline: 2026-12-31", "deadline: 2026-01-31", "is before the end 2026-06-30"),
        ("min_n: 11", "min_n: 2", "greater than or equal to 3"),
        ("fields: [status,", "fields: [grade,", "graduation has no field(s) grade"),
        ("- contract: edfi", "- contract: edfy", "unknown contract 'edfy'"),
        (
            "      - partner: riverton-schools\n      - partner",
            "      - partner",
            "the discloser 'riverton-schools' is not one of the parties",
        ),
    ],
)
def test_an_incomplete_or_wrong_dsa_is_refused(original, broken, message):
    text = (SMALL_REGISTRY + DSA_ENTRY).replace(original, broken)
    with pytest.raises(rf.RegistryFileError, match=re.escape(message)):
        rf.parse_registry(text)


def test_the_agreement_page_shows_terms_elements_and_certificates(two_programs, client):
    destruction.enforce_agreements(PAST_DEADLINE)
    reader = User.objects.create_user("reader", password="a long test password")
    reader.user_permissions.add(Permission.objects.get(codename="view_registry"))
    client.force_login(reader)
    page = client.get(
        reverse("governance:agreement_detail", args=["tutoring-dsa"])
    ).content.decode()
    for expected in (
        "FERPA audit or evaluation exception",
        "Program participation (community organizations)",
        "Every field of the contract",
        "31 December 2100",
        "Secure deletion of warehouse files and archived uploads.",
        "Destruction certificates",
        "Data destroyed",
    ):
        assert expected in page


def test_the_publication_rule_for_partners_is_the_strictest_of_their_agreements():
    schools, housing = (
        partner("schools", "school_district"),
        partner("housing", "housing_authority"),
    )
    covering_agreement(schools, "edfi", publication_min_n=11, top_code_percent=1.0)
    covering_agreement(
        housing, "program_participation", publication_min_n=20, bottom_code_percent=5.0
    )
    covering_agreement(housing, "hmis", status="draft", publication_min_n=30)  # not in force
    assert publication_rule_for_partners(["schools", "housing"]) == PublicationRule(20, 1.0, 5.0)
    assert publication_rule_for_partners(["schools"]) == PublicationRule(11, 1.0, None)
    assert publication_rule_for_partners([]) == PublicationRule(None, None, None)


# --- the admin ---------------------------------------------------------------------------------


def test_the_model_refuses_a_signed_dsa_without_its_terms_and_a_bad_data_element():
    schools = partner("schools", "school_district")
    agreement = Agreement(slug="dsa", title="DSA", kind="dsa", status="signed", discloser=schools)
    with pytest.raises(ValidationError) as refused:
        agreement.full_clean()
    assert sorted(refused.value.message_dict) == ["destruction_deadline", "end", "legal_basis"]
    element = AgreementDataElement(agreement=covering_agreement(schools), contract="graduation")
    element.fields = ["status", "grade"]
    with pytest.raises(ValidationError, match=r"graduation has no field\(s\) grade"):
        element.full_clean()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/governance/agreement/add/",
        "/admin/governance/consent/add/",
        "/admin/governance/destructioncertificate/",
    ],
)
def test_the_admin_pages_open(admin_client, url):
    assert admin_client.get(url).status_code == 200
