"""Summaries of the partnership registry for its pages and ``backbone status``.

The registry is read from and written to ``partnership.yaml`` by ``backbone.governance.registry``,
which also knows the agreements the file holds.
"""

from __future__ import annotations

from backbone.partnership import models as m
from backbone.partnership import vocabulary as vocab


def registry_counts() -> dict[str, int]:
    """How many of each kind of entry the registry holds."""
    return {
        "partners": m.Partner.objects.count(),
        "people": m.Person.objects.count(),
        "governance_bodies": m.GovernanceBody.objects.count(),
        "memberships": m.Membership.objects.count(),
        "roles": m.RoleAssignment.objects.count(),
        "shared_outcomes": m.SharedOutcome.objects.count(),
    }


def partners_by_sector() -> list[tuple[str, list[m.Partner]]]:
    """Each sector's label with its partners (a partner appears under each of its sectors)."""
    partners = list(m.Partner.objects.all())
    grouped = [(label, [p for p in partners if code in p.sectors]) for code, label in vocab.SECTORS]
    return [(label, members) for label, members in grouped if members]
