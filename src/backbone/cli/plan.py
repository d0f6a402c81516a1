"""``backbone plan``: the measurement plan (docs/indicators.md, "Measurement plan")."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from backbone.cli.common import WorkspaceOption, console, migrate_database, setup_django

plan_app = typer.Typer(help="The measurement plan: who feeds each indicator, and the gaps.")


@plan_app.command("export")
def plan_export(
    file: Annotated[
        Path | None, typer.Argument(help="Write here instead of to standard output.")
    ] = None,
    csv: Annotated[bool, typer.Option("--csv", help="Write CSV (the only format).")] = True,
    workspace: WorkspaceOption = None,
) -> None:
    """Export the measurement plan, one row per active indicator: the tables it reads, the
    partners and contracts that fed its last run, their schedules, the agreement covering each
    today, its breakdowns, its owner and any gaps.

    Example: [bold]backbone plan export --csv plan.csv[/bold]
    """
    setup_django(workspace)
    migrate_database()
    from backbone.indicators.services import measurement_plan, write_plan_csv

    rows = measurement_plan()
    if file is None:
        write_plan_csv(rows, sys.stdout)
        return
    with file.open("w", newline="", encoding="utf-8-sig") as handle:
        write_plan_csv(rows, handle)
    gaps = sum(1 for row in rows if row.gaps)
    console.print(f"Wrote {len(rows)} indicators to {file}; {gaps} with gaps.")
