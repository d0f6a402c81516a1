"""The public scorecard in a real browser (Debian's chromium through Playwright): served by
``backbone serve`` without signing in, embedded in another page, used from the keyboard, and
opened straight from disk as the static site. Screenshots land in docs/screenshots/."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.fixtures import free_port, wait_for_port
from tests.test_browser import SCREENSHOTS, browser  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.city]


@pytest.fixture(scope="module")
def city_url(city) -> Iterator[str]:
    with city.serving("serve") as url:
        yield url


@pytest.fixture
def page(browser) -> Iterator[Page]:  # noqa: F811
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    opened = browser.new_page(viewport={"width": 1280, "height": 1000})
    yield opened
    opened.close()


def test_a_visitor_reads_the_scorecard_without_signing_in(page, city_url):
    page.goto(f"{city_url}/scorecard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("How our community is doing")
    expect(page.get_by_role("heading", name="Grade 3 reading proficiency", level=2)).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "scorecard-home.png")

    page.get_by_role("link", name="Grade 3 reading proficiency").nth(1).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grade 3 reading proficiency")
    expect(page.get_by_role("img", name="Grade 3 reading proficiency: trend")).to_be_visible()
    page.get_by_text("Show the data").first.click()
    expect(
        page.get_by_role("table", name="Grade 3 reading proficiency, everyone, per period")
    ).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "scorecard-indicator.png")
    page.get_by_role(
        "heading", name="By race and ethnicity", exact=True
    ).scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "scorecard-groups.png")


@pytest.fixture
def funder_site(tmp_path, city_url) -> Iterator[str]:
    """A page on another origin (another local server) that embeds the widget."""
    widget = f"{city_url}/scorecard/embed/grade3_reading/"
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="en"><title>A funder</title><h1>A funder\'s page</h1>'
        f'<iframe src="{widget}" title="Grade 3 reading" width="600" height="560"></iframe>'
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
         "--directory", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        wait_for_port(port, server)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_widget_shows_inside_another_sites_page(page, funder_site):
    page.goto(funder_site)
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading", level=1)).to_have_text("Grade 3 reading proficiency")
    expect(frame.get_by_role("img", name="Grade 3 reading proficiency: trend")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "scorecard-embed.png")


def test_the_skip_link_is_the_first_stop_for_a_keyboard(page, city_url):
    page.goto(f"{city_url}/scorecard/indicators/grade3_reading/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.screenshot(
        path=SCREENSHOTS / "scorecard-keyboard.png",
        clip={"x": 0, "y": 0, "width": 1280, "height": 300},
    )
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside the content, past the navigation
    inside = page.evaluate("document.activeElement.closest('main') !== null")
    assert inside


def test_the_scorecard_fits_a_phone(browser, city_url):  # noqa: F811
    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.goto(f"{city_url}/scorecard/indicators/grade3_reading/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px wide)"
    phone.close()


def test_the_static_site_works_from_disk(page, city_site):
    page.goto((city_site / "index.html").as_uri())
    expect(page.get_by_role("heading", level=1)).to_have_text("How our community is doing")
    page.get_by_role("link", name="Grade 3 reading proficiency").nth(1).click()
    expect(page).to_have_url((city_site / "indicators" / "grade3_reading" / "index.html").as_uri())
    expect(page.get_by_role("img", name="Grade 3 reading proficiency: trend")).to_be_visible()
    color = page.evaluate(
        "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    )
    assert color == "rgb(8, 63, 86)"  # the stylesheet loaded from the relative path
    page.get_by_role("link", name="Preview the widget").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grade 3 reading proficiency")
