"""Parts that apps above the registry add to its pages, so the registry need not know them.

The registry's home and partner pages show what the partnership is; the apps built on it add
what they keep about it (the governance app: the agreements) by naming a template and a function
giving its context. A page includes each part's template in the slot the part names.

>>> add_part(PagePart("home", "sections", "governance/home_agreements.html", lambda _: {}))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PAGES = ("home", "partner")
SLOTS = ("stats", "notices", "sections")


@dataclass(frozen=True)
class PagePart:
    """One addition to a registry page: ``context`` is given the page's object (the partner, or
    ``None`` on the home page) and returns what ``template`` needs."""

    page: str
    slot: str
    template: str
    context: Callable[[Any], dict[str, Any]] = field(compare=False)

    def __post_init__(self) -> None:
        if self.page not in PAGES or self.slot not in SLOTS:
            raise ValueError(f"no slot {self.slot!r} on page {self.page!r}: pages {PAGES}, {SLOTS}")


PARTS: list[PagePart] = []


def add_part(part: PagePart) -> None:
    """Add ``part`` to its page once (apps may be readied more than once in tests)."""
    if part not in PARTS:
        PARTS.append(part)


def parts_of(page: str, obj: Any = None) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """The templates per slot of ``page``, in the order added, and their context together."""
    templates: dict[str, list[str]] = {slot: [] for slot in SLOTS}
    context: dict[str, Any] = {}
    for part in PARTS:
        if part.page == page:
            templates[part.slot].append(part.template)
            context.update(part.context(obj))
    return templates, context
