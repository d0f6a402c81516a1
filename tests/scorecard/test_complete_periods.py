"""Periods whose follow-up window has not closed: a release publishes them as not available,
pages headline the latest complete period and say how far the data reach. Expected figures are
the planted partnership's, worked out by hand."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from backbone.disclosure.check import check_export
from backbone.indicators.models import Result
from backbone.scorecard import export, publishing, services
from backbone.scorecard.models import PublishedCell
from tests.scorecard.pages import visible_text
from tests.scorecard.planted import PACIFIC, RACE, plant

pytestmark = pytest.mark.django_db

THROUGH = dt.date(2024, 6, 30)
PENDING = "not yet available (data through 2024-06-30)"


@pytest.fixture
def pending_2024():
    """The planted reading indicator with its data through 30 June 2024 and 2024 incomplete."""
    planted = plant()
    Result.objects.filter(indicator=planted["reading"]).update(data_through=THROUGH)
    Result.objects.filter(indicator=planted["reading"], period="2024").update(complete=False)
    return services.release()


def reading_cells(period: str):
    return PublishedCell.objects.filter(indicator__slug="planted_reading", period=period)


def test_a_release_publishes_an_incomplete_period_as_not_available(pending_2024):
    shown = {
        (c.numerator, c.denominator, c.value, c.marker, c.display, c.complete, c.data_through)
        for c in reading_cells("2024")
    }
    assert shown == {(None, None, None, "", PENDING, False, THROUGH)}
    counts = services.release_summary(pending_2024)
    assert counts["cells"] == 23 and counts["not_available"] == 10  # the 10 planted 2024 rows
    # 2023 is still protected: the group of 5 Pacific Islanders is withheld.
    small = reading_cells("2023").get(dimension=RACE, group_value=PACIFIC)
    assert (small.marker, small.complete, small.data_through) == ("*", True, THROUGH)
    assert {
        p["period"] for p in pending_2024.partitions if p["indicator"] == "planted_reading"
    } == {"2023"}


def test_the_downloads_carry_no_number_for_the_incomplete_period_and_pass_the_check(
    pending_2024, tmp_path
):
    rows = services.published_rows(pending_2024)
    total = next(
        r for r in rows if (r["indicator"], r["period"], r["dimension"]) ==
        ("planted_reading", "2024", "overall")
    )  # fmt: skip
    assert (total["numerator"], total["value"], total["marker"], total["display"]) == (
        None, None, "", PENDING
    )  # fmt: skip
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "results.csv").write_text(export.csv_text(rows))
    (tmp_path / "data" / "partitions.json").write_text(
        export.partitions_json(pending_2024.partitions)
    )
    (tmp_path / "data" / "dimensions.json").write_text(
        export.dimensions_json(pending_2024.dimensions)
    )
    assert check_export(tmp_path).findings == []


def test_pages_headline_the_latest_complete_period_and_say_data_as_of(client, pending_2024):
    body = client.get("/scorecard/indicators/planted_reading/").content.decode()
    latest = body[body.index('<p class="latest">') :].split("</p>")[0]
    # 2023: 1,211 of 2,380 = 50.9%, published as a whole percent.
    assert visible_text(latest).split()[:3] == ["51%", "in", "2023"]
    assert "Data as of 2024-06-30." in body and PENDING in body
    trend_table = body[body.index("everyone, per period</caption>") :].split("</table>")[0]
    assert "2024" in trend_table and PENDING in trend_table
    assert '<th scope="col">2024</th>' not in body  # no group table has a 2024 column
    home = client.get("/scorecard/").content.decode()
    card = home[home.index("Planted reading proficiency") :].split("</li>")[0]
    assert visible_text(card).split()[3:6] == ["51%", "in", "2023"]
    data = client.get("/scorecard/indicators/planted_reading/data.csv").content.decode()
    pending = [r for r in csv.DictReader(io.StringIO(data)) if r["period"] == "2024"]
    assert {(r["numerator"], r["denominator"], r["value"], r["display"]) for r in pending} == {
        ("", "", "", PENDING)
    }


def test_the_annual_report_headlines_the_latest_complete_period(pending_2024):
    context = publishing.report_context(pending_2024)
    pages = [p for s in context["sections"] for p in s["indicators"]]
    reading = next(p for p in pages if p["indicator"].slug == "planted_reading")
    assert reading["latest"].period == "2023" and reading["data_as_of"] == "2024-06-30"
    assert {g["period"] for g in reading["groups"]} == {"2023"}
