"""A small Riverton for the workforce pages: the city's training, St. Brigid's events and the UI
wages loaded into the test's workspace with the true crosswalk, the demo registry and
workforce.yaml imported, and a signed-in-able user per role."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, User

from backbone.demo.city.generate import CityManifest
from backbone.demo.services import DEMO_REGISTRY, DEMO_WORKFORCE
from backbone.governance.models import PartnerUser
from backbone.governance.registry import import_registry_file
from backbone.governance.roles import role
from backbone.governance.services import sync_roles
from backbone.partnership.models import Partner
from backbone.warehouse.services import warehouse
from backbone.workforce.registry import import_workforce_file
from tests.indicators.test_library import publish_truth_crosswalk

PASSWORD = "a long employer password"
CONTRACTS = ("training", "employer_event", "ui_wages")


def build(loaded_cities: Any) -> CityManifest:
    """Load the city into the configured workspace (a copy of the run's loaded city, from the
    ``loaded_cities`` fixture); returns its manifest."""
    manifest, _ = loaded_cities(
        warehouse().directory, contracts=CONTRACTS, students=3000, seed=19, years=4
    )
    publish_truth_crosswalk(manifest.root, warehouse())
    import_registry_file(DEMO_REGISTRY)
    import_workforce_file(DEMO_WORKFORCE)
    sync_roles()
    return manifest


def user(username: str, code: str, partner: str | None = None) -> User:
    made = User.objects.create_user(username, password=PASSWORD)
    made.groups.add(Group.objects.get(name=role(code).label))
    if partner:
        PartnerUser.objects.create(user=made, partner=Partner.objects.get(slug=partner))
    return made
