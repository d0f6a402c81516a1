"""Between ``workforce.yaml`` and the database: import the file, replacing each named sector
partnership's roles, competencies, curricula and commitments with the file's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import yaml
from django.db import transaction

from backbone.governance.models import Agreement
from backbone.governance.registry_file import Loc, Problem, RegistryFileError, field_path, line_of
from backbone.partnership.models import Partner
from backbone.workforce import catalog
from backbone.workforce.models import (
    Competency,
    Curriculum,
    EmployerCommitment,
    JobRole,
    SectorPartnership,
)


def import_workforce_file(path: Path) -> str:
    """Create or update every sector partnership (by slug) of the file at ``path``; raise
    ``RegistryFileError`` naming every unknown partner or agreement first."""
    text = path.read_text(encoding="utf-8")
    parsed = catalog.parse_workforce(text, path.name)
    problems = list(_unknown_references(parsed))
    if problems:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        found = [Problem(line_of(root, loc), field_path(loc), m) for loc, m in problems]
        raise RegistryFileError(found, path.name)
    with transaction.atomic():
        for entry in parsed.partnerships:
            _save(entry)
    commitments = sum(len(p.commitments) for p in parsed.partnerships)
    return f"{len(parsed.partnerships)} sector partnerships, {commitments} commitments"


def _unknown_references(parsed: catalog.WorkforceFile) -> Iterator[tuple[Loc, str]]:
    partners = set(Partner.objects.values_list("slug", flat=True))
    agreements = set(Agreement.objects.values_list("slug", flat=True))
    for i, sp in enumerate(parsed.partnerships):
        named: list[tuple[Loc, str | None]] = [
            *((("employers", j), e) for j, e in enumerate(sp.employers)),
            *((("training_providers", j), e) for j, e in enumerate(sp.training_providers)),
            (("backbone", "partner"), sp.backbone.partner if sp.backbone else None),
            *((("curricula", j, "provider"), c.provider) for j, c in enumerate(sp.curricula)),
        ]
        for loc, slug in named:
            if slug is not None and slug not in partners:
                yield ("partnerships", i, *loc), f"no partner {slug!r} in the registry"
        for j, c in enumerate(sp.commitments):
            if c.agreement and c.agreement not in agreements:
                loc = ("partnerships", i, "commitments", j, "agreement")
                yield loc, f"no agreement {c.agreement!r} in the registry"


def _partner(slug: str) -> Partner:
    return Partner.objects.get(slug=slug)


def _maybe(slug: str | None) -> Partner | None:
    return _partner(slug) if slug else None


def _save(entry: catalog.SectorPartnership) -> SectorPartnership:
    backbone = entry.backbone
    partnership, _ = SectorPartnership.objects.update_or_create(
        slug=entry.slug,
        defaults={
            "name": entry.name, "sector": entry.sector, "region": entry.region,
            "target_occupations": entry.target_occupations, "programs": entry.programs,
            "ui_accounts": entry.ui_accounts,
            "backbone": _maybe(backbone.partner if backbone else None),
            "backbone_funding": backbone.funding if backbone else "none",
            "backbone_budget": backbone.annual_budget if backbone else None,
            "outcome_source": entry.outcomes.source,
            "follow_up_years": entry.outcomes.years_after_exit,
        },
    )  # fmt: skip
    partnership.employers.set(Partner.objects.filter(slug__in=entry.employers))
    partnership.training_providers.set(Partner.objects.filter(slug__in=entry.training_providers))
    for related in (partnership.commitments, partnership.curricula, partnership.job_roles,
                    partnership.competencies):  # fmt: skip
        related.all().delete()
    roles = {r.slug: _save_role(partnership, r) for r in entry.job_roles}
    skills = {c.slug: _save_competency(partnership, c) for c in entry.competencies}
    for course in entry.curricula:
        provider = _partner(course.provider)
        saved = Curriculum.objects.create(
            partnership=partnership, slug=course.slug, name=course.name, provider=provider
        )
        saved.job_roles.set([roles[r] for r in course.job_roles])
        saved.competencies.set([skills[c] for c in course.competencies])
    for promise in entry.commitments:
        _save_commitment(partnership, promise, roles)
    return partnership


def _save_role(partnership: SectorPartnership, role: catalog.JobRole) -> JobRole:
    return JobRole.objects.create(
        partnership=partnership, slug=role.slug, employer=_partner(role.employer),
        title=role.title, soc=role.soc, hourly_wage=role.hourly_wage,
        hiring_months=role.hiring_months, aliases=role.aliases)  # fmt: skip


def _save_competency(partnership: SectorPartnership, skill: catalog.Competency) -> Competency:
    return Competency.objects.create(
        partnership=partnership, slug=skill.slug, name=skill.name,
        employer=_maybe(skill.employer), validated_by=skill.validated_by,
        validated_on=skill.validated_on)  # fmt: skip


def _save_commitment(
    partnership: SectorPartnership, c: catalog.Commitment, roles: dict[str, JobRole]
) -> EmployerCommitment:
    agreement = Agreement.objects.filter(slug=c.agreement).first() if c.agreement else None
    return EmployerCommitment.objects.create(
        partnership=partnership, employer=_partner(c.employer), kind=c.kind, level=c.level,
        quantity=c.quantity, per_completer=c.per_completer, amount=c.amount, period=c.period,
        job_role=roles.get(c.job_role or ""), conversion_target=c.conversion_target,
        agreement=agreement, reporting=c.reporting, text=c.text)  # fmt: skip
