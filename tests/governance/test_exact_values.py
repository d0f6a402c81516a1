"""One gate for every reader of indicator results: a funder or an action-network member sees
the planted small groups withheld on the indicator page, in its CSV and in the API, as the
public scorecard withholds them; the data steward and the director see them exactly, and each
exact view is in the audit log. Expected values are the planted ones (tests/scorecard/planted.py).

By hand, 2024: the Native Hawaiian or Pacific Islander group is 3 readers of 4 (a group under 10:
withheld whole, 3/4 = 75.0%); the group whose economic status is missing is 8 readers of 13 (a
size of 13 may be shown, 8 readers may not; 8/13 = 61.5%).
"""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.test import Client

from backbone.governance.models import AuditEvent
from backbone.indicators.models import Indicator
from backbone.scorecard.models import IndicatorPublication, PublishedCell
from tests.governance.seeded import World
from tests.scorecard.planted import ECONOMIC, PACIFIC, RACE, READING

pytestmark = pytest.mark.django_db

PAGE = "/indicators/planted_reading/"
CSV = "/indicators/planted_reading/results.csv"
API = "/api/v1/indicators/planted_reading/results"
SMALL = ("2024", RACE, PACIFIC)  # 3 of 4
FEW_READERS = ("2024", ECONOMIC, "missing")  # 8 of 13


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def csv_rows(client: Client) -> dict[tuple[str, str, str], dict[str, str]]:
    text = client.get(CSV).content.decode("utf-8-sig")
    return {(r["period"], r["dimension"], r["group"]): r for r in csv.DictReader(io.StringIO(text))}


def api_rows(client: Client) -> dict[tuple[str, str, str], dict]:
    return {(r["period"], r["dimension"], r["group"]): r for r in client.get(API).json()}


def exact_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(purpose="exact indicator values").order_by("sequence"))


@pytest.mark.parametrize("username", ["funder", "network", "admin"])
def test_roles_without_person_level_rights_get_small_cells_withheld(world: World, username):
    client = signed_in(world.users[username])
    assert READING[SMALL] == (3, 4) and READING[FEW_READERS] == (8, 13)

    rows = csv_rows(client)
    small, few = rows[SMALL], rows[FEW_READERS]
    assert (small["numerator"], small["denominator"], small["value"], small["marker"]) == ("", "", "", "*")  # fmt: skip
    assert (few["numerator"], few["denominator"], few["marker"]) == ("", "13", "*")
    # 1,069 of 2,062 = 51.84…%: shown, and rounded as the public scorecard rounds it.
    white = rows[("2024", RACE, "White")]
    assert (white["numerator"], white["denominator"], white["display"]) == ("1069", "2062", "52%")
    # Subtraction does not give the 4 back: the race groups withheld in 2024 hold 10 or more.
    total = int(rows[("2024", "overall", "all")]["denominator"])
    shown = sum(int(r["denominator"]) for k, r in rows.items() if k[:2] == ("2024", RACE) and r["denominator"])  # fmt: skip
    assert total == 2655 and total - shown >= 10

    answer = api_rows(client)
    assert (answer[SMALL]["numerator"], answer[SMALL]["denominator"], answer[SMALL]["value"]) == (None, None, None)  # fmt: skip
    assert (answer[FEW_READERS]["numerator"], answer[FEW_READERS]["denominator"]) == (None, 13)
    assert answer[SMALL]["rule"].startswith("primary") and answer[SMALL]["display"] == "*"

    page = client.get(PAGE).content.decode()
    assert "<td>75.0</td>" not in page and "<td>61.5</td>" not in page  # 3/4 and 8/13
    assert "fewer than 10 people" in page and "Not shown to protect privacy" in page
    assert exact_events() == []


def test_the_staff_gate_withholds_what_the_public_release_withholds(world: World):
    """The same policy and the same protection as the public scorecard's release."""
    public = {
        (c.period, c.dimension, c.group_value): (c.numerator, c.denominator, c.marker)
        for c in PublishedCell.objects.filter(indicator__slug="planted_reading")
    }
    funder = api_rows(signed_in(world.users["funder"]))
    assert {k: (r["numerator"], r["denominator"], r["marker"]) for k, r in funder.items()} == public


def test_the_indicators_own_minimum_governs_the_staff_pages_too(world: World):
    reading = Indicator.objects.get(slug="planted_reading")
    IndicatorPublication.objects.create(indicator=reading, min_n=15)
    few = api_rows(signed_in(world.users["funder"]))[FEW_READERS]
    # A group of 13 passes 10 but not 15: now its size is withheld too.
    assert (few["numerator"], few["denominator"], few["marker"]) == (None, None, "*")
    assert "15" in few["rule"]


def test_the_steward_sees_exact_values_and_each_view_is_audited(world: World):
    client = signed_in(world.users["steward"])
    rows = csv_rows(client)
    assert (rows[SMALL]["numerator"], rows[SMALL]["denominator"]) == ("3", "4")
    assert (rows[FEW_READERS]["numerator"], rows[FEW_READERS]["denominator"]) == ("8", "13")
    assert api_rows(client)[SMALL]["numerator"] == 3
    page = client.get(PAGE).content.decode()
    assert "<td>75.0</td>" in page and "recorded in the audit log" in page

    events = exact_events()
    assert [(e.actor, e.action, e.object_type, e.object_id) for e in events] == [
        ("steward", "read", "indicators.result", "planted_reading")
    ] * 3
    assert [e.detail["via"] for e in events] == ["csv", "api", "indicator page"]
    assert events[0].detail["results"] == len(READING)


def test_the_director_sees_exact_values_and_is_audited(world: World):
    director = User.objects.create_superuser("director", password="a long test password")
    rows = csv_rows(signed_in(director))
    assert (rows[SMALL]["numerator"], rows[SMALL]["denominator"], rows[SMALL]["marker"]) == ("3", "4", "")  # fmt: skip
    assert [(e.actor, e.detail["via"]) for e in exact_events()] == [("director", "csv")]


def test_the_indicator_list_shows_protected_latest_values_and_audits_exact_ones(world: World):
    listing = signed_in(world.users["funder"]).get("/indicators/").content.decode()
    # The planted earnings' 2024 total is a median of 412 people: withheld or shown rounded,
    # never as the exact 31,234.5.
    assert "31234.5" not in listing and "31,234.5" not in listing
    assert exact_events() == []
    signed_in(world.users["steward"]).get("/indicators/")
    [event] = exact_events()
    assert event.detail["via"] == "indicator list"
    assert "planted_reading" in event.detail["indicators"]
