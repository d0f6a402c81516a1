"""Checks on rendered scorecard pages, shared by the server and static-site tests: what a reader
can see (for leaks) and the WCAG 2.1 AA structure a parser can verify."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from html.parser import HTMLParser


def visible_text(page: str) -> str:
    """The page's text as a reader (or a screen reader) gets it: tag contents, SVG titles,
    descriptions and axis labels; no attributes or path data."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def number_pattern(number: int) -> re.Pattern[str]:
    """``1288`` as a whole number in text, with or without a thousands separator."""
    forms = {str(number), f"{number:,}"}
    alternatives = "|".join(re.escape(f) for f in sorted(forms))
    return re.compile(rf"(?<![\d.,])(?:{alternatives})(?![\d]|,\d)")


def leaked(text: str, numbers: Iterable[int]) -> list[int]:
    """The numbers of ``numbers`` that appear in ``text``."""
    return sorted({n for n in numbers if number_pattern(n).search(text)})


class Structure(HTMLParser):
    """Headings, ids, labels and SVG roots of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.headings: list[int] = []
        self.ids: list[str] = []
        self.svgs: list[dict[str, str]] = []
        self.labels_for: list[str] = []
        self.controls: list[str] = []
        self.links: list[str] = []
        self.details = 0
        self.navs = 0
        self._svg_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = found.get("lang", "")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if "id" in found:
            self.ids.append(found["id"])
        if tag == "svg":
            if self._svg_depth == 0:
                self.svgs.append(found)
            self._svg_depth += 1
        if tag == "label" and "for" in found:
            self.labels_for.append(found["for"])
        if tag in {"input", "textarea", "select"}:
            self.controls.append(found.get("id", ""))
        if tag in {"a", "link"} and "href" in found:
            self.links.append(found["href"])
        if tag == "details":
            self.details += 1
        if tag == "nav":
            self.navs += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._svg_depth -= 1


def structure(page: str) -> Structure:
    parsed = Structure()
    parsed.feed(page)
    return parsed


def accessibility_problems(page: str) -> list[str]:
    """What a parser can tell about WCAG 2.1 AA on ``page``: language, one h1, no skipped
    heading level, unique ids, a skip link past any navigation, every chart an image with a
    title and description and a data table, every form control labelled."""
    found = structure(page)
    problems = []
    if found.lang != "en":
        problems.append("html has no lang")
    if found.headings[:1] != [1] or found.headings.count(1) != 1:
        problems.append(f"headings should start with one h1: {found.headings}")
    skips = [(a, b) for a, b in zip(found.headings, found.headings[1:], strict=False) if b > a + 1]
    if skips:
        problems.append(f"heading levels skipped: {skips}")
    duplicates = {i for i in found.ids if found.ids.count(i) > 1}
    if duplicates:
        problems.append(f"duplicate ids: {sorted(duplicates)}")
    if found.navs and ('href="#main"' not in page or "main" not in found.ids):
        problems.append("navigation but no skip link to #main")
    for svg in found.svgs:
        names = svg.get("aria-labelledby", "").split()
        if svg.get("role") != "img" or len(names) != 2 or not set(names) <= set(found.ids):
            problems.append(f"chart without role=img and a title and description: {svg}")
    if len(found.svgs) > found.details:
        problems.append(f"{len(found.svgs)} charts but {found.details} data tables")
    unlabelled = [c for c in found.controls if c not in found.labels_for]
    if unlabelled:
        problems.append(f"form controls without a label: {unlabelled}")
    return problems
