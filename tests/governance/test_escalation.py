"""No role can grow itself or anyone else beyond what it holds: every escalation path through
Django's admin (the user change form, user creation, password resets, groups and permissions)
and through the API is tried as every role, and afterwards every account's flags, roles,
permissions and password — and every group's permissions — are what they were.

The administrator (staff, may add and change users) is the one that could escalate before
issue 14: it made ``funder`` a superuser and a data steward through the default user form.
Each role is tried as seeded and again with staff status, as if someone had given it that.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client

from backbone.governance.models import AuditEvent
from tests.governance.seeded import PASSWORD, ROLE_USERS, World

pytestmark = pytest.mark.django_db

Snapshot = tuple[dict[str, tuple[Any, ...]], dict[str, list[str]]]
ALL_API_METHODS = ("get", "post", "put", "patch", "delete")
EVIL = {"is_superuser": True, "is_staff": True, "groups": ["Data steward"], "username": "funder"}


def names(permissions: Any) -> list[str]:
    return sorted(f"{p.content_type.app_label}.{p.codename}" for p in permissions.all())


def snapshot() -> Snapshot:
    """Who may do what: each account's flags, roles, own permissions and password hash, and
    each group's permissions."""
    users = {
        u.username: (
            u.is_superuser, u.is_staff, u.is_active, sorted(g.name for g in u.groups.all()),
            names(u.user_permissions), u.password,
        )
        for u in User.objects.all()
    }  # fmt: skip
    return users, {g.name: names(g.permissions) for g in Group.objects.all()}


def change_form(user: User, **changes: Any) -> dict[str, Any]:
    """A complete, valid admin change form for ``user`` (what the browser would send)."""
    joined = user.date_joined
    data: dict[str, Any] = {
        "username": user.username, "first_name": "", "last_name": "", "email": "",
        "is_active": "on", "groups": [g.pk for g in user.groups.all()],
        "date_joined_0": f"{joined:%Y-%m-%d}", "date_joined_1": f"{joined:%H:%M:%S}",
        "initial-date_joined_0": f"{joined:%Y-%m-%d}", "initial-date_joined_1": f"{joined:%H:%M:%S}",
        "_save": "Save",
    }  # fmt: skip
    if user.is_staff:
        data["is_staff"] = "on"
    data.update(changes)
    return data


@pytest.fixture
def director(world: World) -> User:
    return User.objects.create_superuser("director", password=PASSWORD)


def group(name: str) -> Group:
    return Group.objects.get(name=name)


def admin_attacks(world: World, me: User, director: User) -> list[tuple[str, dict[str, Any]]]:
    """(path, form) of every way up through the admin."""
    funder, steward = world.users["funder"], world.users["steward"]
    everything = list(Permission.objects.values_list("pk", flat=True))
    steward_group, admins = group("Data steward").pk, group("Backbone administrator").pk
    user = "/admin/auth/user/{}/change/"
    password = {"password1": "a new long password 1", "password2": "a new long password 1"}
    return [
        (user.format(funder.pk), change_form(funder, is_superuser="on")),
        (user.format(funder.pk), change_form(funder, is_staff="on")),
        (user.format(funder.pk), change_form(funder, groups=[steward_group])),
        (user.format(funder.pk), change_form(funder, groups=[admins, steward_group])),
        (user.format(funder.pk), change_form(funder, user_permissions=everything)),
        (user.format(me.pk), change_form(me, is_superuser="on", is_staff="on")),
        (user.format(me.pk), change_form(me, groups=[steward_group])),
        (user.format(me.pk), change_form(me, user_permissions=everything)),
        # Someone above: take the account over, or strip it.
        (f"/admin/auth/user/{director.pk}/password/", password),
        (f"/admin/auth/user/{steward.pk}/password/", password),
        (user.format(steward.pk), change_form(steward, groups=[])),
        (user.format(director.pk), change_form(director, is_superuser="", is_active="")),
        # Groups and permissions themselves.
        (
            f"/admin/auth/group/{steward_group}/change/",
            {"name": "Data steward", "permissions": everything},
        ),
        (
            f"/admin/auth/group/{admins}/change/",
            {"name": "Backbone administrator", "permissions": everything},
        ),
        ("/admin/auth/group/add/", {"name": "root", "permissions": everything}),
    ]


def create_user_attack() -> dict[str, Any]:
    return {
        "username": "mole", "usable_password": "true",
        "password1": "a long mole password", "password2": "a long mole password",
        "is_superuser": "on", "is_staff": "on", "groups": [group("Data steward").pk],
        "user_permissions": list(Permission.objects.values_list("pk", flat=True)),
    }  # fmt: skip


def api_paths(world: World) -> list[str]:
    """Every operation path of both APIs (parameters filled in), and a few guesses at account
    endpoints that must not exist."""
    client = Client()
    found = []
    for schema, prefix in (("/api/v1/openapi.json", ""), ("/indicators/openapi.json", "")):
        found += [prefix + p for p in client.get(schema).json()["paths"]]
    submission = world.submissions["a_loaded"].pk
    filled = [
        p.replace("{slug}", "planted_reading").replace("{submission_id}", str(submission))
        for p in found
    ]
    guesses = ["/api/v1/users", f"/api/v1/users/{world.users['funder'].pk}", "/api/v1/groups",
               "/api/v1/me", "/api/v1/roles", "/api/v1/tokens"]  # fmt: skip
    return sorted(set(filled)) + guesses


def signed_in(world: World, username: str) -> Client:
    client = Client(raise_request_exception=False)
    if username != "public":
        client.force_login(world.users[username])
    return client


EVERY_ROLE = ["public", *ROLE_USERS]


@pytest.mark.parametrize("staff", [False, True], ids=["as-seeded", "with-staff"])
@pytest.mark.parametrize("username", EVERY_ROLE)
def test_no_role_escalates_through_the_admin(world, director, username, staff):
    if staff and username != "public":
        User.objects.filter(username=username).update(is_staff=True)
    me = world.users.get(username) or director  # the public attacks someone's page anyway
    before = snapshot()
    client = signed_in(world, username)
    for path, form in admin_attacks(world, me, director):
        response = client.post(path, form)
        assert response.status_code < 500, (path, response.status_code)
        assert snapshot() == before, f"{username} changed something through {path}"
    client.post("/admin/auth/user/add/", create_user_attack())
    mole = User.objects.filter(username="mole").first()
    if mole is not None:  # the administrator may add accounts: a plain one, with nothing
        assert (mole.is_superuser, mole.is_staff, list(mole.groups.all())) == (False, False, [])
        assert list(mole.user_permissions.all()) == []
        mole.delete()
    assert snapshot() == before


@pytest.mark.parametrize("username", EVERY_ROLE)
def test_no_role_escalates_through_the_api(world, director, username):
    before = snapshot()
    paths = api_paths(world)
    assert "/api/v1/submissions" in paths and "/indicators/check" in paths
    ways = [("session", signed_in(world, username), {})]
    if username != "public":
        ways.append(("token", Client(raise_request_exception=False),
                     {"Authorization": f"Bearer {world.tokens[username]}"}))  # fmt: skip
    for _, client, headers in ways:
        for path in paths:
            for method in ALL_API_METHODS:
                if method == "get":  # the same wishes as query parameters
                    response = client.get(path, {k: str(v) for k, v in EVIL.items()}, headers=headers)  # fmt: skip
                else:
                    call = getattr(client, method)
                    response = call(path, json.dumps(EVIL), content_type="application/json", headers=headers)  # fmt: skip
                assert response.status_code < 500, (method, path, response.status_code)
    assert snapshot() == before


def test_the_administrator_cannot_make_funder_a_superuser_or_a_data_steward(world, director):
    """The finding as reported: before issue 14 both posts saved."""
    client = signed_in(world, "admin")
    funder = world.users["funder"]
    path = f"/admin/auth/user/{funder.pk}/change/"
    client.post(path, change_form(funder, is_superuser="on", is_staff="on"))
    client.post(path, change_form(funder, groups=[group("Data steward").pk]))
    funder.refresh_from_db()
    assert (funder.is_superuser, funder.is_staff) == (False, False)
    assert [g.name for g in funder.groups.all()] == ["Funder"]
    assert not funder.has_perm("identity.review_matches")
    assert signed_in(world, "funder").get("/linkage/review/").status_code == 403


def test_the_administrator_gives_roles_within_its_own_and_each_change_is_audited(world):
    """The role screen still works for what the administrator may give, and the log says who
    gave which role to whom."""
    client = signed_in(world, "admin")
    funder = world.users["funder"]
    network = group("Action-network member")
    form = change_form(funder, groups=[group("Funder").pk, network.pk])
    response = client.post(f"/admin/auth/user/{funder.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert sorted(g.name for g in funder.groups.all()) == ["Action-network member", "Funder"]
    events = AuditEvent.objects.filter(object_type="auth.user", object_id=str(funder.pk))
    event = events.order_by("sequence").last()
    assert event is not None
    assert (event.actor, event.detail) == (
        "admin", {"relation": "user_groups", "added": ["Action-network member"]}
    )  # fmt: skip


def test_the_director_still_can_make_a_superuser(world, director):
    client = signed_in(world, "public")
    client.force_login(director)
    funder = world.users["funder"]
    form = change_form(funder, is_superuser="on", is_staff="on")
    assert client.post(f"/admin/auth/user/{funder.pk}/change/", form).status_code == 302
    funder.refresh_from_db()
    assert (funder.is_superuser, funder.is_staff) == (True, True)
