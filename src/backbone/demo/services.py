"""Build the demo partnership into the configured workspace (idempotent)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction

from backbone.intake.models import ReportingSchedule
from backbone.partnership.models import Partner, PartnerUser
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
    DemoLogin("partner", DEMO_PASSWORD, "Bright Futures Tutoring's data clerk: uploads its files"),
]

# Groups and the permissions they carry; later stages add their own.
DEMO_GROUPS = {
    "Registry readers": ["partnership.view_registry"],
    "Partner data submitters": ["partnership.view_registry", "intake.submit_data"],
    "Backbone data team": ["partnership.view_registry", "intake.view_all_submissions"],
}
DEMO_PARTNER_USER = ("partner", "bright-futures-tutoring")

# The measurement plan's due dates: (partner, contract, frequency, days after period end).
DEMO_SCHEDULES = [
    ("riverton-public-schools", "edfi", "school_year", 45),
    ("riverton-area-homeless-coalition", "hmis", "quarterly", 30),
    ("three-rivers-workforce-board", "ui_wages", "quarterly", 60),
    ("three-rivers-workforce-board", "training", "quarterly", 30),
    ("bright-futures-tutoring", "program_participation", "school_year", 30),
    ("riverton-mentoring-alliance", "program_participation", "school_year", 30),
    ("eastside-youth-center", "program_participation", "school_year", 30),
    ("summer-bridge-riverton", "program_participation", "school_year", 30),
    ("riverton-community-college", "postsecondary", "school_year", 60),
]
DEMO_SCHEDULE_START = dt.date(2024, 7, 1)


@transaction.atomic
def build_demo() -> BuiltDemo:
    """Import the Riverton registry and create the demo logins; safe to run again."""
    summary = import_registry_file(DEMO_REGISTRY)
    groups = {name: _group_with(name, perms) for name, perms in DEMO_GROUPS.items()}
    director = _user("director", first_name="Dana", last_name="Whitfield")
    director.is_staff = director.is_superuser = True
    director.save()
    clerk = _user("partner", first_name="Sam", last_name="Ortiz")
    clerk.groups.add(groups["Partner data submitters"])
    PartnerUser.objects.update_or_create(
        user=clerk, defaults={"partner": Partner.objects.get(slug=DEMO_PARTNER_USER[1])}
    )
    for slug, contract, frequency, due_days in DEMO_SCHEDULES:
        ReportingSchedule.objects.update_or_create(
            partner=Partner.objects.get(slug=slug), contract=contract,
            defaults={"frequency": frequency, "due_days": due_days, "starts": DEMO_SCHEDULE_START},
        )  # fmt: skip
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
