"""Parts that apps above the registry add to its pages, so the registry need not know them.

The registry's home and partner pages show what the partnership is; the apps built on it add
what they keep about it (the governance app: the agreements) by naming a template and a function
giving its context. A page includes each part's template in the slot the part names. A part
made ``for_user`` is given the signed-in user too, so it can show only what that user may see.

They also add what needs attention on the home page: a count per item, each shown only to users
holding the permission of the page it links to.

>>> add_part(PagePart("home", "sections", "governance/home_agreements.html", lambda _: {}))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PAGES = ("home", "partner")
SLOTS = ("overview", "stats", "notices", "sections")


@dataclass(frozen=True)
class PagePart:
    """One addition to a registry page: ``context`` is given the page's object (the partner, or
    ``None`` on the home page), and the user when ``for_user``, and returns what ``template``
    needs."""

    page: str
    slot: str
    template: str
    context: Callable[..., dict[str, Any]] = field(compare=False)
    for_user: bool = False

    def __post_init__(self) -> None:
        if self.page not in PAGES or self.slot not in SLOTS:
            raise ValueError(f"no slot {self.slot!r} on page {self.page!r}: pages {PAGES}, {SLOTS}")


PARTS: list[PagePart] = []


def add_part(part: PagePart) -> None:
    """Add ``part`` to its page once (apps may be readied more than once in tests)."""
    if part not in PARTS:
        PARTS.append(part)


def parts_of(
    page: str, obj: Any = None, user: Any = None
) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """The templates per slot of ``page``, in the order added, and their context together."""
    templates: dict[str, list[str]] = {slot: [] for slot in SLOTS}
    context: dict[str, Any] = {}
    for part in PARTS:
        if part.page == page:
            templates[part.slot].append(part.template)
            context.update(part.context(obj, user) if part.for_user else part.context(obj))
    return templates, context


# What needs attention ------------------------------------------------------------------------


@dataclass(frozen=True)
class Attention:
    """One kind of thing waiting on the home page: ``count(user, today)`` how many, ``url`` the
    name of the page that lists them, shown only to users holding one of ``permissions`` (those
    of that page); ``label`` follows a count other than one, ``singular`` a count of one.

    >>> late = Attention("late", "files late", ("intake.submit_data",), "intake:calendar",
    ...                  lambda user, today: 3, singular="file late")
    >>> late.count(None, None), late.label_for(1), late.label_for(0)
    (3, 'file late', 'files late')
    """

    code: str
    label: str
    permissions: tuple[str, ...]
    url: str
    count: Callable[[Any, Any], int] = field(compare=False)
    singular: str = ""

    def label_for(self, count: int) -> str:
        return self.singular if count == 1 and self.singular else self.label


ATTENTION: list[Attention] = []


def add_attention(item: Attention) -> None:
    """Add ``item`` to the home page's list once; a code names one item only."""
    if all(known.code != item.code for known in ATTENTION):
        ATTENTION.append(item)


@dataclass(frozen=True)
class Waiting:
    """An attention item counted for one user."""

    code: str
    label: str
    url: str
    count: int


def attention_for(user: Any, today: Any) -> list[Waiting]:
    """The items ``user`` may open, each with its count (zeros included: "none waiting" is news
    too), in the order the apps added them."""
    counted = [
        (item, item.count(user, today))
        for item in ATTENTION
        if any(user.has_perm(name) for name in item.permissions)
    ]
    return [Waiting(item.code, item.label_for(n), item.url, n) for item, n in counted]
