"""Roles as data, and the groups that hold them: synced after every migrate, by the service and
by ``backbone roles sync``, audited, and documented in docs/permissions.md."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from backbone.governance import roles, services
from backbone.governance.models import AuditEvent
from tests.fixtures import PROJECT_ROOT, workspace

ISSUE_ROLES = [  # the issue's list, in its words
    "Backbone administrator",
    "Data steward",
    "Partner data submitter",
    "Partner analyst",
    "Action-network member",
    "Employer",
    "Funder",
    "Public",
]  # fmt: skip  (the employer: issue 19)


def held(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_the_roles_of_the_issues():
    assert [r.label for r in roles.ROLES] == ISSUE_ROLES
    assert [r.code for r in roles.ROLES if r.partner_scoped] == ["partner_submitter", "partner_analyst", "employer"]  # fmt: skip


def test_an_unknown_role_names_the_known_ones():
    with pytest.raises(KeyError, match="no role 'owner'; known roles: administrator, data_steward"):
        roles.role("owner")


def test_role_problems_name_each_bad_permission_and_repeat():
    bad = [
        roles.Role("a", "A", "", ("intake.submit_data", "intake.fly", "nodot")),
        roles.Role("a", "B", "", ()),
    ]
    assert roles.problems(bad, ["intake.submit_data"]) == [
        "role 'a': no permission 'intake.fly'",
        "role 'a': 'nodot' is not app_label.codename",
        "two roles share the code 'a'",
    ]


def test_only_stewards_and_the_partners_analysts_reach_person_level_data():
    person_level = {"intake.view_all_submissions", "identity.review_matches", "governance.view_person_outcomes", "governance.view_auditevent", "intake.submit_data"}  # fmt: skip
    reach = {r.code: sorted(person_level & set(r.permissions)) for r in roles.ROLES}
    assert reach == {
        "administrator": [],
        "data_steward": ["governance.view_auditevent", "identity.review_matches", "intake.view_all_submissions"],
        "partner_submitter": ["intake.submit_data"],
        "partner_analyst": ["governance.view_person_outcomes"],
        "action_network_member": [],
        "employer": [],
        "funder": [],
        "public": [],
    }  # fmt: skip


@pytest.mark.django_db
def test_migrate_made_one_group_per_role_with_exactly_its_permissions():
    services.sync_roles()  # an earlier test's flush may have emptied the groups
    for role in roles.ROLES:
        assert held(Group.objects.get(name=role.label)) == set(role.permissions), role.code


@pytest.mark.django_db
def test_sync_puts_back_a_hand_edited_group_and_audits_it():
    services.sync_roles()
    steward = Group.objects.get(name="Data steward")
    extra = Permission.objects.get(codename="edit_indicators")
    steward.permissions.add(extra)
    steward.permissions.remove(Permission.objects.get(codename="review_matches"))
    before = AuditEvent.objects.count()
    done = {s.role.code: s for s in services.sync_roles()}
    assert (done["data_steward"].added, done["data_steward"].removed) == (
        ["identity.review_matches"], ["indicators.edit_indicators"]
    )  # fmt: skip
    assert held(steward) == set(roles.role("data_steward").permissions)
    assert all(not s.added and not s.removed for code, s in done.items() if code != "data_steward")
    assert AuditEvent.objects.count() > before
    assert AuditEvent.objects.latest().object_type == "auth.group"


@pytest.mark.django_db
def test_sync_refuses_a_role_with_an_unknown_permission_naming_it():
    bad = roles.Role("x", "X", "", ("intake.fly",))
    with pytest.raises(services.RoleProblem, match=r"role 'x': no permission 'intake\.fly'"):
        services.sync_roles([bad])
    assert not Group.objects.filter(name="X").exists()


def test_docs_list_each_roles_permissions():
    text = (PROJECT_ROOT / "docs" / "permissions.md").read_text()
    for role in roles.ROLES:
        assert f"**{role.label}**" in text, role.code
        named = [p for p in role.permissions if p not in roles.ADMIN_MODEL_PERMISSIONS]
        row = text.split(f"**{role.label}**", 1)[1].split("\n", 1)[0]
        assert [p for p in named if f"`{p}`" not in row] == [], role.code


def test_the_command_syncs_the_roles_of_a_fresh_workspace(tmp_path):
    with workspace(tmp_path) as ws:
        out = ws.run("roles", "sync").stdout
        assert "Backbone administrator" in out and "unchanged" in out  # migrate synced already
        assert "Verified through #" in ws.run("audit", "verify").stdout
