"""The workforce pages on a small Riverton: staff see every partnership's teeth check and each
commitment against its actual; an employer sees its own pipeline only, protected, with every
shown count equal to pandas over the raw files (tests/workforce/test_city.py)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from backbone.workforce.actuals import STAGES
from tests.workforce import riverton
from tests.workforce.test_city import _expected_pipeline

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
    assert "Advanced Manufacturing" not in html
    assert _get("olivia", "/workforce/employers/calloway-precision/")[0] == 403
    assert _get("olivia", "/workforce/")[0] == 403


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
