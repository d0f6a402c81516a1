"""Which records an agreement that needs consent lets the partnership use (docs/agreements.md,
"Consent").

Under a data-sharing agreement with ``needs_consent`` set, a record is used — linked, reviewed,
counted — only while its person's consent is **in force**: signed, not revoked, not expired, and
given for that agreement (or for none in particular). Under an agreement whose legal basis is a
posted privacy notice (HMIS), the notice stands as the consent: every record is used until the
person's refusal or revocation is on file.

Plain data in, plain data out: the caller reads the consents and loads from the registry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

# Legal bases under which a posted notice is the consent and only a refusal takes a record out
# (HMIS privacy notice: 69 FR 45888 §4.2, "inferred consent" for the uses the notice lists).
PRESUMED_BASES = frozenset({"hmis_privacy_notice"})


@dataclass(frozen=True)
class ConsentOnFile:
    """One consent as the registry holds it: whose (``partner`` and the partner's ``local_id``),
    for which agreement (``None``: any of the partner's), and its dates."""

    partner: str
    local_id: str
    agreement: int | None
    signed_on: dt.date
    revoked_on: dt.date | None = None
    expires_on: dt.date | None = None

    def covers(self, partner: str, agreement: int) -> bool:
        return self.partner == partner and self.agreement in (None, agreement)

    def in_force(self, on: dt.date) -> bool:
        """Signed by ``on``, and neither revoked nor lapsed by then.

        >>> c = ConsentOnFile("shelter", "S1", None, dt.date(2025, 1, 1), dt.date(2025, 6, 1))
        >>> [c.in_force(dt.date(2024, 12, 31)), c.in_force(dt.date(2025, 5, 31)),
        ...  c.in_force(dt.date(2025, 6, 1))]
        [False, True, False]
        """
        return (
            self.signed_on <= on
            and not self.withdrawn(on)
            and (self.expires_on is None or on < self.expires_on)
        )

    def withdrawn(self, on: dt.date) -> bool:
        """Revoked (or refused, when recorded revoked on its signing day) by ``on``."""
        return self.revoked_on is not None and self.revoked_on <= on


@dataclass(frozen=True)
class GatedLoad:
    """A submission loaded under an agreement that needs consent: ``presumed`` when that
    agreement's legal basis makes a notice the consent (``PRESUMED_BASES``)."""

    submission_id: int
    partner: str
    agreement: int
    presumed: bool


def listed_people(load: GatedLoad, consents: Iterable[ConsentOnFile], on: dt.date) -> set[str]:
    """The local ids of ``load`` that the consents on file single out on ``on``: those with a
    consent in force (the only ones used), or, when consent is ``presumed``, those who refused
    or revoked (the only ones left out). A person with several consents is used while any one
    is in force.

    >>> load = GatedLoad(7, "shelter", 1, presumed=False)
    >>> on_file = [ConsentOnFile("shelter", "S1", 1, dt.date(2025, 1, 1)),
    ...            ConsentOnFile("shelter", "S2", 2, dt.date(2025, 1, 1))]
    >>> sorted(listed_people(load, on_file, dt.date(2025, 3, 1)))  # S2 consented to another DSA
    ['S1']
    """
    mine = [c for c in consents if c.covers(load.partner, load.agreement)]
    in_force = {c.local_id for c in mine if c.in_force(on)}
    if not load.presumed:
        return in_force
    return {c.local_id for c in mine if c.withdrawn(on)} - in_force
