"""A data steward works a queue of 2,628 match pairs in a real browser (Debian's chromium through
Playwright): the home page's attention list says how many wait and leads to the queue, and the
steward pages through every pair once, the most uncertain first."""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Browser, Page, expect, sync_playwright

from backbone.governance.registry import import_registry_file
from backbone.governance.roles import role
from backbone.identity.models import LinkageRun, ReviewPair
from tests.fixtures import SMALL_REGISTRY
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WAITING = 2628  # the 20,000-student demo's backlog when the queue was first tried at scale
PAGE_SIZE = 50
PASSWORD = "a long steward password"


@pytest.fixture
def browser(monkeypatch) -> Iterator[Browser]:
    # Playwright's sync API keeps an event loop on this thread; the test's own ORM calls are
    # still synchronous, so Django is told they are safe here (Playwright's documented advice).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    assert shutil.which(CHROMIUM), f"{CHROMIUM} not found: install Debian's chromium (.ci/run does)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def backlog(tmp_path) -> list[int]:
    """2,628 pending pairs with seeded scores, and 40 decided ones that must not show; returns
    the pending pairs' ids in the order a steward should meet them, worked out here."""
    path = tmp_path / "partnership.yaml"
    path.write_text(SMALL_REGISTRY)
    import_registry_file(path)
    rng = random.Random(2628)
    run = LinkageRun.objects.create(model_version="test")
    ReviewPair.objects.bulk_create(
        ReviewPair(
            run=run, record_a=f"a{i}", record_b=f"b{i}", source_a="district", source_b="shelter",
            match_probability=round(rng.uniform(0.5, 0.95), 4),
            decision="pending" if i < WAITING else "different",
        )
        for i in range(WAITING + 40)
    )  # fmt: skip
    pending = ReviewPair.objects.filter(decision="pending").values_list("pk", "match_probability")
    return [pk for pk, p in sorted(pending, key=lambda r: (abs(r[1] - 0.5), r[0]))]


@pytest.fixture
def steward() -> str:
    user = User.objects.create_user("steward", password=PASSWORD)
    user.groups.add(Group.objects.get(name=role("data_steward").label))
    return user.username


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{url}/")


def pairs_on(page: Page) -> list[int]:
    links = page.locator("a[href^='/linkage/review/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    return [int(m.group(1)) for h in links if (m := re.fullmatch(r"/linkage/review/(\d+)/", h))]


def test_steward_pages_through_the_whole_backlog(browser, live_server, backlog, steward):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, live_server.url, steward)
    waiting = page.locator('[data-attention="review_pairs"]')
    expect(waiting).to_contain_text(str(WAITING))
    waiting.get_by_role("link").click()
    expect(page.locator("#pair-count")).to_have_text(str(WAITING))
    pages = -(-WAITING // PAGE_SIZE)
    met: list[int] = []
    for number in range(1, pages + 1):
        expect(page.get_by_text(f"Page {number} of {pages}")).to_be_visible()
        met += pairs_on(page)
        if number < pages:
            page.get_by_role("link", name="Next").click()
    expect(page.get_by_role("link", name="Next")).to_have_count(0)
    assert len(met) == WAITING and met == backlog  # every pending pair once, in the steward's order
    assert len(pairs_on(page)) == WAITING - (pages - 1) * PAGE_SIZE  # the last page: 28 pairs
