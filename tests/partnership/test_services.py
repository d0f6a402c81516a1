"""Import and export against the real database (SQLite, and PostgreSQL in the second run)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import serializers

from backbone.governance import models as gm
from backbone.governance import registry
from backbone.governance.registry_file import RegistryFileError, dump_registry, parse_registry
from backbone.partnership import models as m
from backbone.partnership import services
from tests.fixtures import DEMO_REGISTRY, SMALL_REGISTRY

pytestmark = pytest.mark.django_db

REGISTRY_MODELS = [
    m.Partnership, m.SectorGoal, m.SharedOutcome, m.Partner, m.Person, m.GovernanceBody,
    m.Membership, m.RoleAssignment, gm.Agreement, gm.AgreementParty,
]  # fmt: skip


def database_snapshot() -> str:
    return "".join(
        serializers.serialize("json", model.objects.order_by("pk")) for model in REGISTRY_MODELS
    )


def write(tmp_path, text: str, name: str = "partnership.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_creates_the_registry(tmp_path):
    summary = registry.import_registry_file(write(tmp_path, SMALL_REGISTRY))
    assert summary.created["partners"] == 2
    chair = m.Membership.objects.get(body__slug="leadership-table")
    assert (chair.person.name, chair.role, chair.representing.slug) == (
        "Ana Ruiz",
        "chair",
        "riverton-schools",
    )
    assert chair.start == dt.date(2024, 1, 15)
    mou = gm.Agreement.objects.get(slug="housed-mou")
    assert sorted(mou.parties.values_list("partner__slug", flat=True)) == [
        "riverton-housing",
        "riverton-schools",
    ]
    assert m.Partner.objects.get(slug="riverton-housing").sectors == ["housing", "government"]


def test_demo_registry_round_trips_exactly_through_the_database(tmp_path):
    registry.import_registry_file(DEMO_REGISTRY)
    first = dump_registry(registry.export_registry())
    for model in reversed(REGISTRY_MODELS):
        model.objects.all().delete()
    registry.import_registry_file(write(tmp_path, first))
    assert dump_registry(registry.export_registry()) == first


def test_export_keeps_everything_the_file_said(tmp_path):
    registry.import_registry_file(write(tmp_path, SMALL_REGISTRY))
    assert registry.export_registry() == parse_registry(SMALL_REGISTRY).model_copy(
        update={"partners": sorted(parse_registry(SMALL_REGISTRY).partners, key=lambda p: p.slug)}
    )


@pytest.mark.parametrize(
    ("original", "broken"),
    [
        ("sectors: [education]", "sectors: [educashun]"),
        ("- person: ana-ruiz", "- person: nobody-here"),
        ("start: 2024-01-15", "start: 2024-01-32"),
    ],
)
def test_refused_import_leaves_the_database_unchanged(tmp_path, original, broken):
    registry.import_registry_file(write(tmp_path, SMALL_REGISTRY))
    before = database_snapshot()
    changed = SMALL_REGISTRY.replace("Riverton Public Schools", "Renamed Schools")
    with pytest.raises(RegistryFileError):
        registry.import_registry_file(
            write(tmp_path, changed.replace(original, broken), "bad.yaml")
        )
    assert database_snapshot() == before


def test_reimport_updates_in_place_and_keeps_unlisted_partners(tmp_path):
    registry.import_registry_file(write(tmp_path, SMALL_REGISTRY))
    housing_pk = m.Partner.objects.get(slug="riverton-housing").pk
    m.Partner.objects.create(
        slug="added-in-admin",
        name="Added in admin",
        partner_type="funder",
        sectors=["philanthropy"],
    )
    summary = registry.import_registry_file(
        write(tmp_path, SMALL_REGISTRY.replace("Riverton Housing Authority", "RHA"))
    )
    assert summary.updated["partners"] == 2 and "partners" not in summary.created
    assert m.Partner.objects.get(pk=housing_pk).name == "RHA"
    assert m.Partner.objects.filter(slug="added-in-admin").exists()
    assert m.Membership.objects.count() == 1  # members replaced, not duplicated


def test_signed_document_travels_with_export_and_import(tmp_path):
    pdf = b"%PDF-1.4\n% signed MOU\n%%EOF\n"
    (tmp_path / "scans").mkdir()
    (tmp_path / "scans" / "Signed MOU.PDF").write_bytes(pdf)
    text = SMALL_REGISTRY.replace(
        "    status: signed\n", "    status: signed\n    document: scans/Signed MOU.PDF\n"
    )
    registry.import_registry_file(write(tmp_path, text))
    out = tmp_path / "export"
    out.mkdir()
    registry.export_registry_file(out / "partnership.yaml")
    assert (out / "documents" / "housed-mou.pdf").read_bytes() == pdf
    assert "document: documents/housed-mou.pdf" in (out / "partnership.yaml").read_text()


def test_missing_document_is_refused_before_anything_is_written(tmp_path):
    text = SMALL_REGISTRY.replace(
        "    status: signed\n", "    status: signed\n    document: scans/missing.pdf\n"
    )
    with pytest.raises(
        RegistryFileError,
        match=r"agreements\[0\]\.document: document 'scans/missing.pdf' not found",
    ):
        registry.import_registry_file(write(tmp_path, text))
    assert m.Partner.objects.count() == 0


@pytest.mark.parametrize(
    ("today", "effective", "days_left", "soon"),
    [
        (dt.date(2026, 3, 1), "signed", 121, False),  # 2026-03-01 → 2026-06-30: 30+30+31+30 days
        (dt.date(2026, 4, 1), "signed", 90, True),
        (dt.date(2026, 6, 30), "signed", 0, True),
        (dt.date(2026, 7, 1), "expired", -1, False),
    ],
)
def test_expiry_warning_window(tmp_path, today, effective, days_left, soon):
    registry.import_registry_file(write(tmp_path, SMALL_REGISTRY))
    mou = gm.Agreement.objects.get(slug="housed-mou")
    assert (mou.effective_status(today), mou.days_to_expiry(today), mou.expires_soon(today)) == (
        effective, days_left, soon,
    )  # fmt: skip


def test_partners_by_sector_lists_a_partner_under_each_of_its_sectors(tmp_path):
    registry.import_registry_file(write(tmp_path, SMALL_REGISTRY))
    grouped = {
        label: [p.slug for p in partners] for label, partners in services.partners_by_sector()
    }
    assert grouped == {
        "Education": ["riverton-schools"],
        "Housing": ["riverton-housing"],
        "Government": ["riverton-housing"],
    }
