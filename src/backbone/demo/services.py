"""Build the demo partnership into the configured workspace (idempotent)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction

from backbone.partnership.services import import_registry_file

DEMO_DIR = Path(__file__).resolve().parent
DEMO_REGISTRY = DEMO_DIR / "partnership.yaml"
DEMO_PASSWORD = "riverton-demo"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    description: str


@dataclass(frozen=True)
class BuiltDemo:
    summary: str
    logins: list[DemoLogin]


DEMO_LOGINS = [
    DemoLogin("director", DEMO_PASSWORD, "data and measurement director: every page and the admin"),
    DemoLogin("partner", DEMO_PASSWORD, "partner staff: reads the partnership registry"),
]

# Groups and the permissions they carry; later stages add their own.
DEMO_GROUPS = {"Registry readers": ["partnership.view_registry"]}


@transaction.atomic
def build_demo() -> BuiltDemo:
    """Import the Riverton registry and create the demo logins; safe to run again."""
    summary = import_registry_file(DEMO_REGISTRY)
    groups = {name: _group_with(name, perms) for name, perms in DEMO_GROUPS.items()}
    director = _user("director", first_name="Dana", last_name="Whitfield")
    director.is_staff = director.is_superuser = True
    director.save()
    reader = _user("partner", first_name="Sam", last_name="Ortiz")
    reader.groups.add(groups["Registry readers"])
    return BuiltDemo(summary=summary.describe(), logins=DEMO_LOGINS)


def _user(username: str, **names: str) -> User:
    user, _ = User.objects.get_or_create(username=username, defaults=names)
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _group_with(name: str, permission_names: list[str]) -> Group:
    group, _ = Group.objects.get_or_create(name=name)
    for name in permission_names:
        app_label, codename = name.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return group
