"""Importing workforce.yaml into the database: the demo's compact becomes records, the teeth
check reads them back, and unknown partners are refused with their lines."""

from __future__ import annotations

import pytest

from backbone.demo.services import DEMO_REGISTRY, DEMO_WORKFORCE
from backbone.governance.registry import import_registry_file
from backbone.governance.registry_file import RegistryFileError
from backbone.workforce.models import EmployerCommitment, SectorPartnership
from backbone.workforce.registry import import_workforce_file
from backbone.workforce.teeth import check

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    import_registry_file(DEMO_REGISTRY)
    return import_workforce_file(DEMO_WORKFORCE)


def test_the_demo_compact_becomes_commitments_as_numbers(demo):
    assert demo == "2 sector partnerships, 3 commitments"
    interviews = EmployerCommitment.objects.get(kind="interviews")
    assert (interviews.employer.slug, interviews.per_completer, interviews.level) == (
        "st-brigid-health", 1.0, "sustained")  # fmt: skip
    assert interviews.agreement.slug == "career-pathways-employer-compact"


def test_importing_twice_replaces_rather_than_duplicates(demo):
    import_workforce_file(DEMO_WORKFORCE)
    assert EmployerCommitment.objects.count() == 3
    assert SectorPartnership.objects.get(slug="healthcare-career-pathway").job_roles.count() == 3


def test_the_teeth_check_reads_the_records_back(demo):
    features = {
        sp.slug: {f.feature: f.passed for f in check(sp.entry(), {"st-brigid-health"})}
        for sp in SectorPartnership.objects.all()
    }
    assert features["healthcare-career-pathway"] == dict.fromkeys(
        features["healthcare-career-pathway"], True
    )
    # Calloway's 12 apprenticeship slots are a number, but Calloway reports no events.
    assert features["advanced-manufacturing"]["commitments"] is False
    assert sum(features["advanced-manufacturing"].values()) == 3


def test_an_unknown_partner_is_named_with_its_line(db, tmp_path):
    import_registry_file(DEMO_REGISTRY)
    path = tmp_path / "workforce.yaml"
    path.write_text(
        DEMO_WORKFORCE.read_text().replace(
            "partner: riverton-c2c, funding: line_item, annual_budget: 40000",
            "partner: riverton-hub, funding: line_item",
        )
    )
    with pytest.raises(
        RegistryFileError,
        match=r"workforce.yaml:\d+: partnerships\[1\].backbone.partner: no partner 'riverton-hub'",
    ):
        import_workforce_file(path)
