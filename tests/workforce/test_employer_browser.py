"""An employer signs in through a real browser (Debian's chromium through Playwright) and sees
its own hiring pipeline only: St. Brigid's stages, protected, and a refusal at another
employer's page and at the staff overview."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from backbone.workforce.actuals import STAGES
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS
from tests.workforce import riverton
from tests.workforce.test_city import _expected_pipeline

pytestmark = [pytest.mark.browser, pytest.mark.city, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(monkeypatch) -> Iterator[Browser]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop on this thread
    assert shutil.which(CHROMIUM), f"{CHROMIUM} not found: install Debian's chromium (.ci/run does)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(riverton.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{url}/")


def test_an_employer_signs_in_and_sees_only_its_own_pipeline(
    browser, live_server, workspace, loaded_cities
):
    manifest = riverton.build(loaded_cities)
    riverton.user("olivia", "employer", "st-brigid-health")
    expected = _expected_pipeline(manifest)
    page = browser.new_page()
    sign_in(page, live_server.url, "olivia")

    page.goto(f"{live_server.url}/workforce/employers/st-brigid-health/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "St. Brigid Health System: hiring pipeline"
    )
    expect(page.get_by_role("heading", level=2)).to_have_text(
        ["Riverton Healthcare Sector Partnership", "Engagement"]
    )
    cells = page.locator("table.pipeline td").all_inner_texts()
    assert len(cells) == len(STAGES)
    for stage, shown in zip(STAGES, cells, strict=True):
        assert shown in (str(expected[stage]), "*", "‡"), stage
    assert cells[0] == str(expected["enrolled"])

    for other in ("/workforce/employers/calloway-precision/", "/workforce/"):
        response = page.goto(f"{live_server.url}{other}")
        assert response is not None and response.status == 403, other
