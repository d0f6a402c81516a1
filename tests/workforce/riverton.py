"""A small Riverton for the workforce pages: the city's training, St. Brigid's events and the UI
wages loaded into the test's workspace with the true crosswalk, the demo registry and
workforce.yaml imported, and a signed-in-able user per role."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.models import Group, User

from backbone.demo.city import generate_city
from backbone.demo.city.generate import CityManifest
from backbone.demo.services import DEMO_REGISTRY, DEMO_WORKFORCE
from backbone.governance.models import PartnerUser
from backbone.governance.registry import import_registry_file
from backbone.governance.roles import role
from backbone.governance.services import sync_roles
from backbone.partnership.models import Partner
from backbone.warehouse.services import warehouse
from backbone.workforce.registry import import_workforce_file
from tests.city_loading import load_city
from tests.indicators.test_library import publish_truth_crosswalk

PASSWORD = "a long employer password"
CONTRACTS = ("training", "employer_event", "ui_wages")


def build(root: Path) -> CityManifest:
    """Load the city into the configured workspace; returns its manifest."""
    manifest = generate_city(root / "city", students=3000, seed=19, years=4)
    manifest.files = [e for e in manifest.files if e.contract in CONTRACTS]
    load_city(manifest, warehouse(), root / "staging")
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
