"""Between ``networks.yaml`` and the database: every reference checked, then one transaction.

Entries are matched by what names them — a network's charter by the network, an action by its
title, a PDSA cycle by its change idea and place in the series, a barrier by its title — so
importing the same file again changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from backbone.improvement import networks_file as nf
from backbone.improvement.models import (
    NETWORK_KIND,
    ActionItem,
    Charter,
    Measure,
    PdsaCycle,
    PolicyBarrier,
)
from backbone.partnership.models import GovernanceBody, Partner, Person


def import_networks_file(path: Path) -> int:
    """Validate ``path`` completely, then write it; how many networks it holds."""
    parsed = nf.parse_networks(path.read_text(encoding="utf-8"), path.name)
    problems = reference_problems(parsed)
    if problems:
        raise nf.NetworksFileError(problems, path.name)
    apply_networks(parsed)
    return len(parsed.networks)


def reference_problems(parsed: nf.NetworksFile) -> list[tuple[str, str]]:
    """Every network, person and partner the file names that the registry does not hold."""
    networks = set(GovernanceBody.objects.filter(kind=NETWORK_KIND).values_list("slug", flat=True))
    people = set(Person.objects.values_list("slug", flat=True))
    partners = set(Partner.objects.values_list("slug", flat=True))
    found = []
    for i, entry in enumerate(parsed.networks):
        where = f"networks[{i}]"
        if entry.network not in networks:
            found.append((f"{where}.network", f"no action network {entry.network!r}"))
        owners = [(f"actions[{j}]", a.owner) for j, a in enumerate(entry.actions)]
        owners += [
            (f"pdsa[{j}].cycles[{k}]", c.owner)
            for j, s in enumerate(entry.pdsa)
            for k, c in enumerate(s.cycles)
            if c.owner
        ]
        found += [
            (f"{where}.{at}.owner", f"no person {s!r}") for at, s in owners if s not in people
        ]
        found += [
            (f"{where}.barriers[{j}].partner", f"no partner {b.partner!r}")
            for j, b in enumerate(entry.barriers)
            if b.partner and b.partner not in partners
        ]
    return found


@transaction.atomic
def apply_networks(parsed: nf.NetworksFile) -> None:
    """Write every network's charter, actions, PDSA cycles and barriers."""
    for entry in parsed.networks:
        body = GovernanceBody.objects.get(slug=entry.network, kind=NETWORK_KIND)
        if entry.charter:
            _apply_charter(body, entry.charter)
        for action in entry.actions:
            ActionItem.objects.update_or_create(
                body=body, title=action.title,
                defaults={"owner": Person.objects.get(slug=action.owner), "due": action.due,
                          "status": action.status},
            )  # fmt: skip
        for series in entry.pdsa:
            _apply_series(body, series)
        for barrier in entry.barriers:
            _apply_barrier(body, barrier)


def _person(slug: str | None) -> Person | None:
    return Person.objects.get(slug=slug) if slug else None


def _apply_charter(body: GovernanceBody, entry: nf.CharterEntry) -> None:
    assert entry.target is not None  # the file's validation refuses a charter without one
    charter, _ = Charter.objects.update_or_create(
        body=body,
        defaults={
            "aim": entry.aim, "indicator": entry.indicator, "dimension": entry.dimension,
            "group": entry.group, "baseline_value": entry.baseline.value,
            "baseline_period": entry.baseline.period, "target_value": entry.target.value,
            "target_date": entry.target.date,
        },
    )  # fmt: skip
    for measure in entry.measures:
        Measure.objects.update_or_create(
            charter=charter, kind=measure.kind, indicator=measure.indicator,
            defaults={"definition": measure.definition},
        )  # fmt: skip


def _apply_series(body: GovernanceBody, series: nf.SeriesEntry) -> None:
    for number, cycle in enumerate(series.cycles, start=1):
        values = cycle.model_dump(exclude={"owner", "measure"})
        values["owner"] = _person(cycle.owner)
        values["measure"] = Measure.objects.filter(
            charter__body=body, indicator=cycle.measure
        ).first()
        PdsaCycle.objects.update_or_create(
            body=body, change_idea=series.change_idea, number=number, defaults=values
        )


def _apply_barrier(body: GovernanceBody, entry: nf.BarrierEntry) -> None:
    partner = Partner.objects.get(slug=entry.partner) if entry.partner else None
    PolicyBarrier.objects.update_or_create(
        raised_by_body=body, title=entry.title,
        defaults={"description": entry.description, "level": entry.level,
                  "status": entry.status, "raised_by_partner": partner,
                  "raised_on": entry.raised_on, "advocacy": "\n".join(entry.advocacy)},
    )  # fmt: skip
