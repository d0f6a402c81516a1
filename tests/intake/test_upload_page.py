"""The upload page offers only what an agreement lets the partner send, takes the period from
the reporting schedule, asks before a loaded period is replaced, and counts rows once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from backbone.governance.models import PartnerUser
from backbone.intake.models import ReportingSchedule, Submission
from backbone.partnership.models import Partner
from tests.agreements import covering_agreement
from tests.intake.queued import load_queued_uploads

pytestmark = pytest.mark.django_db

UPLOAD = "/submissions/upload/"
HEADER = "local_id,first_name,last_name,birth_date,program,start_date\n"
ROSTER = HEADER + "".join(
    f"T-{i},Ana{i},Ruiz,2015-03-0{i},Reading Buddies,2025-09-08\n" for i in range(1, 4)
)


@pytest.fixture
def tutoring(workspace) -> Partner:
    partner = Partner.objects.create(
        slug="tutoring", name="Bright Futures", partner_type="community_organization",
        sectors=["education"],
    )  # fmt: skip
    covering_agreement(partner, "program_participation", slug="tutoring-dsa")
    return partner


@pytest.fixture
def clerk(tutoring) -> Client:
    user = User.objects.create_user("clerk")
    user.user_permissions.add(Permission.objects.get(codename="submit_data"))
    PartnerUser.objects.create(user=user, partner=tutoring)
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, partner: Partner, period: str, content: str, **extra: str):
    form = {"partner": partner.pk, "contract": "program_participation", "period": period}
    upload = SimpleUploadedFile("roster.csv", content.encode())
    return client.post(UPLOAD, {**form, **extra, "file": upload})


def test_the_form_offers_only_the_contracts_an_agreement_covers(clerk, tutoring):
    page = clerk.get(UPLOAD).content.decode()  # one contract: its form at once
    assert "Send program participation" in page and "tutoring-dsa" in page
    assert "local_id*" in page and "start_date*" in page  # the contract's columns
    refused = post(clerk, tutoring, "2025-26", ROSTER.replace("program_participation", ""))
    other = clerk.post(
        UPLOAD,
        {"partner": tutoring.pk, "contract": "ui_wages", "period": "2025-Q3",
         "file": SimpleUploadedFile("w.csv", b"ssn,employer_id,year,quarter,wages\n")},
    )  # fmt: skip
    assert refused.status_code == 302 and other.status_code == 400
    reason = "Not received: no active data-sharing agreement covers tutoring submitting ui_wages"
    assert reason in other.content.decode()
    assert Submission.objects.filter(contract="ui_wages").count() == 0


def test_the_period_is_one_of_the_schedules(clerk, tutoring):
    ReportingSchedule.objects.create(
        partner=tutoring, contract="program_participation", frequency="quarterly",
        due_days=30, starts=dt.date(2025, 1, 1),
    )  # fmt: skip
    page = clerk.get(UPLOAD).content.decode()
    offered = re.findall(r'<option value="([^"]+)"', page)
    today = dt.date.today()
    quarters = [
        f"{y}-Q{q}" for y in range(2025, today.year + 1) for q in range(1, 5)
        if dt.date(y, 3 * q - 2, 1) <= today
    ]  # fmt: skip
    assert offered == sorted(quarters, reverse=True)
    answer = post(clerk, tutoring, "2025-26", ROSTER)
    assert answer.status_code == 400 and "schedule&#x27;s periods" in answer.content.decode()
    assert post(clerk, tutoring, "2025-Q1", ROSTER).status_code == 302


def test_replacing_a_loaded_period_is_asked_and_shows_old_and_new_counts(clerk, tutoring):
    assert post(clerk, tutoring, "2025-26", ROSTER).status_code == 302
    [first] = load_queued_uploads()
    assert first.status == "loaded"
    page = clerk.get(first.get_absolute_url()).content.decode()
    assert "Loaded 3 rows, 3 identity records." in page  # 3 rows in the file, not 6

    smaller = HEADER + "T-9,Li,Wong,2015-04-01,Reading Buddies,2025-09-08\n"
    asked = post(clerk, tutoring, "2025-26", smaller)
    message = asked.content.decode()
    assert asked.status_code == 400 and f"already holds submission {first.pk}" in message
    assert "3 rows, 3 identity records" in message
    assert Submission.objects.count() == 1  # nothing received until confirmed

    assert post(clerk, tutoring, "2025-26", smaller, replace="on").status_code == 302
    [second] = load_queued_uploads()
    first.refresh_from_db()
    assert (second.status, first.status, first.superseded_by_id) == (
        "loaded",
        "superseded",
        second.pk,
    )
    page = clerk.get(second.get_absolute_url()).content.decode()
    assert "Loaded 1 row, 1 identity record." in page
    assert "It replaced" in page and f"submission {first.pk}</a> (3 rows" in page


class CountedUpload(SimpleUploadedFile):
    """A real in-memory upload that counts how often its bytes are read through."""

    reads = 0

    def chunks(self, chunk_size=None):
        type(self).reads += 1
        return super().chunks(chunk_size)


def test_the_same_bytes_for_a_loaded_period_are_read_once_and_replace_nothing(clerk, tutoring):
    from backbone.intake import tasks, uploads
    from backbone.intake.forms import UploadForm

    assert post(clerk, tutoring, "2025-26", ROSTER).status_code == 302
    [first] = load_queued_uploads()
    # Sent again for the same period, the box unticked: not a replacement, so not asked.
    again = post(clerk, tutoring, "2025-26", ROSTER)
    assert again.status_code == 302 and again["Location"].endswith("?duplicate=1")
    assert Submission.objects.count() == 1

    user = User.objects.get(username="clerk")
    upload = CountedUpload("roster.csv", ROSTER.encode())
    form = UploadForm(
        {"partner": tutoring.pk, "contract": "program_participation", "period": "2025-26"},
        {"file": upload}, partners=Partner.objects.all(), sendables=uploads.sendable(user),
    )  # fmt: skip
    assert form.is_valid(), form.errors
    assert form.unconfirmed == first  # a loaded period: unknown yet whether these are its bytes
    outcome = tasks.queue_upload(
        upload, tutoring, "program_participation", "2025-26", user, form.unconfirmed
    )
    assert outcome is not None and outcome.duplicate and outcome.submission == first
    assert CountedUpload.reads == 1
