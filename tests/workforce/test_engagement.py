"""Pain points and engagement stages: recorded by the backbone's staff through a form that
needs ``manage_employer_engagement`` and writes the audit log, kept as history, and shown to
an employer on its own page only (no city needed: the warehouse may be empty)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client

from backbone.demo.services import DEMO_REGISTRY, DEMO_WORKFORCE
from backbone.governance.models import AuditEvent
from backbone.governance.registry import import_registry_file
from backbone.governance.services import sync_roles
from backbone.partnership.models import Partner
from backbone.workforce.models import EngagementStage, PainPoint
from tests.workforce import riverton

pytestmark = pytest.mark.django_db
URL = "/workforce/employers/st-brigid-health/engagement/"
TURNOVER = "Turnover of medical assistants in the first year"


@pytest.fixture
def registry(workspace):
    import_registry_file(DEMO_REGISTRY)
    from backbone.workforce.registry import import_workforce_file

    import_workforce_file(DEMO_WORKFORCE)
    sync_roles()


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


PAIN = {"form": "pain", "category": "retention", "text": TURNOVER, "recorded_on": "2026-10-02"}


@pytest.mark.parametrize("code", ["administrator", "data_steward"])
def test_staff_with_the_permission_record_a_pain_point_and_it_is_audited(registry, code):
    staff = riverton.user("sam", code)
    response = _client("sam").post(URL, PAIN)
    assert response.status_code == 302
    [point] = PainPoint.objects.all()
    assert (point.employer.slug, point.category, point.text) == (
        "st-brigid-health", "retention", TURNOVER)  # fmt: skip
    assert (point.recorded_on, point.recorded_by) == (dt.date(2026, 10, 2), staff)
    event = AuditEvent.objects.get(object_type="workforce.painpoint")
    assert (event.action, event.object_id, event.user) == ("create", str(point.pk), staff)
    assert event.detail == {"employer": "st-brigid-health", "category": "retention"}


@pytest.mark.parametrize("code", ["action_network_member", "employer", "funder"])
def test_without_the_permission_the_form_is_forbidden_and_nothing_is_written(registry, code):
    riverton.user("nia", code, "st-brigid-health" if code == "employer" else None)
    client = _client("nia")
    assert client.get(URL).status_code == 403
    assert client.post(URL, PAIN).status_code == 403
    assert not PainPoint.objects.exists()
    assert not AuditEvent.objects.filter(object_type="workforce.painpoint").exists()


def test_a_new_stage_keeps_the_old_one_as_history(registry):
    riverton.user("sam", "administrator")
    client = _client("sam")
    for stage, since in (("tactical", "2025-03-01"), ("sustained", "2026-01-15")):
        data = {"form": "stage", "stage": stage, "since": since, "note": "compact signed"}
        assert client.post(URL, data).status_code == 302
    stages = list(EngagementStage.objects.values_list("stage", "since"))
    assert stages == [("sustained", dt.date(2026, 1, 15)), ("tactical", dt.date(2025, 3, 1))]
    assert AuditEvent.objects.filter(object_type="workforce.engagementstage").count() == 2
    html = client.get(URL).content.decode()
    assert "Stage: <strong>sustained</strong> since 2026-01-15" in html
    assert "<li>tactical since 2025-03-01: compact signed</li>" in html


def test_an_invalid_form_says_why_and_saves_nothing(registry):
    riverton.user("sam", "administrator")
    response = _client("sam").post(URL, {**PAIN, "category": "morale", "text": ""})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not PainPoint.objects.exists()


def test_an_employer_sees_its_own_pain_points_and_stage_and_no_other_employers(registry):
    brigid, calloway = (Partner.objects.get(slug=s) for s in ("st-brigid-health",
                                                              "calloway-precision"))  # fmt: skip
    PainPoint.objects.create(employer=brigid, category="retention", text=TURNOVER,
                             recorded_on=dt.date(2026, 10, 2))  # fmt: skip
    PainPoint.objects.create(employer=calloway, category="skills", text="CNC setup skills",
                             recorded_on=dt.date(2026, 9, 1))  # fmt: skip
    EngagementStage.objects.create(employer=calloway, stage="tactical", since=dt.date(2026, 1, 1))
    riverton.user("olivia", "employer", "st-brigid-health")
    html = _client("olivia").get("/workforce/employers/st-brigid-health/").content.decode()
    assert TURNOVER in html and "No engagement stage recorded yet." in html
    assert "CNC setup skills" not in html and "tactical" not in html
    assert "Record a pain point" not in html  # the link is for staff only
