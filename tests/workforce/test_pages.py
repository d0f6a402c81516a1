"""The workforce pages on a small Riverton: staff see every partnership's teeth check and each
commitment against its actual; an employer sees its own pipeline only, protected, with every
shown count equal to pandas over the raw files (tests/workforce/test_city.py)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from typer.testing import CliRunner

from backbone.cli import app
from backbone.intake.models import Submission
from backbone.partnership.models import Partner
from backbone.warehouse.services import warehouse
from backbone.workforce.actuals import STAGES
from tests.workforce import riverton
from tests.workforce.test_city import (
    _expected_completers_by_year,
    _expected_hires,
    _expected_pipeline,
)

pytestmark = [pytest.mark.django_db, pytest.mark.city]


@pytest.fixture
def city(workspace, loaded_cities):
    return riverton.build(loaded_cities)


def _get(username: str, url: str) -> tuple[int, str]:
    client = Client()
    client.force_login(User.objects.get(username=username))
    response = client.get(url)
    return response.status_code, response.content.decode()


def _shown_stages(html: str) -> list[str]:
    table = html.split('<table class="pipeline">')[1].split("</table>")[0]
    return re.findall(r'<td class="num">([^<]*)</td>', table)


def _shown_hiring(html: str) -> list[str]:
    table = html.split('<table class="hiring">')[1].split("</table>")[0]
    return re.findall(r'<td class="num">([^<]*)</td>', table)


def _whole(d: Decimal) -> str:
    return str(d.quantize(Decimal(1), ROUND_HALF_UP))


def _percent(numerator: int, denominator: int, min_n: int | None) -> str:
    """A percent, or ``*`` when its numerator or complement is under the minimum."""
    if min_n and min(numerator, denominator - numerator) < min_n:
        return "*"
    return f"{_whole(Decimal(100 * numerator) / denominator)}%"


def _hand_hiring(manifest, pipeline: dict[str, int], min_n: int | None) -> list[str]:
    """The four figures from pandas, rounded half up by hand (the medians stand on more than
    the minimum: asserted)."""
    hires = _expected_hires(manifest, living_wage=17.50)  # partnership.yaml's living wage
    assert min(hires["with_wage"], hires["with_exit"]) >= 11
    wage = Decimal(str(hires["median_wage"])).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return [
        _percent(hires["at_living_wage"], hires["with_wage"], min_n), f"${wage}",
        _whole(Decimal(str(hires["median_days_to_hire"]))),
        _percent(int(pipeline["retained"]), pipeline["retention_due"], min_n),
    ]  # fmt: skip


def test_an_employer_sees_its_own_pipeline_protected_and_no_one_elses(city):
    riverton.user("olivia", "employer", "st-brigid-health")
    status, html = _get("olivia", "/workforce/employers/st-brigid-health/")
    assert status == 200 and "Riverton Healthcare Sector Partnership" in html
    expected = _expected_pipeline(city)
    shown = _shown_stages(html)
    assert len(shown) == len(STAGES)
    for stage, text in zip(STAGES, shown, strict=True):
        assert text == str(expected[stage]) or (text in "*‡" and text), stage
    assert shown[0] == str(expected["enrolled"])  # 93 people: well above the minimum
    assert _shown_hiring(html) == _hand_hiring(city, expected, settings.DISCLOSURE_MIN_N)
    assert _shown_hiring(html)[0] == "*"  # 93% of hires: the few below would be given away
    assert "Advanced Manufacturing" not in html
    assert _get("olivia", "/workforce/employers/calloway-precision/")[0] == 403
    assert _get("olivia", "/workforce/")[0] == 403
    riverton.user("dana", "data_steward")
    html = _get("dana", "/workforce/employers/st-brigid-health/")[1]
    assert _shown_hiring(html) == _hand_hiring(city, expected, None)  # exact, audited


def test_staff_see_the_teeth_check_and_commitments_against_actuals(city):
    riverton.user("rosa", "action_network_member")
    status, html = _get("rosa", "/workforce/")
    assert status == 200
    sections = {part.split('"')[0]: part for part in html.split('<section id="')[1:]}
    healthcare = sections["healthcare-career-pathway"]
    manufacturing = sections["advanced-manufacturing"]
    assert "<strong>has teeth</strong>" in healthcare
    assert "<strong>fails the teeth check</strong>" in manufacturing
    assert "no actuals: calloway-precision send no interview, offer or hire records" in html
    # St. Brigid's "interview every completer": 72 completers, 50 interviewed (pandas).
    assert re.search(r'<td class="num">72</td><td class="num">50</td><td>not met', healthcare)


def test_staff_see_each_commitment_per_program_year_with_its_chart(city):
    riverton.user("rosa", "action_network_member")
    html = _get("rosa", "/workforce/")[1]
    healthcare = html.split('<section id="healthcare-career-pathway"')[1].split("</section>")[0]
    trend = healthcare.split('<table class="trend">')[1].split("</table>")[0]
    rows = re.findall(
        r'<tr><td>(\d{4}-\d\d)</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td>'
        r"<td>([^<]*)</td></tr>", trend)  # fmt: skip
    expected = _expected_completers_by_year(city)
    assert [r[0] for r in rows] == sorted(expected)
    exact = 0
    for year, target, actual, state in rows:
        want = expected[year]
        assert target in (str(want["completed"]), "*", "‡") and actual in (
            str(want["interviewed"]),
            "*",
            "‡",
        )
        if target == str(want["completed"]) and actual == str(want["interviewed"]):
            exact += 1
            assert state == ("met" if want["interviewed"] >= want["completed"] else "not met")
        else:
            assert state == "withheld"
    assert exact >= 1
    assert '<div class="chart"><svg' in healthcare


def test_the_status_command_prints_each_feature_with_its_verdict_and_the_actuals(city):
    result = CliRunner().invoke(app, ["workforce", "status"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.output
    manufacturing, healthcare = out.split("Riverton Healthcare Sector Partnership:")  # by name
    verdicts = {"commitments": "fail", "curricula": "pass", "backbone": "pass", "outcomes": "pass"}
    for feature, verdict in verdicts.items():  # read by hand from the demo's workforce.yaml
        assert re.search(rf"│ {feature}\s+│ pass\s+│", healthcare), feature
        assert re.search(rf"│ {feature}\s+│ {verdict}\s+│", manufacturing), feature
    assert "has teeth" in healthcare and "fails the teeth check" in manufacturing
    # St. Brigid's "interview every completer": 72 completers, 50 interviewed (pandas).
    assert re.search(r"│ all\s+│ 72\s+│ 50\s+│ not met", healthcare)
    one = CliRunner().invoke(app, ["workforce", "status", "advanced-manufacturing"])
    assert one.exit_code == 0 and "Healthcare" not in one.output
    missing = CliRunner().invoke(app, ["workforce", "status", "no-such"])
    assert missing.exit_code == 1 and "No sector partnership 'no-such'" in missing.output


def _plant_loads(table: str, partners: list, times: list[dt.datetime]) -> None:
    """The warehouse's submissions of ``table``, recorded as loaded at ``times`` (by hand)."""
    ids = sorted({f.submission_id for f in warehouse().files_of(table)})
    assert ids, table
    for n, pk in enumerate(ids):
        Submission.objects.update_or_create(pk=pk, defaults={
            "partner": partners[n % len(partners)], "contract": table, "original_name": "f.csv",
            "sha256": "0" * 64, "size": 1, "archive_path": "x", "status": "loaded",
            "finished_at": times[n % len(times)],
        })  # fmt: skip


def test_the_employer_page_says_when_each_source_was_last_loaded(city):
    zone = ZoneInfo(settings.TIME_ZONE)
    brigid = Partner.objects.get(slug="st-brigid-health")
    other = Partner.objects.exclude(pk=brigid.pk).first()
    at = [dt.datetime(2026, 3, d, 9, 15, tzinfo=zone) for d in (2, 5, 9)]
    _plant_loads("employer_event", [brigid], at[:1])
    _plant_loads("training", [other], at[1:2])
    _plant_loads("wages", [other], at[2:])
    # A later St. Brigid file that is not in the warehouse (failed, or destroyed): not counted.
    Submission.objects.create(partner=brigid, contract="employer_event", original_name="g.csv",
                              sha256="1" * 64, size=1, archive_path="y", status="failed",
                              finished_at=dt.datetime(2026, 4, 1, tzinfo=zone))  # fmt: skip
    riverton.user("olivia", "employer", "st-brigid-health")
    html = _get("olivia", "/workforce/employers/st-brigid-health/")[1]
    rows = re.findall(r"<tr><td>(\w+)</td><td>[^<]*</td><td class=\"num\">[^<]*</td>"
                      r"<td>([^<]*)</td></tr>", html)  # fmt: skip
    assert dict(rows) == {
        "employer_event": "2026-03-02 09:15",
        "training": "2026-03-05 09:15",
        "wages": "2026-03-09 09:15",
    }
