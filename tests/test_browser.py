"""A real browser (Debian's chromium through Playwright) against the demo served by `backbone`.

Screenshots land in docs/screenshots/ for the README and the docs.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.fixtures import PROJECT_ROOT, copy_of

pytestmark = [pytest.mark.browser, pytest.mark.city]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def demo_url(demo_build, tmp_path_factory) -> Iterator[str]:
    """The demo served from a copy of its workspace: the tests here upload and save."""
    copy = copy_of(demo_build.workspace, tmp_path_factory.mktemp("browser") / "demo")
    with copy as ws, ws.serving("serve") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert shutil.which(CHROMIUM), f"{CHROMIUM} not found: install Debian's chromium (.ci/run does)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def sign_in(page: Page, url: str, username: str = "director") -> None:
    page.goto(f"{url}/")
    expect(page).to_have_url(f"{url}/login/?next=/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("riverton-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Riverton Cradle to Career Partnership"
    )


def test_sign_in_and_visit_home_partner_and_body_pages(browser, demo_url):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, demo_url)
    expect(page.get_by_role("link", name="Riverton Public Schools").first).to_be_visible()
    expect(page.get_by_role("heading", name="Partners by sector")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "partnership-home.png", full_page=False)

    page.get_by_role("link", name="Riverton Housing Authority").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Riverton Housing Authority")
    expect(page.get_by_role("heading", name="Agreements and commitments")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "partner-page.png", full_page=False)

    page.get_by_role("link", name="Partnership", exact=True).first.click()
    page.get_by_role("link", name="Leadership Table").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leadership Table")
    expect(page.get_by_role("cell", name="Chair").first).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "body-page.png", full_page=False)
    page.close()


def test_home_page_works_on_a_phone(browser, demo_url):
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    sign_in(page, demo_url, username="partner")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px wide)"
    page.screenshot(path=SCREENSHOTS / "partnership-home-phone.png", full_page=False)
    page.close()


def test_wrong_password_is_told_and_not_let_in(browser, demo_url):
    page = browser.new_page()
    page.goto(f"{demo_url}/login/")
    page.get_by_label("Username").fill("director")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("didn't match")
    page.close()


def test_partner_clerk_uploads_a_file_and_reads_its_report(browser, demo_url, tmp_path):
    bad = tmp_path / "roster-fall.csv"
    bad.write_text(
        "local_id,program,start_date\nBF-1,Homework Help,2025-09-31\nBF-2,Homework Help,2025-09-08\n"
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, demo_url, username="partner")
    page.get_by_role("link", name="Submissions").click()
    page.get_by_role("link", name="Upload a file").click()
    # The tutoring program sends one contract: its form, with the schedule's periods.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Send program participation")
    period = page.get_by_label("Period", exact=True)
    assert "2025-26 — loaded" in period.inner_text()
    period.select_option("2025-26")  # loaded already: the page asks before replacing it
    page.get_by_label("File", exact=True).set_input_files(bad)
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_text("already holds submission")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "upload.png")
    page.get_by_label("Period", exact=True).select_option(index=0)  # the newest period instead
    page.get_by_label("File", exact=True).set_input_files(bad)
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("roster-fall.csv")
    # The worker `backbone serve` started loads it; the page follows and shows the outcome.
    expect(page.get_by_text("Nothing was stored")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("cell", name="2025-09-31")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "submission-rejected.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the report (CSV)").click()
    report = download.value.path().read_text()
    assert "roster-fall.csv,2,start_date,2025-09-31,type" in report
    page.close()


def test_data_team_reads_the_submission_calendar(browser, demo_url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, demo_url)
    page.goto(f"{demo_url}/submissions/calendar/")
    expect(page.get_by_role("heading", name="Submission calendar")).to_be_visible()
    expect(page.get_by_text("late").first).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "submission-calendar.png")
    page.close()


def test_indicator_editor_checks_as_you_type_and_previews(browser, demo_url):
    page = browser.new_page(viewport={"width": 1280, "height": 1350})
    sign_in(page, demo_url)
    page.goto(f"{demo_url}/indicators/new/")
    expect(page.get_by_label("Unit")).to_have_value("percent")
    page.get_by_label("Name").fill("Workers earning at least $5,000 in a quarter")
    page.get_by_label("Slug").fill("quarterly_wages_5000")
    page.get_by_label("Plain-language definition").fill(
        "Share of workers with wages on file who earned at least $5,000 in a quarter."
    )
    page.get_by_label("Table").select_option("wages")
    page.get_by_label("Denominator").fill("wages.wages > 0")
    page.get_by_label("Period column").fill("wages.year")
    numerator = page.get_by_label("Numerator")
    numerator.press_sequentially("wages.wagez >= 5000", delay=20)
    message = page.locator("#id_numerator_error")
    expect(message).to_have_text(
        "unknown column 'wagez' in table wages (line 1, column 7, at 'wagez')"
    )
    expect(numerator).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("status")).to_contain_text("1 problem to fix")
    page.screenshot(path=SCREENSHOTS / "indicator-editor-problem.png", full_page=False)

    numerator.fill("wages.wages >= 5000")
    expect(message).to_be_empty()
    expect(numerator).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("status")).to_have_text("The definition is valid. Preview updated.")
    preview = page.locator("#preview-rows tr")
    expect(preview).to_have_count(2)
    expect(preview.first.locator("td").last).to_contain_text(".")  # a percent, e.g. 57.5
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=SCREENSHOTS / "indicator-editor.png", full_page=False)

    page.get_by_role("button", name="Save the indicator").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Workers earning at least $5,000 in a quarter"
    )
    expect(page.get_by_text("definition version 1").first).to_be_visible()
    page.close()


# What a phone shows: how wide the page is, and the size on screen of every chart's text.
PHONE_FACTS = """() => {
  const sizes = [];
  for (const svg of document.querySelectorAll("svg")) {
    const drawn = parseFloat(svg.getAttribute("width"));
    if (!drawn) continue;
    const scale = svg.getBoundingClientRect().width / drawn;
    for (const text of svg.querySelectorAll("text")) {
      if (text.textContent.trim()) sizes.push(parseFloat(getComputedStyle(text).fontSize) * scale);
    }
  }
  return {width: document.documentElement.scrollWidth, texts: sizes.length,
          smallest: sizes.length ? Math.min(...sizes) : null};
}"""
PHONE_PAGES = [
    "/", "/submissions/", "/indicators/", "/indicators/new/", "/indicators/chronic_absence/edit/",
    "/indicators/chronic_absence/", "/indicators/graduation_rate_4yr/", "/scorecard/",
    "/scorecard/indicators/chronic_absence/", "/agreements/", "/help/indicators/",
]  # fmt: skip


def test_pages_fit_a_phone_and_chart_text_stays_readable(browser, demo_url):
    """At 390 px: no page scrolls sideways (wide tables and charts scroll inside their own box)
    and no chart's text is drawn smaller than 11 px."""
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    sign_in(page, demo_url)
    found, texts = {}, 0
    for path in PHONE_PAGES:
        assert page.goto(f"{demo_url}{path}").status == 200, path
        facts = page.evaluate(PHONE_FACTS)
        texts += facts["texts"]
        found[path] = (facts["width"], facts["smallest"])
    page.close()
    too_wide = {path: width for path, (width, _) in found.items() if width > 390}
    too_small = {path: size for path, (_, size) in found.items() if size is not None and size < 11}
    assert too_wide == {} and too_small == {}
    assert texts > 100  # the indicator pages' charts were measured, not missed
