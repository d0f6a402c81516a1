"""The user guides served in the app (``/help/``), and no page pointing at ``docs/`` paths a
deployed user cannot open."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db

REPO_DOCS = Path(__file__).resolve().parents[2] / "docs"
TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "backbone"
DOCS_PATH = re.compile(r"docs/[\w./-]+")


def test_every_guide_is_a_help_page_with_its_own_title(client):
    index = client.get("/help/").content.decode()
    for guide in sorted(REPO_DOCS.glob("*.md")):
        assert f'href="/help/{guide.stem}/"' in index
    text = (REPO_DOCS / "permissions.md").read_text()
    title = re.search(r"^# (.+)$", text, re.M).group(1)
    page = client.get("/help/permissions/").content.decode()
    assert f"<h1>{title}</h1>" in page.replace("&amp;", "&")


def test_links_between_guides_stay_in_the_help_pages(client):
    # partnership.md links to permissions.md: the page links to the permissions help page.
    assert "](permissions.md" in (REPO_DOCS / "partnership.md").read_text()
    page = client.get("/help/partnership/").content.decode()
    assert 'href="../permissions/' in page and 'href="permissions.md' not in page


@pytest.mark.parametrize("name", ["nope", "..", "index.md", "Permissions"])
def test_anything_but_a_guides_name_is_not_found(client, name):
    assert client.get(f"/help/{name}/").status_code == 404


def test_no_template_points_at_a_docs_path():
    found = {
        str(path.relative_to(TEMPLATES)): DOCS_PATH.findall(path.read_text())
        for path in TEMPLATES.rglob("*.html")
    }
    assert {name: paths for name, paths in found.items() if paths} == {}


@pytest.mark.parametrize(
    ("url", "guide"),
    [
        ("/indicators/new/", "/help/indicators/"),
        ("/governance/audit/", "/help/governance/"),
        ("/governance/tokens/", "/help/api/"),
        ("/", None),
    ],
)
def test_pages_that_named_a_docs_path_link_to_the_guide_instead(client, url, guide):
    client.force_login(User.objects.create_superuser("root", password="a long test password"))
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert DOCS_PATH.findall(text) == []
    if guide:
        assert f'href="{guide}"' in text
