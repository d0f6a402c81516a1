"""``backbone workforce``: import workforce.yaml, and print each sector partnership's teeth
check and its employers' commitments against their actuals."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from backbone.cli.common import (
    WorkspaceOption,
    console,
    errors,
    migrate_database,
    reader,
    refusing_bad_file,
    setup_django,
)

workforce_app = typer.Typer(help="Sector partnerships: workforce.yaml, the teeth check, actuals.")


@workforce_app.command("import")
def workforce_import(
    file: Annotated[
        Path, typer.Argument(help="The YAML file to read.", exists=True, dir_okay=False)
    ],
    workspace: WorkspaceOption = None,
) -> None:
    """Validate FILE, then create or replace its sector partnerships (by slug).

    Example: [bold]backbone workforce import workforce.yaml[/bold]
    """
    setup_django(workspace)
    migrate_database()
    from backbone.workforce.registry import import_workforce_file

    with refusing_bad_file(file):
        summary = import_workforce_file(file)
    console.print(f"Imported {file}: {summary}.")


@workforce_app.command("status")
def workforce_status(
    partnership: Annotated[
        str | None, typer.Argument(help="One sector partnership (slug); all when left out.")
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(help="See the counts as this user may (exact counts need the right)."),
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Print each sector partnership's teeth check (every feature with its verdict and why)
    and each commitment against its actual, overall and per program year. Counts are
    protected as on the public scorecard unless --user names a user with exact rights.

    Example: [bold]backbone workforce status healthcare-career-pathway[/bold]
    """
    setup_django(workspace)
    migrate_database()
    from backbone.workforce.services import overview

    cards = overview(reader(user), charts=False)["partnerships"]
    chosen = [c for c in cards if partnership in (None, c["partnership"].slug)]
    if not chosen:
        errors.print(f"No sector partnership {partnership!r}.", highlight=False, markup=False)
        raise typer.Exit(code=1)
    for card in chosen:
        console.print(_teeth(card), _commitments(card))


def _teeth(card: dict[str, Any]) -> Table:
    verdict = "has teeth" if card["passes"] else "fails the teeth check"
    table = Table("feature", "verdict", "why", title=f"{card['partnership'].name}: {verdict}")
    for f in card["teeth"]:
        table.add_row(f.feature, "pass" if f.passed else "fail", f.reason)
    return table


def _commitments(card: dict[str, Any]) -> Table:
    table = Table("employer", "commitment", "period", "target", "actual", "status")
    for e in card["employers"]:
        for c, t in zip(e["commitments"], e["trends"], strict=True):
            what = c["commitment"].text or c["commitment"].kind
            table.add_row(e["partner"].slug, what, "all", c["target"], c["actual"], c["status"])
            for y in t["years"]:
                table.add_row("", "", y.year, y.target, y.actual, y.status)
    return table
