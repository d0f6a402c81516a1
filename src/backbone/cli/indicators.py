"""``backbone indicators`` and ``backbone compute``: the partnership's indicators."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from backbone.cli.common import (
    LinkEngine,
    WorkspaceOption,
    console,
    errors,
    migrate_database,
    reader,
    setup_django,
)
from backbone.disclosure import safe_csv

indicators_app = typer.Typer(help="The partnership's indicators.")


@indicators_app.command("targets")
def indicators_targets(
    file: Annotated[
        Path | None, typer.Argument(help="targets.yaml; default: the workspace's", dir_okay=False)
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Create the baselines, targets and stories of a targets file (docs/targets.md).

    The whole file is checked first; nothing is written when anything is wrong. Stories already
    there are kept, so importing again changes nothing.
    Example: [bold]backbone indicators targets targets.yaml[/bold]
    """
    setup_django(workspace)
    migrate_database()
    from backbone.indicators.target_services import import_targets_file
    from backbone.warehouse.services import workspace as current

    path = file or current().path("targets.yaml")
    if not path.is_file():
        errors.print(f"[red]No file {path}[/red]", highlight=False)
        raise typer.Exit(code=1)
    try:
        done = import_targets_file(path, "cli")
    except ValueError as error:
        errors.print(f"[red]Refused {path}[/red]: nothing was changed.\n{error}", highlight=False)
        raise typer.Exit(code=1) from None
    for line in done:
        console.print(line, highlight=False)


@indicators_app.command("library")
def indicators_library(workspace: WorkspaceOption = None) -> None:
    """Install or update the standard library of indicators (docs/indicators.md).

    Definitions that changed get a new version; indicators edited under another slug are left
    alone. Example: [bold]backbone indicators library[/bold]
    """
    setup_django(workspace)
    migrate_database()
    from backbone.indicators.services import install_standard_library

    installed = install_standard_library()
    table = Table("indicator", "outcome", "version", title="Standard library")
    for indicator in installed:
        table.add_row(indicator.name, str(indicator.outcome or "—"), str(indicator.version))
    console.print(table)


def compute(
    workspace: WorkspaceOption = None,
    engine: Annotated[
        LinkEngine, typer.Option(help="Where the indicators are computed.")
    ] = LinkEngine.duckdb,
    indicator: Annotated[
        list[str] | None, typer.Option(help="Compute only this indicator (slug); repeatable.")
    ] = None,
) -> None:
    """Compute every active indicator for every period, overall and by group, from the warehouse.

    Results are stored with their lineage: the definition version, the submissions read and the
    linkage model. Example: [bold]backbone compute[/bold]
    """
    setup_django(workspace)
    migrate_database()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from backbone.indicators.services import compute as compute_indicators

    slugs = _computable(indicator or ())
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(f"Computing on {engine.value}", total=len(slugs))
        run = compute_indicators(
            engine.value,
            slugs,
            progress=lambda done: bar.update(task, advance=1, description=done.name),
        )
    console.print(
        f"Computed {run.indicators} indicators: {run.results:,} results from "
        f"{len(run.submissions)} submissions"
        + (f", linkage model {run.linkage_model}" if run.linkage_model else "")
        + ".",
        soft_wrap=True,
    )


def _computable(asked: Sequence[str]) -> list[str]:
    """The active indicators to compute (those ``asked`` for, or all), less those that wait for
    ``backbone link`` — named on the console. Exits when nothing is left, or on an unknown slug."""
    from backbone.indicators.models import Indicator
    from backbone.indicators.services import waiting_for_linkage

    active = list(Indicator.objects.filter(active=True).order_by("slug"))
    unknown = sorted(set(asked) - {i.slug for i in active})
    if unknown:
        errors.print(
            f"No active indicator {', '.join(unknown)} (see `backbone indicators library`)."
        )
        raise typer.Exit(2)
    chosen = [i for i in active if not asked or i.slug in asked]
    waiting = waiting_for_linkage(chosen)
    if waiting:
        console.print(
            f"[yellow]Waiting for linkage[/yellow] ({len(waiting)}): "
            + ", ".join(i.slug for i in waiting)
            + ". They join partners' records through the crosswalk: run `backbone link` first.",
            soft_wrap=True,
        )
    slugs = [i.slug for i in chosen if i not in waiting]
    if not slugs:
        errors.print(
            "Nothing to compute." if not chosen else "Nothing computable before `backbone link`."
        )
        raise typer.Exit(1)
    return slugs


class ResultFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def results(
    workspace: WorkspaceOption = None,
    indicator: Annotated[
        list[str] | None, typer.Option(help="Only this indicator (slug); repeatable.")
    ] = None,
    output: Annotated[
        ResultFormat, typer.Option("--format", help="A table, or CSV / JSON to redirect.")
    ] = ResultFormat.table,
    user: Annotated[
        str | None,
        typer.Option(help="See the results as this user may (exact values need the right)."),
    ] = None,
) -> None:
    """Print the latest computed results of every indicator (or those named).

    Without --user they are protected as the public scorecard would publish them (small groups
    withheld, with their marker). With --user, the results that user's role may see: exact
    values for a data steward or the director, and the read is recorded in the audit log.
    Example: [bold]backbone results --indicator graduation_rate_4yr --format csv > grad.csv[/bold]
    """
    setup_django(workspace)
    migrate_database()
    from backbone.indicators import services

    viewer = reader(user)
    chosen = _with_results(indicator or ())
    gated = [(i, services.gated_results(i, viewer, "command line")) for i in chosen]
    named = services.labels()
    if output is ResultFormat.json:
        print(
            json.dumps(
                [_as_json(i.slug, shown, named) for i, g in gated for shown in g.rows], indent=2
            )
        )
    elif output is ResultFormat.csv:
        writer = safe_csv.writer(sys.stdout)
        writer.writerow(["indicator", *services.CSV_COLUMNS])
        writer.writerows([i.slug, *services.csv_row(s, named)] for i, g in gated for s in g.rows)
    else:
        for indicator_, gate in gated:
            console.print(_results_table(indicator_, gate, named))


def _as_json(slug: str, shown: Any, named: Any) -> dict[str, Any]:
    """One result for ``--format json``: numbers as numbers, withheld ones null."""
    return {
        "indicator": slug, "period": shown.period, "dimension": shown.dimension,
        "group": shown.group, "group_label": named.group(shown.dimension, shown.group),
        "numerator": shown.numerator, "denominator": shown.denominator, "value": shown.value,
        "display": shown.display, "marker": shown.marker, "rule": shown.rule,
        "complete": shown.complete,
        "data_through": f"{shown.data_through:%Y-%m-%d}" if shown.data_through else None,
    }  # fmt: skip


def _with_results(asked: Sequence[str]) -> list[Any]:
    """The indicators asked for (all that have results when none are), or exit naming a slug
    that has none."""
    from backbone.indicators.models import Indicator

    computed = Indicator.objects.filter(results__isnull=False).distinct().order_by("slug")
    found = [i for i in computed if not asked or i.slug in asked]
    missing = sorted(set(asked) - {i.slug for i in found})
    if missing or not found:
        which = ", ".join(missing) if missing else "any indicator"
        errors.print(f"No computed results for {which}: run `backbone compute` first.")
        raise typer.Exit(1)
    return found


def _results_table(indicator: Any, gate: Any, named: Any) -> Table:
    view = "exact" if gate.exact else f"protected: groups under {gate.threshold} withheld"
    table = Table("period", "group", "value", "of", "note", title=f"{indicator.name} ({view})")
    overall_first = sorted(gate.rows, key=lambda s: (s.period, s.dimension != "overall"))
    for shown in overall_first:
        group = named.group(shown.dimension, shown.group)
        label = group if shown.dimension == "overall" else f"{shown.dimension}: {group}"
        size = "" if shown.denominator is None else f"{shown.denominator:,}"
        note = "not yet complete" if not shown.complete else "" if not shown.marker else shown.rule
        table.add_row(shown.period, label, shown.display, size, note)
    return table
