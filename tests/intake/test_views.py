"""Submission pages through Django's test client: who may upload, see and download what."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from backbone.governance.models import PartnerUser
from backbone.intake import services, tasks
from backbone.intake.models import ReportingSchedule, Submission
from backbone.partnership.models import Partner
from tests.agreements import covering_agreement
from tests.intake.queued import load_queued_uploads

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("workspace")]

HEADER = b"local_id,program,start_date\n"
GOOD = HEADER + b"RB-1,Reading Buddies,2025-09-08\nRB-2,Reading Buddies,2025-09-08\n"
BAD = HEADER + b"RB-1,Reading Buddies,2025-09-31\n,Reading Buddies,2025-09-08\n"


def partner(slug: str) -> Partner:
    created = Partner.objects.create(
        slug=slug, name=slug.title(), partner_type="community_organization", sectors=["education"]
    )
    covering_agreement(created, "program_participation")
    return created


def account(username: str, *permissions: str, works_for: Partner | None = None) -> User:
    user = User.objects.create_user(username, password="a long test password")
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    if works_for:
        PartnerUser.objects.create(user=user, partner=works_for)
    return user


@pytest.fixture
def tutoring():
    return partner("tutoring")


@pytest.fixture
def mentoring():
    return partner("mentoring")


@pytest.fixture
def clerk(client, tutoring):
    client.force_login(account("clerk", "submit_data", works_for=tutoring))
    return client


def upload(
    client, partner, content=GOOD, name="roster.csv", period="2025-26", work=True, **headers
):
    """Post the upload form; then, unless ``work`` is off, do the worker's part."""
    data = {
        "partner": partner.pk,
        "contract": "program_participation",
        "period": period,
        "file": SimpleUploadedFile(name, content),
    }
    response = client.post(reverse("intake:upload"), data, **headers)
    if work:
        load_queued_uploads()
    return response


@pytest.mark.parametrize("name", ["intake:submission_list", "intake:upload", "intake:calendar"])
def test_anonymous_visitor_is_sent_to_login(client, name):
    assert client.get(reverse(name))["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["intake:submission_list", "intake:upload", "intake:calendar"])
def test_user_without_intake_permission_gets_403(client, name):
    client.force_login(account("reader", "view_registry"))
    assert client.get(reverse(name)).status_code == 403


def test_clerk_uploads_a_file_and_sees_it_loaded(clerk, tutoring):
    response = upload(clerk, tutoring)
    submission = Submission.objects.get()
    assert response.status_code == 302 and response["Location"] == submission.get_absolute_url()
    page = clerk.get(submission.get_absolute_url()).content.decode()
    assert "Loaded" in page and "program_participation" in page
    assert (
        submission.uploaded_by.username,
        submission.status,
        submission.rows["program_participation"],
    ) == ("clerk", "loaded", 2)


def test_rejected_upload_shows_each_problem_with_row_and_column(clerk, tutoring):
    upload(clerk, tutoring, content=BAD)
    submission = Submission.objects.get()
    page = clerk.get(submission.get_absolute_url()).content.decode()
    assert "Rejected" in page and "Nothing was stored" in page
    assert "<td>2</td><td><code>start_date</code></td><td>2025-09-31</td>" in page.replace("\n", "")
    report = clerk.get(reverse("intake:report_csv", args=[submission.pk]))
    lines = b"".join(report.streaming_content).decode().splitlines()
    assert lines[0] == "severity,file,row,field,value,rule,message"
    assert lines[1].startswith("error,roster.csv,2,start_date,2025-09-31,type,")
    assert lines[2].startswith("error,roster.csv,3,local_id,,required,")


def test_sending_the_same_file_again_says_nothing_changed(clerk, tutoring):
    upload(clerk, tutoring)
    response = upload(clerk, tutoring)
    assert Submission.objects.count() == 1
    assert "already loaded" in clerk.get(response["Location"]).content.decode()


def test_upload_through_javascript_gets_the_submission_address(clerk, tutoring):
    response = upload(clerk, tutoring, work=False, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.json() == {
        "url": Submission.objects.get().get_absolute_url(),
        "status": "queued",
    }


def test_an_upload_is_archived_and_queued_and_its_page_follows_the_load(clerk, tutoring):
    response = upload(clerk, tutoring, work=False)
    submission = Submission.objects.get()
    assert (submission.status, submission.rows, submission.processing_pid) == ("queued", {}, None)
    assert (Path(settings.WORKSPACE) / submission.archive_path).read_bytes() == GOOD
    progress = reverse("intake:submission_progress", args=[submission.pk])
    page = clerk.get(response["Location"]).content.decode()
    assert "Waiting for the worker" in page and f'data-url="{progress}"' in page
    assert clerk.get(progress).json() == {
        "status": "queued",
        "label": "Queued",
        "in_progress": True,
    }
    load_queued_uploads()
    state = clerk.get(progress).json()
    assert (state["status"], state["in_progress"]) == ("loaded", False)
    assert "load-progress" not in clerk.get(response["Location"]).content.decode()


def test_loading_saves_its_progress_for_the_page(clerk, tutoring):
    upload(clerk, tutoring, work=False)
    submission = Submission.objects.get()
    seen = []
    track = tasks.saving_progress(submission, every=0)
    for stage, rows, fraction in [("reading", 2, 0.5), ("validating", 2, 1.0)]:
        track(stage, rows, fraction)
        seen.append(Submission.objects.get().progress)
    assert seen == [
        {"stage": "reading", "rows": 2, "fraction": 0.5},
        {"stage": "validating", "rows": 2, "fraction": 1.0},
    ]


def test_a_file_loaded_meanwhile_is_not_loaded_twice_by_the_worker(clerk, tutoring):
    upload(clerk, tutoring, work=False)
    upload(clerk, tutoring, work=False)  # the same bytes, sent before the first was loaded
    first, second = load_queued_uploads()
    assert (first.status, second.status) == ("loaded", "rejected")
    assert second.message == f"These bytes were loaded meanwhile as submission {first.pk}."
    assert services.warehouse().query("SELECT count(*) FROM program_participation") == [(2,)]


def test_clerk_cannot_upload_for_another_partner(clerk, mentoring):
    response = upload(clerk, mentoring)
    assert response.status_code == 400 and Submission.objects.count() == 0


def test_clerk_cannot_see_another_partners_submission_or_report(clerk, client, mentoring):
    other = signed_in_client(account("other-clerk", "submit_data", works_for=mentoring))
    upload(other, mentoring, content=BAD)
    theirs = Submission.objects.get(partner=mentoring)
    assert clerk.get(theirs.get_absolute_url()).status_code == 404
    assert clerk.get(reverse("intake:submission_progress", args=[theirs.pk])).status_code == 404
    assert clerk.get(reverse("intake:report_csv", args=[theirs.pk])).status_code == 404
    assert theirs.original_name not in clerk.get(reverse("intake:submission_list")).content.decode()


def test_data_team_sees_every_partner_and_may_upload_for_any(client, tutoring, mentoring):
    client.force_login(account("data-team", "view_all_submissions"))
    upload(client, mentoring)
    assert Submission.objects.get().partner == mentoring
    assert "Mentoring" in client.get(reverse("intake:submission_list")).content.decode()


def test_calendar_shows_late_and_received_periods(clerk, tutoring):
    ReportingSchedule.objects.create(
        partner=tutoring,
        contract="program_participation",
        frequency="school_year",
        due_days=30,
        starts=dt.date(2023, 7, 1),
    )
    upload(clerk, tutoring, period="2024-25")
    rows = services.submission_calendar(
        User.objects.get(username="clerk"), today=dt.date(2026, 11, 23)
    )
    states = {s.period.label: s.state for s in rows[0]["periods"]}
    # 2023-24 was due 2024-07-30 and never came; 2024-25 came today, after its 2025-07-30 due date;
    # 2025-26 was due 2026-07-30; 2026-27 is open.
    assert states == {"2023-24": "late", "2024-25": "in_late", "2025-26": "late", "2026-27": "due"}
    page = clerk.get(reverse("intake:calendar")).content.decode()
    assert "submissions late" in page and "2023-24" in page  # the real today only adds periods


def signed_in_client(user: User):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("content", "name", "where"),
    [
        (HEADER + b"RB-1,Caf\xe9 club,2025-09-08\n", "latin1.csv", ("2", "program", "encoding")),
        (HEADER + b"RB-1," + b"x" * 200_000 + b",2025-09-08\n", "long.csv", ("2", "program", "too_long")),
        (HEADER + b"RB-1,Math\x00Club,2025-09-08\n", "nul.csv", ("2", "program", "nul_byte")),
    ],
)  # fmt: skip
def test_a_broken_upload_is_rejected_with_its_row_and_field_not_a_500(
    clerk, tutoring, content, name, where
):
    response = upload(clerk, tutoring, content=content, name=name)
    submission = Submission.objects.get()
    assert response.status_code == 302 and response["Location"] == submission.get_absolute_url()
    assert (submission.status, submission.error_count) == ("rejected", 1)
    [row] = services.read_report(submission)
    assert (row["file"], row["row"], row["field"], row["rule"]) == (name, *where)
    assert where[2] in clerk.get(submission.get_absolute_url()).content.decode()
