"""A signed data-sharing agreement that covers a partner's submissions: the one way tests that
load files through ``ingest`` satisfy the agreement check (docs/agreements.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from backbone.governance.models import Agreement, AgreementDataElement, AgreementParty
from backbone.partnership.models import Partner

OPEN_START = dt.date(2000, 1, 1)
FAR_END = dt.date(2099, 12, 31)


def covering_agreement(
    partner: Partner,
    *contracts: str,
    fields: dict[str, list[str]] | None = None,
    slug: str = "",
    **terms: Any,
) -> Agreement:
    """A signed DSA with ``partner`` as discloser, listing each of ``contracts`` (every field,
    unless ``fields`` names some for a contract). ``terms`` override any model field, e.g.
    ``end=dt.date(2025, 6, 30)``."""
    values: dict[str, Any] = {
        "title": f"{partner.name} data-sharing agreement",
        "kind": "dsa",
        "status": "signed",
        "legal_basis": "audit_evaluation",
        "discloser": partner,
        "start": OPEN_START,
        "end": FAR_END,
        "destruction_deadline": FAR_END + dt.timedelta(days=365),
        "destruction_method": "Secure deletion of warehouse files and archived uploads.",
        **terms,
    }
    slug = slug or f"{partner.slug}-dsa-{Agreement.objects.count() + 1}"
    agreement = Agreement.objects.create(slug=slug, **values)
    AgreementParty.objects.create(agreement=agreement, partner=partner, roles="Discloser")
    for contract in contracts:
        chosen = (fields or {}).get(contract, [])
        AgreementDataElement.objects.create(agreement=agreement, contract=contract, fields=chosen)
    return agreement
