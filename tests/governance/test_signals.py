"""Changes to agreements, roles and access are audited with the actor, wherever they happen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client

from backbone.governance.actor import acting_as
from backbone.governance.models import Agreement, AgreementParty, AuditEvent, PartnerUser
from backbone.governance.services import verify_chain
from backbone.partnership.models import Partner, RoleAssignment

pytestmark = pytest.mark.django_db


def events(object_type: str) -> list[tuple[str, str, dict]]:
    rows = AuditEvent.objects.filter(object_type=object_type).order_by("sequence")
    return [(e.actor, e.action, e.detail) for e in rows]


@pytest.fixture
def director() -> User:
    return User.objects.create_superuser("director", password="a long test password")


@pytest.fixture
def schools() -> Partner:
    return Partner.objects.create(
        slug="schools",
        name="Riverton Schools",
        partner_type="school_district",
        sectors=["education"],
    )


def test_an_agreement_created_changed_and_deleted_is_audited_with_the_actor(director, schools):
    with acting_as(director):
        agreement = Agreement.objects.create(slug="dsa", title="Data-sharing agreement")
        AgreementParty.objects.create(agreement=agreement, partner=schools, roles="provider")
        agreement.status, agreement.end = "signed", dt.date(2027, 6, 30)
        agreement.save()
        agreement.save()  # no change: nothing recorded
        agreement.delete()
    [created, changed, deleted] = events("governance.agreement")
    assert created[:2] == ("director", "create") and created[2]["values"]["slug"] == "dsa"
    assert changed == (
        "director",
        "change",
        {"changed": {"status": ["draft", "signed"], "end": [None, "2027-06-30"]}},
    )
    assert deleted[:2] == ("director", "delete") and deleted[2]["was"] == "Data-sharing agreement"
    parties = events("governance.agreementparty")
    assert [action for _, action, _ in parties] == [
        "create",
        "delete",
    ]  # deleted with the agreement
    assert verify_chain().ok


def test_changes_outside_a_request_or_command_are_the_system_s(schools):
    RoleAssignment.objects.create(role="lead", partner=schools)
    assert events("partnership.roleassignment")[0][:2] == ("system", "create")


def test_a_role_changed_in_the_admin_names_the_signed_in_user(director, schools):
    role = RoleAssignment.objects.create(role="lead", partner=schools)
    client = Client()
    client.force_login(director)
    form = {
        "role": "data_measurement_director",
        "partner": schools.pk,
        "person": "",
        "start": "",
        "end": "",
        "notes": "",
    }
    response = client.post(f"/admin/partnership/roleassignment/{role.pk}/change/", form)
    assert response.status_code == 302
    actor, action, detail = events("partnership.roleassignment")[-1]
    assert (actor, action) == ("director", "change")
    assert detail == {"changed": {"role": ["lead", "data_measurement_director"]}}


def test_a_partner_user_link_is_audited(schools):
    user = User.objects.create_user("clerk")
    with acting_as("cli:admin"):
        PartnerUser.objects.create(user=user, partner=schools)
    [(actor, action, detail)] = events("governance.partneruser")
    assert (actor, action, detail["values"]["user_id"]) == ("cli:admin", "create", user.pk)


def test_group_membership_and_permissions_are_audited_from_either_side(director):
    clerk = User.objects.create_user("clerk")
    stewards = Group.objects.create(name="Data stewards")
    review = Permission.objects.get(codename="review_matches")
    with acting_as(director):
        clerk.groups.add(stewards)
        stewards.user_set.remove(clerk)
        stewards.permissions.add(review)
        clerk.user_permissions.add(review)
        clerk.user_permissions.clear()
    user_events = [e for e in events("auth.user") if e[2].get("relation")]
    assert user_events == [
        ("director", "change", {"relation": "user_groups", "added": ["Data stewards"]}),
        ("director", "change", {"relation": "user_user_permissions", "added": [str(review)]}),
        ("director", "change", {"relation": "user_user_permissions", "cleared": [str(review)]}),
    ]
    role_sync = [e for e in events("auth.group") if e[0] == "system"]  # written by migrate
    assert role_sync and events("auth.group")[len(role_sync) :] == [
        ("director", "change", {"relation": "user_groups", "removed": ["clerk"]}),
        ("director", "change", {"relation": "group_permissions", "added": [str(review)]}),
    ]


def test_a_user_s_rights_changing_is_audited_but_not_their_password_or_last_login():
    user = User.objects.create_user("ana", password="first password")
    user.set_password("second password")
    user.last_login = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    user.save()
    user.is_staff = True
    user.save()
    recorded = events("auth.user")
    assert [action for _, action, _ in recorded] == ["create", "change"]
    assert "password" not in str(recorded)
    assert recorded[1][2] == {"changed": {"is_staff": [False, True]}}


def test_the_recipients_of_a_consent_are_audited(director, schools):
    from backbone.governance.models import Consent

    housing = Partner.objects.create(
        slug="housing", name="Housing", partner_type="housing_authority", sectors=["housing"]
    )
    consent = Consent.objects.create(
        partner=schools, local_id="S-1", records="attendance", purpose="tutoring match",
        signed_on=dt.date(2026, 1, 5),
    )  # fmt: skip
    with acting_as(director):
        consent.recipients.add(housing)
        consent.recipients.remove(housing)
    changes = [e for e in events("governance.consent") if e[1] == "change"]
    assert changes == [
        ("director", "change", {"relation": "consent_recipients", "added": ["Housing"]}),
        ("director", "change", {"relation": "consent_recipients", "removed": ["Housing"]}),
    ]
    assert "S-1" not in str(events("governance.consent"))  # the log outlives the person id
