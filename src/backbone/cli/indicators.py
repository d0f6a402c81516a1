"""``backbone indicators`` and ``backbone compute``: the partnership's indicators."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from backbone.cli.common import LinkEngine, WorkspaceOption, console, migrate_database, setup_django

indicators_app = typer.Typer(help="The partnership's indicators.")


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

    from backbone.indicators.models import Indicator
    from backbone.indicators.services import compute as compute_indicators

    total = Indicator.objects.filter(active=True).count() if not indicator else len(indicator)
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(f"Computing on {engine.value}", total=total)
        run = compute_indicators(
            engine.value,
            indicator or (),
            progress=lambda done: bar.update(task, advance=1, description=done.name),
        )
    console.print(
        f"Computed {run.indicators} indicators: {run.results:,} results from "
        f"{len(run.submissions)} submissions"
        + (f", linkage model {run.linkage_model}" if run.linkage_model else "")
        + ".",
        soft_wrap=True,
    )
