"""Ingest refuses a file no active data-sharing agreement covers: archived, nothing loaded, the
submission recorded as refused with a message naming what is missing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from backbone.governance.models import PartnerUser
from backbone.intake import services
from backbone.intake.models import Submission
from backbone.partnership.models import Partner
from tests.agreements import covering_agreement
from tests.fixtures import WAGE_HEADER, write_csv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("workspace")]

ROWS = [["123456789", "E1", 2024, 1, "5000.50"], ["987654321", "E2", 2024, 1, "300"]]
PREFIX = "no active data-sharing agreement covers state-ui submitting ui_wages: "


@pytest.fixture
def state_ui(db) -> Partner:
    return Partner.objects.create(
        slug="state-ui", name="State UI agency", partner_type="public_agency", sectors=["workforce"]
    )


def wages(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "wages.csv", WAGE_HEADER, ROWS)


@pytest.mark.parametrize(
    ("terms", "reason"),
    [
        ({}, "no data-sharing agreement names state-ui as discloser"),
        (
            {"contracts": ["ui_wages"], "end": dt.date(2020, 6, 30)},
            "agreement 'ui-dsa' ended on 2020-06-30",
        ),
        (
            {"contracts": ["ui_wages"], "status": "under_review"},
            "agreement 'ui-dsa' is under review, not signed",
        ),
        (
            {"contracts": ["training"]},
            "agreement 'ui-dsa' does not list the ui_wages contract",
        ),
        (
            {"contracts": ["ui_wages"], "fields": ["local_id", "employer_id", "year", "quarter"]},
            "agreement 'ui-dsa' does not list field(s) ssn, wages",
        ),
    ],
    ids=["no agreement", "ended", "under review", "other contract", "missing fields"],
)
def test_uncovered_file_is_archived_refused_and_not_loaded(tmp_path, state_ui, terms, reason):
    if terms:
        contracts = terms.pop("contracts")
        fields = terms.pop("fields", None)
        chosen = {contract: fields for contract in contracts} if fields else None
        covering_agreement(state_ui, *contracts, fields=chosen, slug="ui-dsa", **terms)
    path = wages(tmp_path)
    outcome = services.ingest(path, state_ui, "ui_wages", "2024-Q1")
    submission = outcome.submission
    assert (submission.status, submission.message) == ("refused", PREFIX + reason)
    assert (submission.error_count, submission.rows, submission.agreement) == (1, {}, None)
    assert (Path(settings.WORKSPACE) / submission.archive_path).read_bytes() == path.read_bytes()
    assert services.warehouse().submissions() == set()
    [problem] = outcome.result.problems
    assert (problem.rule, problem.message) == ("agreement", PREFIX + reason)


def test_covered_file_is_loaded_and_remembers_the_agreement_that_admitted_it(tmp_path, state_ui):
    fields = {"ui_wages": ["employer_id", "local_id", "quarter", "ssn", "wages", "year"]}
    agreement = covering_agreement(state_ui, "ui_wages", fields=fields)
    submission = services.ingest(wages(tmp_path), state_ui, "ui_wages", "2024-Q1").submission
    assert (submission.status, submission.agreement) == ("loaded", agreement)
    assert services.warehouse().query("SELECT count(*) FROM wages") == [(2,)]


def test_a_refused_file_is_loaded_once_an_agreement_covers_it(tmp_path, state_ui):
    first = services.ingest(wages(tmp_path), state_ui, "ui_wages", "2024-Q1")
    covering_agreement(state_ui, "ui_wages")
    again = services.ingest(wages(tmp_path), state_ui, "ui_wages", "2024-Q1")
    assert not again.duplicate and again.submission != first.submission
    assert (first.submission.status, again.submission.status) == ("refused", "loaded")


def test_the_setting_turns_the_check_off_for_a_bare_instance(tmp_path, state_ui, settings):
    settings.BACKBONE_REQUIRE_AGREEMENTS = False
    submission = services.ingest(wages(tmp_path), state_ui, "ui_wages", "2024-Q1").submission
    assert (submission.status, submission.agreement) == ("loaded", None)


def test_the_upload_page_refuses_what_no_agreement_covers_and_says_why(client, tmp_path):
    tutoring = Partner.objects.create(
        slug="tutoring", name="Tutoring", partner_type="community_organization",
        sectors=["education"],
    )  # fmt: skip
    clerk = User.objects.create_user("clerk", password="a long test password")
    clerk.user_permissions.add(Permission.objects.get(codename="submit_data"))
    PartnerUser.objects.create(user=clerk, partner=tutoring)
    client.force_login(clerk)
    upload = SimpleUploadedFile(
        "roster.csv", b"local_id,program,start_date\nRB-1,Reading,2025-09-08\n"
    )
    data = {"partner": tutoring.pk, "contract": "program_participation", "file": upload}
    response = client.post(reverse("intake:upload"), data)
    page = response.content.decode()
    assert response.status_code == 400 and not Submission.objects.exists()  # nothing received
    assert (
        "no active data-sharing agreement covers tutoring submitting program_participation: "
        "no data-sharing agreement names tutoring as discloser" in page
    )
