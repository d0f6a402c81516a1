"""Every staff and public page of the test city in a real browser (Debian's chromium through
Playwright): pages found by following links from the home pages (same origin, bounded), each
checked for group labels that are raw codes, charts without marks, and console errors."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from collections.abc import Iterator
from urllib.parse import urldefrag, urlparse

import pytest
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError

from backbone.indicators import labels
from tests.fixtures import BACKBONE, free_port, wait_for_port
from tests.test_browser import browser, sign_in  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.city]

MAX_PAGES = 400
SAME_SHAPE = 5  # pages told apart only by a number (/submissions/17/): a few of each are enough
# Not pages a reader looks at: Django's admin (it lists codes on purpose), the JSON API,
# downloads, and signing out.
SKIPPED = ("/admin/", "/api/", "/logout", "/accounts/logout")
DOWNLOADS = (".csv", ".json", ".pdf", ".zip", ".xlsx", ".png", ".svg")

# What each page reports: its links, the texts that name a group, and each chart's marks.
PAGE_FACTS = """() => {
  const text = (el) => el.textContent.replace(/\\s+/g, " ").trim();
  const groups = [];
  for (const table of document.querySelectorAll("table")) {
    const first = table.querySelector("thead th");
    if (first && text(first) === "Group") {
      table.querySelectorAll("tbody th[scope=row]").forEach((th) => groups.push(text(th)));
    }
  }
  const charts = [...document.querySelectorAll('svg[role="img"], figure.chart svg')].map((svg) => {
    svg.querySelectorAll(".role-title-text text, .role-legend-label text")
       .forEach((t) => groups.push(text(t)));
    const marks = svg.querySelectorAll(".role-mark > *").length;
    const unsized = [svg, ...svg.querySelectorAll("*")].some((el) =>
      [...el.attributes].some((a) => /NaN|Infinity|e\\+\\d{2,}/.test(a.value)));
    const name = svg.getAttribute("aria-labelledby") || text(svg.closest("figure") || svg)
      .slice(0, 60);
    return {name, marks, unsized};
  });
  const links = [...document.querySelectorAll("a[href]")].map((a) => a.href);
  return {links, groups, charts};
}"""


@pytest.fixture(scope="module")
def city_server(city, tmp_path_factory) -> Iterator[str]:
    """``backbone serve`` on the city; its log goes to a file (a pipe would fill and stall it)."""
    port = free_port()
    log = tmp_path_factory.mktemp("crawl") / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [*BACKBONE, "serve", "--port", str(port)], env=city.env, stdout=out,
            stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            wait_for_port(port, server)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait(timeout=30)


def known_labels() -> set[str]:
    """Every label the label source itself gives (some are short words, like "Other")."""
    fixed = [
        *labels.SPECIAL.values(),
        *(words for pair in labels.BOOLEANS.values() for words in pair),
        *(name for codes in labels.CODE_LISTS.values() for name in codes.values()),
    ]
    return set(fixed)


def raw_codes(texts: list[str]) -> list[str]:
    known = known_labels()
    return sorted({t for t in texts if t not in known and labels.looks_like_code(t)})


def shape(url: str) -> str:
    """The page's kind: its path with numbers as ``N``.

    >>> shape("http://x/linkage/review/17/?page=2")
    '/linkage/review/N/'
    """
    return re.sub(r"/\d+(?=/|$)", "/N", urlparse(url).path)


def wanted(url: str, origin: str) -> bool:
    parsed = urlparse(url)
    if f"{parsed.scheme}://{parsed.netloc}" != origin:
        return False
    return not parsed.path.startswith(SKIPPED) and not parsed.path.lower().endswith(DOWNLOADS)


def crawl(page: Page, origin: str, start: list[str]) -> tuple[list[str], list[str]]:
    """Visit every page reachable from ``start``; the pages visited and what was wrong.

    A page refused on purpose (403, saying why) is a page; a missing or failing one (404,
    5xx) is a problem. The page's own status is judged here, so the console line the browser
    logs for a 403 document is not counted again as a console error."""
    problems: list[str] = []
    errors: list[tuple[str, str]] = []
    page.on(
        "console",
        lambda m: errors.append((m.text, m.location.get("url", ""))) if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: errors.append((str(e), "")))
    queue, seen = list(start), set(start)
    visited: list[str] = []
    kinds: Counter[str] = Counter()
    while queue and len(visited) < MAX_PAGES:
        url = queue.pop(0)
        errors.clear()
        try:
            response = page.goto(url)
        except PlaywrightError as exc:
            if "Download is starting" in str(exc):
                continue
            problems.append(f"{url}: {exc}")
            continue
        visited.append(url)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        if response.status == 404 or response.status >= 500:
            problems.append(f"{url}: answered {response.status}")
        facts = page.evaluate(PAGE_FACTS)
        errors[:] = [(text, where) for text, where in errors if where != url]
        problems += [f"{url}: console error: {text} ({where})" for text, where in errors]
        problems += [f"{url}: group label is a raw code: {c!r}" for c in raw_codes(facts["groups"])]
        for chart in facts["charts"]:
            if chart["marks"] == 0:
                problems.append(f"{url}: chart without marks: {chart['name']}")
            if chart["unsized"]:
                problems.append(f"{url}: chart with a non-finite size or place: {chart['name']}")
        for link in facts["links"]:
            link = urldefrag(link).url
            if link not in seen and wanted(link, origin) and kinds[shape(link)] < SAME_SHAPE:
                seen.add(link)
                kinds[shape(link)] += 1
                queue.append(link)
    return visited, problems


def test_every_public_page_has_labels_charts_with_marks_and_no_console_errors(
    browser: Browser,  # noqa: F811
    city_server: str,
):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    visited, problems = crawl(context.new_page(), city_server, [f"{city_server}/scorecard/"])
    context.close()
    assert len(visited) > 20, f"only {len(visited)} public pages found"
    assert problems == [], "\n".join(problems)


def test_every_staff_page_has_labels_charts_with_marks_and_no_console_errors(
    browser: Browser,  # noqa: F811
    city_server: str,
):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, city_server, "director")
    visited, problems = crawl(page, city_server, [f"{city_server}/", f"{city_server}/indicators/"])
    context.close()
    assert len(visited) > 30, f"only {len(visited)} staff pages found"
    assert problems == [], "\n".join(problems)


def test_the_checks_catch_raw_codes_but_not_labels():
    assert raw_codes(["255901001", "false", "economicallydisadvantaged", "0"]) == [
        "0", "255901001", "economicallydisadvantaged", "false"
    ]  # fmt: skip
    assert raw_codes(["Not recorded", "PH – Rapid Re-Housing", "Other", "White"]) == []
