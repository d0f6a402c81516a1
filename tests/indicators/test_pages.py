"""The indicator pages: list, detail with charts, CSV export; access needs the registry view."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Permission, User

from backbone.indicators import services
from backbone.indicators.models import Baseline, Target, TurnTheCurve
from tests.indicators.test_compute import HIGH_EARNER, loaded  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client):
    user = User.objects.create_user("reader", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="view_registry"))
    client.force_login(user)
    return client


def test_pages_show_the_trend_targets_story_and_csv(reader, loaded):  # noqa: F811
    indicator = services.save_indicator(HIGH_EARNER)
    Baseline.objects.create(indicator=indicator, period="2023", value=50.0)
    Target.objects.create(indicator=indicator, method="steady", goal=80.0, goal_year=2026)
    TurnTheCurve.objects.create(
        indicator=indicator, written_on="2026-01-15", story="Hours were cut in 2024.",
        no_cost_idea="Share openings with the college.",
    )  # fmt: skip
    run = services.compute()

    listing = reader.get("/indicators/")
    assert listing.status_code == 200 and HIGH_EARNER.name.encode() in listing.content
    page = reader.get(f"/indicators/{indicator.slug}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count("<svg") == 1  # the trend (no dimensions in this definition)
    assert "Target" in body and "Forecast if nothing changes" in body
    assert "Hours were cut in 2024." in body and "Share openings with the college." in body

    exported = reader.get(f"/indicators/{indicator.slug}/results.csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    stored = run.rows.order_by("period")
    assert [(r["period"], int(r["numerator"]), int(r["denominator"])) for r in rows] == [
        (r.period, r.numerator, r.denominator) for r in stored
    ]


def test_pages_need_the_registry_permission(client):
    client.force_login(User.objects.create_user("nobody", password="pw"))
    assert client.get("/indicators/").status_code == 403
