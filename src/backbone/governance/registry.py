"""Between the ``partnership.yaml`` file and the database: the registry and its agreements.

``import_registry_file`` validates the whole file first (``registry_file.parse_registry``) and then
writes it in one transaction, so a refused file leaves the database as it was.
``export_registry_file`` writes the canonical YAML plus the signed documents beside it.
The file holds the partnership registry and the agreements between its partners, so it is read
and written here, in the lowest layer that knows both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.core.files import File
from django.db import models, transaction

from backbone.governance import models as gm
from backbone.governance import registry_file as rf
from backbone.partnership import models as m

DOCUMENTS_DIR = "documents"
M = TypeVar("M", bound=models.Model)


@dataclass
class ImportSummary:
    """What an import created and updated, per kind of entry."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        target = self.created if created else self.updated
        target[kind] = target.get(kind, 0) + 1

    def describe(self) -> str:
        kinds = sorted(set(self.created) | set(self.updated))
        parts = [
            f"{kind}: {self.created.get(kind, 0)} new, {self.updated.get(kind, 0)} updated"
            for kind in kinds
        ]
        return "; ".join(parts) or "nothing to import"


# --- import ---------------------------------------------------------------------------------


def import_registry_file(path: Path) -> ImportSummary:
    """Validate ``path`` completely, then write it; raise ``RegistryFileError`` when refused."""
    registry = rf.parse_registry(path.read_text(encoding="utf-8"), path.name, path.parent)
    return apply_registry(registry, path.parent)


@transaction.atomic
def apply_registry(registry: rf.RegistryFile, base_dir: Path | None = None) -> ImportSummary:
    """Create or update every entry of ``registry`` by slug, in one transaction.

    Entries absent from the file are kept; a body's members, an agreement's parties and the list of
    partnership roles are replaced by the file's, since they have no identity of their own.
    """
    summary = ImportSummary()
    _apply_partnership(registry.partnership)
    goals = {
        g.slug: _upsert(summary, m.SectorGoal, g.slug, sector=g.sector, statement=g.statement)
        for g in registry.sector_goals
    }
    outcomes = {o.slug: _apply_outcome(summary, o, goals) for o in registry.shared_outcomes}
    partners = {p.slug: _apply_partner(summary, p) for p in registry.partners}
    people = {p.slug: _apply_person(summary, p, partners) for p in registry.people}
    bodies = {b.slug: _apply_body(summary, b, outcomes) for b in registry.bodies}
    for body in registry.bodies:
        _apply_members(body, bodies, people, partners)
    _apply_roles(registry.roles, people, partners)
    for agreement in registry.agreements:
        _apply_agreement(summary, agreement, partners, base_dir)
    return summary


def _upsert(summary: ImportSummary, model: type[M], slug: str, **values: Any) -> M:
    obj, created = model._default_manager.update_or_create(slug=slug, defaults=values)
    summary.count(str(model._meta.verbose_name_plural), created)
    return obj


def _hourly(partnership: m.Partnership | None) -> float | None:
    if partnership is None or partnership.living_wage_hourly is None:
        return None
    return float(partnership.living_wage_hourly)


def _apply_partnership(info: rf.PartnershipInfo) -> None:
    partnership = m.Partnership.objects.first() or m.Partnership()
    partnership.name, partnership.place, partnership.description = (
        info.name,
        info.place,
        info.description,
    )
    partnership.living_wage_hourly = info.living_wage_hourly
    partnership.save()


def _apply_outcome(
    summary: ImportSummary, outcome: rf.SharedOutcome, goals: dict
) -> m.SharedOutcome:  # type: ignore[type-arg]
    obj = _upsert(
        summary, m.SharedOutcome, outcome.slug, name=outcome.name, statement=outcome.statement
    )
    obj.sector_goals.set([goals[slug] for slug in outcome.sector_goals])
    return obj


def _apply_partner(summary: ImportSummary, partner: rf.Partner) -> m.Partner:
    return _upsert(
        summary,
        m.Partner,
        partner.slug,
        name=partner.name,
        partner_type=partner.type,
        sectors=list(partner.sectors),
        description=partner.description,
        website=partner.website,
        contact_name=partner.contact.name,
        contact_email=partner.contact.email,
        contact_phone=partner.contact.phone,
    )


def _apply_person(
    summary: ImportSummary, person: rf.Person, partners: dict[str, m.Partner]
) -> m.Person:
    return _upsert(
        summary,
        m.Person,
        person.slug,
        name=person.name,
        title=person.title,
        email=person.email,
        phone=person.phone,
        partner=partners.get(person.partner) if person.partner else None,
    )


def _apply_body(
    summary: ImportSummary, body: rf.Body, outcomes: dict[str, m.SharedOutcome]
) -> m.GovernanceBody:
    obj = _upsert(
        summary,
        m.GovernanceBody,
        body.slug,
        name=body.name,
        kind=body.kind,
        purpose=body.purpose,
        meeting_cadence=body.meeting_cadence,
    )
    obj.outcomes.set([outcomes[slug] for slug in body.outcomes])
    return obj


def _apply_members(
    body: rf.Body,
    bodies: dict[str, m.GovernanceBody],
    people: dict[str, m.Person],
    partners: dict[str, m.Partner],
) -> None:
    obj = bodies[body.slug]
    obj.reports_to = bodies.get(body.reports_to) if body.reports_to else None
    obj.save(update_fields=["reports_to"])
    obj.memberships.all().delete()
    m.Membership.objects.bulk_create(
        m.Membership(
            body=obj,
            person=people[member.person],
            role=member.role,
            representing=partners[member.representing] if member.representing else None,
            start=member.start,
            end=member.end,
        )
        for member in body.members
    )


def _apply_roles(
    roles: list[rf.RoleAssignment], people: dict[str, m.Person], partners: dict[str, m.Partner]
) -> None:
    m.RoleAssignment.objects.all().delete()
    m.RoleAssignment.objects.bulk_create(
        m.RoleAssignment(
            role=role.role,
            notes=role.notes,
            start=role.start,
            end=role.end,
            person=people[role.person] if role.person else None,
            partner=partners[role.partner] if role.partner else None,
        )
        for role in roles
    )


def _apply_agreement(
    summary: ImportSummary,
    agreement: rf.Agreement,
    partners: dict[str, m.Partner],
    base_dir: Path | None,
) -> None:
    obj = _upsert(
        summary,
        gm.Agreement,
        agreement.slug,
        title=agreement.title,
        kind=agreement.kind,
        status=agreement.status,
        aims=agreement.aims,
        signed_on=agreement.signed_on,
        start=agreement.start,
        end=agreement.end,
        **_dsa_values(agreement, partners),
    )
    obj.parties.all().delete()
    gm.AgreementParty.objects.bulk_create(
        gm.AgreementParty(
            agreement=obj, partner=partners[p.partner], roles=p.roles, commitments=p.commitments
        )
        for p in agreement.parties
    )
    _apply_elements(obj, agreement.data_elements)
    if agreement.document and base_dir is not None:
        _store_document(obj, base_dir / agreement.document)


def _apply_elements(agreement: gm.Agreement, elements: list[rf.DataElement]) -> None:
    """Make the agreement's data elements the file's, saving one by one so each change is
    audited (and an unchanged element records nothing)."""
    listed = {e.contract: sorted(set(e.fields)) for e in elements}
    agreement.data_elements.exclude(contract__in=listed).delete()
    for contract, fields in listed.items():
        agreement.data_elements.update_or_create(contract=contract, defaults={"fields": fields})


def _dsa_values(agreement: rf.Agreement, partners: dict[str, m.Partner]) -> dict[str, Any]:
    """The model values of a data-sharing agreement's terms (blank for an MOU)."""
    return {
        "legal_basis": agreement.legal_basis or "",
        "discloser": partners[agreement.discloser] if agreement.discloser else None,
        "purpose_code": agreement.purpose_code or "",
        "purpose": agreement.purpose,
        "population": agreement.population,
        "needs_consent": agreement.needs_consent,
        "destruction_deadline": agreement.destruction.deadline,
        "destruction_method": agreement.destruction.method,
        "destruction_certified_at": agreement.destruction.certified_at,
        "security_requirements": agreement.security_requirements,
        "redisclosure_allowed": agreement.redisclosure.allowed,
        "redisclosure_conditions": agreement.redisclosure.conditions,
        "publication_min_n": agreement.publication.min_n,
        "top_code_percent": agreement.publication.top_code_percent,
        "bottom_code_percent": agreement.publication.bottom_code_percent,
    }


def _store_document(agreement: gm.Agreement, source: Path) -> None:
    """Keep the signed copy as ``agreements/<slug><suffix>``; unchanged bytes are not rewritten."""
    name = agreement.document.name
    if name and agreement.document.storage.exists(name):
        with agreement.document.open("rb") as current:
            if _sha256(current.read()) == _sha256(source.read_bytes()):
                return
        agreement.document.delete(save=False)
    with source.open("rb") as handle:
        agreement.document.save(f"{agreement.slug}{source.suffix.lower()}", File(handle), save=True)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- export ---------------------------------------------------------------------------------


def export_registry() -> rf.RegistryFile:
    """The registry as a ``RegistryFile``, every list in a stable order."""
    partnership = m.Partnership.objects.first()
    return rf.RegistryFile(
        partnership=rf.PartnershipInfo(
            name=partnership.name if partnership else "Unnamed partnership",
            place=partnership.place if partnership else "",
            description=partnership.description if partnership else "",
            living_wage_hourly=_hourly(partnership),
        ),
        sector_goals=[
            rf.SectorGoal(slug=g.slug, sector=g.sector, statement=g.statement)
            for g in m.SectorGoal.objects.order_by("slug")
        ],
        shared_outcomes=[_export_outcome(o) for o in m.SharedOutcome.objects.order_by("slug")],
        partners=[_export_partner(p) for p in m.Partner.objects.order_by("slug")],
        people=[
            _export_person(p) for p in m.Person.objects.select_related("partner").order_by("slug")
        ],
        bodies=[_export_body(b) for b in m.GovernanceBody.objects.order_by("slug")],
        roles=[_export_role(r) for r in _ordered_roles()],
        agreements=[
            _export_agreement(a)
            for a in gm.Agreement.objects.select_related("discloser").order_by("slug")
        ],
    )


def _export_outcome(outcome: m.SharedOutcome) -> rf.SharedOutcome:
    goals = sorted(outcome.sector_goals.values_list("slug", flat=True))
    return rf.SharedOutcome(
        slug=outcome.slug, name=outcome.name, statement=outcome.statement, sector_goals=goals
    )


def _export_partner(partner: m.Partner) -> rf.Partner:
    contact = rf.Contact(
        name=partner.contact_name, email=partner.contact_email, phone=partner.contact_phone
    )
    return rf.Partner(
        slug=partner.slug,
        name=partner.name,
        type=partner.partner_type,
        sectors=partner.sectors,
        description=partner.description,
        website=partner.website,
        contact=contact,
    )


def _export_person(person: m.Person) -> rf.Person:
    return rf.Person(
        slug=person.slug,
        name=person.name,
        title=person.title,
        email=person.email,
        phone=person.phone,
        partner=person.partner.slug if person.partner else None,
    )


def _export_body(body: m.GovernanceBody) -> rf.Body:
    memberships = sorted(
        body.memberships.select_related("person", "representing"),
        key=lambda ms: (ms.role_rank, ms.person.slug, ms.start or _NO_DATE),
    )
    members = [
        rf.Membership(
            person=ms.person.slug,
            role=ms.role,
            start=ms.start,
            end=ms.end,
            representing=ms.representing.slug if ms.representing else None,
        )
        for ms in memberships
    ]
    return rf.Body(
        slug=body.slug,
        name=body.name,
        kind=body.kind,
        purpose=body.purpose,
        outcomes=sorted(body.outcomes.values_list("slug", flat=True)),
        meeting_cadence=body.meeting_cadence,
        reports_to=body.reports_to.slug if body.reports_to else None,
        members=members,
    )


_NO_DATE = dt.date.min


def _ordered_roles() -> list[m.RoleAssignment]:
    roles = m.RoleAssignment.objects.select_related("person", "partner")
    return sorted(
        roles,
        key=lambda r: (
            r.role_rank,
            r.person.slug if r.person else "",
            r.partner.slug if r.partner else "",
            r.start or _NO_DATE,
        ),
    )


def _export_role(role: m.RoleAssignment) -> rf.RoleAssignment:
    return rf.RoleAssignment(
        role=role.role,
        notes=role.notes,
        start=role.start,
        end=role.end,
        person=role.person.slug if role.person else None,
        partner=role.partner.slug if role.partner else None,
    )


def _export_agreement(agreement: gm.Agreement) -> rf.Agreement:
    parties = sorted(agreement.parties.select_related("partner"), key=lambda p: p.partner.slug)
    stored = agreement.document.name
    document = f"{DOCUMENTS_DIR}/{Path(stored).name}" if stored else ""
    return rf.Agreement(
        slug=agreement.slug,
        title=agreement.title,
        kind=agreement.kind,
        status=agreement.status,
        aims=agreement.aims,
        signed_on=agreement.signed_on,
        start=agreement.start,
        end=agreement.end,
        document=document,
        parties=[
            rf.AgreementParty(partner=p.partner.slug, roles=p.roles, commitments=p.commitments)
            for p in parties
        ],
        **_export_dsa_terms(agreement),
    )


def _export_dsa_terms(agreement: gm.Agreement) -> dict[str, Any]:
    elements = agreement.data_elements.order_by("contract")
    return {
        "legal_basis": agreement.legal_basis or None,
        "discloser": agreement.discloser.slug if agreement.discloser else None,
        "purpose_code": agreement.purpose_code or None,
        "purpose": agreement.purpose,
        "population": agreement.population,
        "needs_consent": agreement.needs_consent,
        "data_elements": [
            rf.DataElement(contract=e.contract, fields=sorted(e.fields)) for e in elements
        ],
        "destruction": rf.Destruction(
            deadline=agreement.destruction_deadline,
            method=agreement.destruction_method,
            certified_at=agreement.destruction_certified_at,
        ),
        "security_requirements": agreement.security_requirements,
        "redisclosure": rf.Redisclosure(
            allowed=agreement.redisclosure_allowed, conditions=agreement.redisclosure_conditions
        ),
        "publication": rf.Publication(
            min_n=agreement.publication_min_n,
            top_code_percent=agreement.top_code_percent,
            bottom_code_percent=agreement.bottom_code_percent,
        ),
    }


def export_registry_file(path: Path) -> rf.RegistryFile:
    """Write the registry to ``path`` and each signed document to ``documents/`` beside it."""
    registry = export_registry()
    for agreement in gm.Agreement.objects.exclude(document=""):
        target = path.parent / DOCUMENTS_DIR / Path(agreement.document.name or "").name
        target.parent.mkdir(parents=True, exist_ok=True)
        with agreement.document.open("rb") as source, target.open("wb") as out:
            shutil.copyfileobj(source, out)
    path.write_text(rf.dump_registry(registry), encoding="utf-8")
    return registry
