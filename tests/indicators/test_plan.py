"""The measurement plan: which partners' files feed each indicator, under which agreement, and
the gaps when an agreement no longer covers them (docs/indicators.md, "Measurement plan")."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
import yaml
from django.contrib.auth.models import Permission, User

from backbone.demo.city.generate import generate_city
from backbone.indicators import services
from backbone.indicators.definitions import IndicatorDefinition
from backbone.indicators.models import Indicator
from backbone.indicators.plan import UNREADABLE, Feed, Planned, plan_row
from backbone.intake import services as intake
from backbone.intake.models import ReportingSchedule
from backbone.partnership.models import Partner
from tests.agreements import covering_agreement
from tests.indicators.test_compute import HIGH_EARNER, loaded  # noqa: F401  (fixture)

LIBRARY = Path(__file__).parents[2] / "src/backbone/indicators/library"
HMIS = "riverton-area-homeless-coalition"
# The contracts whose files the library reads, with one partner each (the synthetic city's).
PARTNERS = {
    "riverton-public-schools": ("school_district", ["edfi", "graduation"]),
    HMIS: ("homeless_service_provider", ["hmis"]),
    "three-rivers-workforce-board": ("workforce_board", ["training", "ui_wages", "skill_gain"]),
    "riverton-community-college": ("college", ["postsecondary"]),
}

ABSENCE = IndicatorDefinition.model_validate({
    "slug": "absence_housing", "name": "Absence of housed students", "table": "attendance",
    "joins": [{"table": "person_demographics", "latest_by": "as_of"},
              {"table": "housing", "on": "person_key"}],
    "denominator": "TRUE", "numerator": "attendance.days_absent > 0",
    "period": {"column": "attendance.school_year"},
})  # fmt: skip


def feed(partner: str, *tables: str, gap: str = "") -> Feed:
    return Feed(
        partner, partner.title(), "c", frozenset(tables), agreement=f"{partner}-dsa", gap=gap
    )


def test_a_record_id_join_adds_no_partner_and_a_person_key_join_does():
    district = feed("district", "attendance", "person_demographics")
    shelter = feed("shelter", "housing", "person_demographics")
    college = feed("college", "postsecondary", "person_demographics")
    row = plan_row(Planned(ABSENCE), [college, shelter, district])
    assert row.partners == ("District", "Shelter")
    assert row.agreements == ("district-dsa", "shelter-dsa")
    assert row.gaps == ()


def test_gaps_name_the_uncovered_feed_and_the_unfed_table():
    district = feed("district", "attendance", gap="no agreement covers District's c files")
    row = plan_row(Planned(ABSENCE), [district])
    assert row.gaps == (
        "no agreement covers District's c files",
        "no partner's files feed the housing table",
    )


@pytest.fixture
def city(tmp_path, workspace, db):
    """One file per contract the library reads, from a small synthetic city, each ingested under
    a signed agreement of its partner; and the library installed."""
    manifest = generate_city(tmp_path / "city", students=60, seed=3, years=5)
    agreements = {}
    for slug, (kind, contracts) in PARTNERS.items():
        partner = Partner.objects.create(slug=slug, name=slug.replace("-", " ").title(),
                                         partner_type=kind)  # fmt: skip
        agreements[slug] = covering_agreement(partner, *contracts, slug=f"{slug}-dsa")
        for name in contracts:
            path = _file(manifest, slug, name)
            outcome = intake.ingest(path, partner, name, path.name)
            assert outcome.submission.status == "loaded", outcome.submission.message
    ReportingSchedule.objects.create(
        partner=Partner.objects.get(slug=HMIS), contract="hmis", frequency="quarterly",
        due_days=30, starts="2024-07-01",
    )  # fmt: skip
    services.install_standard_library()
    return agreements


def _file(manifest, partner: str, contract: str) -> Path:
    """The city's file for the partner's contract; the city sends no skill gains, so that one
    is the documented example file."""
    if contract == "skill_gain":
        return Path(__file__).parents[2] / "docs/examples/skill_gain.csv"
    entry = next(f for f in manifest.files if (f.partner, f.contract) == (partner, contract))
    return manifest.path(entry)


def reads_housing_independently() -> set[str]:
    """From the library's YAML: indicators whose base table, or a table joined across partners
    (on person_key), is ``housing`` — the one table the coalition's HMIS files feed that no other
    partner's do."""
    slugs = set()
    for path in LIBRARY.glob("*.yaml"):
        data = yaml.safe_load(path.read_text())
        tables = {data["table"]} | {
            j["table"] for j in data.get("joins", []) if j.get("on") == "person_key"
        }
        if "housing" in tables:
            slugs.add(data["slug"])
    return slugs


def test_every_library_indicator_has_a_partner_and_its_agreement(city):
    plan = {row.slug: row for row in services.measurement_plan()}
    library = {yaml.safe_load(p.read_text())["slug"] for p in LIBRARY.glob("*.yaml")}
    assert set(plan) == library and len(library) == 22
    for row in plan.values():
        assert row.feeds and not row.gaps, (row.slug, row.gaps)
        for f in row.feeds:
            assert f.agreement == f"{f.partner}-dsa"
    housed = plan["chronic_absence_housing"]
    assert [(f.partner, f.contract) for f in housed.feeds] == [
        (HMIS, "hmis"),
        ("riverton-public-schools", "edfi"),
    ]
    assert housed.feeds[0].schedule == "Every quarter, due 30 days after"


def test_ending_an_agreement_flags_exactly_the_indicators_reading_that_partners_data(city):
    city[HMIS].status, city[HMIS].end = "ended", dt.date(2026, 6, 30)
    city[HMIS].save()
    flagged = {row.slug for row in services.measurement_plan() if row.gaps}
    expected = reads_housing_independently()
    assert expected == {"chronic_absence_housing", "exits_to_permanent_housing",
                        "school_moves_housing"}  # fmt: skip
    assert flagged == expected
    row = next(r for r in services.measurement_plan() if r.slug == "exits_to_permanent_housing")
    assert row.gaps == (
        "no agreement covers Riverton Area Homeless Coalition's hmis files "
        f"(agreement '{HMIS}-dsa' ended on 2026-06-30)",
    )


@pytest.fixture
def reader(client, db):
    user = User.objects.create_user("reader", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="view_registry"))
    client.force_login(user)
    return client


def test_the_plan_follows_the_last_run_and_shows_on_the_page_and_csv(reader, loaded):  # noqa: F811
    services.save_indicator(HIGH_EARNER)
    services.compute()
    # Files loaded after the run did not feed it.
    partner = Partner.objects.create(slug="college", name="College", partner_type="college")
    covering_agreement(partner, "ui_wages")
    [row] = services.measurement_plan()
    assert [(f.partner, f.contract, f.agreement) for f in row.feeds] == [
        ("state-ui", "ui_wages", "state-ui-dsa-1")
    ]
    body = reader.get("/indicators/plan/").content.decode()
    assert HIGH_EARNER.name in body and "State UI (ui_wages)" in body and "state-ui-dsa-1" in body
    exported = reader.get("/indicators/plan.csv").content.decode("utf-8-sig")
    [line] = list(csv.DictReader(io.StringIO(exported)))
    assert (line["indicator"], line["partners"], line["agreements"], line["gaps"]) == (
        HIGH_EARNER.slug,
        "State UI",
        "state-ui-dsa-1",
        "",
    )


def test_an_indicator_whose_stored_definition_does_not_load_is_flagged_not_a_crash(db):
    # The authorization table's world stores {"slug": ...} alone; the plan page crashed on it.
    Indicator.objects.create(slug="planted", name="Planted", definition={"slug": "planted"})
    [row] = services.measurement_plan()
    assert (row.slug, row.feeds, row.gaps) == ("planted", (), (UNREADABLE,))
