"""A real browser (Debian's chromium) walks a network's work: the charter (a vague aim refused
first), an action, a PDSA cycle logged and then closed with "adopt" — on the demo registry,
served by ``backbone`` (no city: the pages need only the registry and networks.yaml)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.fixtures import workspace
from tests.test_browser import SCREENSHOTS, browser, sign_in  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

NETWORK = "Grade 3 Reading Action Network"
AIM = "Raise the share of third graders reading on grade level from 58% to 70% by June 2028."


@pytest.fixture(scope="module")
def registry_url(tmp_path_factory) -> Iterator[str]:
    with workspace(tmp_path_factory.mktemp("networks-browser")) as ws:
        ws.run("demo", "--build-only", "--students", "0")
        with ws.serving("serve") as url:
            yield url


def write_charter(page: Page) -> None:
    page.get_by_role("link", name="Change the charter").click()
    form = page.locator("#charter-form")
    form.get_by_label("Aim", exact=True).fill("improve reading soon")
    form.get_by_role("button", name="Save the charter").click()
    expect(page.get_by_text("The aim has no number")).to_be_visible()
    expect(page.get_by_text("The aim has no date")).to_be_visible()
    form.get_by_label("Aim", exact=True).fill(AIM)
    form.get_by_label("Target value").fill("70")
    form.get_by_label("Target date").fill("2028-06-30")
    form.get_by_role("button", name="Save the charter").click()
    expect(page.get_by_text(AIM)).to_be_visible()


def add_action(page: Page) -> None:
    page.get_by_text("Add an action").click()
    form = page.locator("#action-form")
    form.get_by_label("Title").fill("Invite second-grade teachers to the March meeting")
    form.get_by_label("Owner").select_option(label="Elena Vasquez")
    form.get_by_label("Due").fill("2026-03-15")
    form.get_by_role("button", name="Add the action").click()
    expect(page.get_by_role("row", name="Invite second-grade teachers")).to_be_visible()


def log_and_adopt_cycle(page: Page) -> None:
    page.get_by_text("Log a PDSA cycle").click()
    form = page.locator("#pdsa-form")
    form.get_by_label("Change idea").fill("Reading buddies at lunch")
    form.get_by_label("Objective").fill("Try older students reading with second graders.")
    form.get_by_label("Question").fill("Do buddies show up twice a week?")
    form.get_by_label("Prediction").fill("Eight of ten pairs meet twice a week.")
    form.get_by_label("Planned start").fill("2026-01-12")
    form.get_by_label("Planned end").fill("2026-02-13")
    form.get_by_role("button", name="Log the cycle").click()
    cycle = page.locator("article.pdsa", has_text="Reading buddies at lunch, cycle 1")
    expect(cycle.locator(".tag")).to_have_text("open")
    cycle.get_by_text("Close this cycle").click()
    cycle.get_by_label("Actual start").fill("2026-01-12")
    cycle.get_by_label("Actual end").fill("2026-02-13")
    cycle.get_by_label("Learning").fill("Nine of ten pairs met; lunch is the right time.")
    cycle.get_by_label("Decision").select_option("adopt")
    cycle.get_by_role("button", name="Close the cycle").click()
    closed = page.locator("article.pdsa", has_text="Reading buddies at lunch, cycle 1")
    expect(closed.locator(".tag")).to_have_text("Adopt")
    expect(closed.get_by_text("Nine of ten pairs met")).to_be_visible()


def test_charter_action_pdsa_cycle_and_adopt(browser: Browser, registry_url):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, registry_url, username="network")  # a member, through her partner's seat
    page.get_by_role("link", name="Networks", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Action networks")
    page.get_by_role("link", name=NETWORK).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NETWORK)
    write_charter(page)
    add_action(page)
    log_and_adopt_cycle(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "network-page.png", full_page=False)
    page.close()
