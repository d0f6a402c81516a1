"""The data-sharing agreement record as plain data: what a signed one must state, and where it is
in its life (active, ended, due for destruction).

``Terms`` is what enforcement needs of one agreement; the Django layer builds it from the model
(``services.terms_of``) and the rules below never touch the database, so the tests state them
with literal dates.

>>> terms = Terms("district-dsa", kind="dsa", status="signed", discloser="district",
...               end=dt.date(2025, 6, 30), destruction_deadline=dt.date(2025, 12, 31))
>>> has_ended(terms, dt.date(2025, 7, 1)), destruction_due(terms, dt.date(2025, 7, 1))
(True, False)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

DSA = "dsa"
ACTIVE = "signed"
ENDED_STATUSES = frozenset({"ended", "expired", "destroyed"})
# Statuses at which an agreement is in force or has been: it must then state its full terms.
SIGNED_STATUSES = frozenset({ACTIVE}) | ENDED_STATUSES


@dataclass(frozen=True)
class Terms:
    """What enforcement needs to know of one agreement.

    ``elements`` maps a contract name to the fields the agreement lets the discloser send for
    it; an empty set means every field of the contract.
    """

    slug: str
    kind: str = DSA
    status: str = ACTIVE
    discloser: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    destruction_deadline: dt.date | None = None
    needs_consent: bool = False
    elements: Mapping[str, frozenset[str]] = field(default_factory=dict)
    id: int = 0  # the database row, when the terms came from one


def has_ended(terms: Terms, today: dt.date) -> bool:
    """Ended by its status (terminated, expired, destroyed) or because its term is over."""
    return terms.status in ENDED_STATUSES or (terms.end is not None and terms.end < today)


def destruction_due(terms: Terms, today: dt.date) -> bool:
    """Whether the data the agreement admitted must be destroyed by now: on its deadline day
    or later. The deadline binds even if someone extended the term without moving it."""
    return terms.destruction_deadline is not None and terms.destruction_deadline <= today


def ended_on(terms: Terms, today: dt.date) -> dt.date:
    """The day an ended agreement ended: its end date, or ``today`` when it was ended early."""
    return min(terms.end, today) if terms.end else today


def term_problems(
    kind: str,
    status: str,
    discloser: str | None,
    legal_basis: str | None,
    end: dt.date | None,
    destruction_deadline: dt.date | None,
) -> dict[str, str]:
    """What a data-sharing agreement lacks, by field: empty when complete.

    Drafts and agreements under review may be incomplete. From signing on, FERPA's written
    agreements must state who discloses, under which exception, for how long, and when the data
    is destroyed (34 CFR 99.31(a)(6), 99.35; standards.md §5.1).

    >>> term_problems("dsa", "signed", "district", "studies", dt.date(2026, 6, 30), None)
    {'destruction_deadline': 'a signed data-sharing agreement needs a destruction deadline'}
    """
    problems: dict[str, str] = {}
    if end and destruction_deadline and destruction_deadline < end:
        problems["destruction_deadline"] = (
            f"the destruction deadline {destruction_deadline} is before the end {end}"
        )
    if kind != DSA or status not in SIGNED_STATUSES:
        return problems
    required = {
        "discloser": discloser,
        "legal_basis": legal_basis,
        "end": end,
        "destruction_deadline": destruction_deadline,
    }
    for name, value in required.items():
        if not value:
            label = name.replace("_", " ")
            problems[name] = f"a signed data-sharing agreement needs {_article(label)} {label}"
    return problems


def _article(label: str) -> str:
    return "an" if label[0] in "aeiou" else "a"
