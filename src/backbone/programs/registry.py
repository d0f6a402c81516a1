"""Between ``programs.yaml`` and the database: import the file, confirm proposed programs."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.db import transaction

from backbone.governance.registry_file import (
    Loc,
    Problem,
    RegistryFileError,
    field_path,
    line_of,
)
from backbone.partnership.models import Partner, SharedOutcome
from backbone.programs import catalog
from backbone.programs.models import Program, Strategy


def import_programs_file(path: Path) -> str:
    """Create or update every program (by slug) and strategy (by outcome and name) of the file
    at ``path``; raise ``RegistryFileError`` naming every unknown partner or outcome first."""
    text = path.read_text(encoding="utf-8")
    parsed = catalog.parse_programs(text, path.name)
    problems = _unknown_references(parsed)
    if problems:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        raise RegistryFileError(
            [Problem(line_of(root, loc), f, m) for loc, f, m in problems], path.name
        )
    with transaction.atomic():
        for entry in parsed.programs:
            _save_program(entry)
        for strategy in parsed.strategies:
            _save_strategy(strategy)
    return f"{len(parsed.programs)} programs, {len(parsed.strategies)} strategies"


Found = list[tuple[Loc, str, str]]


def _unknown_references(parsed: catalog.ProgramsFile) -> Found:
    partners = set(Partner.objects.values_list("slug", flat=True))
    outcomes = set(SharedOutcome.objects.values_list("slug", flat=True))
    found: Found = []

    def check(loc: Loc, value: str, known: set[str], what: str) -> None:
        if value not in known:
            found.append((loc, field_path(loc), f"no {what} {value!r} in the registry"))

    for i, program in enumerate(parsed.programs):
        check(("programs", i, "partner"), program.partner, partners, "partner")
        for j, outcome in enumerate(program.outcomes):
            check(("programs", i, "outcomes", j), outcome, outcomes, "shared outcome")
    for i, strategy in enumerate(parsed.strategies):
        check(("strategies", i, "outcome"), strategy.outcome, outcomes, "shared outcome")
    return found


def _save_program(entry: catalog.Program) -> Program:
    population = entry.target_population
    program, _ = Program.objects.update_or_create(
        slug=entry.slug,
        defaults={
            "partner": Partner.objects.get(slug=entry.partner),
            "name": entry.name,
            "aliases": entry.aliases,
            "service_type": entry.service_type,
            "sites": entry.sites,
            "population_tables": population.tables if population else [],
            "population_condition": population.condition if population else "",
            "min_hours": entry.dosage.hours,
            "min_sessions": entry.dosage.sessions,
            "description": entry.description,
        },
    )
    program.outcomes.set(SharedOutcome.objects.filter(slug__in=entry.outcomes))
    return program


def _save_strategy(entry: catalog.Strategy) -> Strategy:
    strategy, _ = Strategy.objects.update_or_create(
        outcome=SharedOutcome.objects.get(slug=entry.outcome),
        name=entry.name,
        defaults={"reach": entry.reach, "target_group": entry.target_group},
    )
    strategy.programs.set(Program.objects.filter(slug__in=entry.programs))
    return strategy


def confirm_program(partner: str, value: str, slug: str, name: str = "") -> Program:
    """Make the participation ``value`` of ``partner`` an alias of program ``slug``: of an
    existing program of that partner, or of a new one (named ``name``, else ``value``)."""
    owner = Partner.objects.get(slug=partner)
    program = Program.objects.filter(slug=slug).first()
    if program is None:
        program = Program(slug=slug, partner=owner, name=name or value, aliases=[])
    elif program.partner_id != owner.pk:
        raise ValueError(f"program {slug!r} is {program.partner.slug}'s, not {partner}'s")
    if value not in program.aliases:
        program.aliases = [*program.aliases, value]
    program.save()
    return program
