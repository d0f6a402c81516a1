"""``backbone ingest``: partners' files archived, validated and loaded into the warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from backbone.cli.common import WorkspaceOption, console, errors, migrate_database, setup_django


def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="Files, folders or zips to load.", exists=True)
    ],
    partner: Annotated[str, typer.Option(help="The submitting partner's slug.")],
    contract: Annotated[str, typer.Option(help="The data contract, e.g. ui_wages, hmis, edfi.")],
    period: Annotated[
        str, typer.Option(help="Period covered, e.g. 2024-25; replaces an earlier load of it.")
    ] = "",
    workspace: WorkspaceOption = None,
) -> None:
    """Archive each file, validate it against its contract and load it into the warehouse.

    A file is loaded whole or not at all; when it is rejected, every problem is listed with file,
    row and field, and the exit status is 1. Sending a loaded file again changes nothing. An
    Ed-Fi export's XML files given together are one submission (as their folder or zip is).
    Example: [bold]backbone ingest --partner state-ui --contract ui_wages wages-2024Q4.csv[/bold]
    """
    setup_django(workspace)
    migrate_database()
    from backbone.partnership.models import Partner

    found = Partner.objects.filter(slug=partner).first()
    if found is None:
        errors.print(
            f"No partner with slug {partner!r}: see `backbone partnership export`.", soft_wrap=True
        )
        raise typer.Exit(code=2)
    from backbone.intake import bundles

    try:
        groups = bundles.submissions(paths, contract)
    except bundles.MixedBundle as error:
        errors.print(str(error), soft_wrap=True, markup=False)
        raise typer.Exit(code=2) from None
    rejected = [group for group in groups if not ingest_group(group, found, contract, period)]
    if rejected:
        raise typer.Exit(code=1)


def ingest_group(paths: list[Path], partner: Any, contract: str, period: str) -> bool:
    """One path, or files that make one submission (an Ed-Fi export's XML files)."""
    if len(paths) == 1:
        return ingest_one(paths[0], partner, contract, period)
    from backbone.intake import bundles
    from backbone.warehouse.services import workspace

    name = f"{contract}-{len(paths)}-files"
    console.print(f"{name}: {', '.join(p.name for p in paths)} as one submission (one zip).")
    with bundles.together(paths, workspace().incoming, name) as folder:
        return ingest_one(folder, partner, contract, period)


def ingest_one(path: Path, partner: Any, contract: str, period: str) -> bool:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from backbone.intake import services

    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[rows]:,} rows"),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(f"{path.name}: reading", total=1.0, rows=0)

        def show(stage: str, rows: int, fraction: float | None) -> None:
            bar.update(
                task, description=f"{path.name}: {stage}", rows=rows, completed=fraction or 0
            )

        try:
            outcome = services.ingest(path, partner, contract, period, progress=show)
        except KeyError as error:
            errors.print(str(error.args[0]), soft_wrap=True)
            raise typer.Exit(code=2) from None
    return report_outcome(path, outcome)


def report_outcome(path: Path, outcome: Any) -> bool:
    submission = outcome.submission
    if outcome.duplicate:
        console.print(
            f"{path.name}: already loaded as submission {submission.pk} "
            f"on {submission.received_at:%Y-%m-%d}; nothing changed."
        )
        return True
    result = outcome.result
    if result.loaded:
        rows = ", ".join(f"{table} {count:,}" for table, count in result.rows.items())
        console.print(
            f"[green]{path.name}: loaded[/green] as submission {submission.pk} ({rows}); "
            f"{result.warning_count} warning(s).",
            soft_wrap=True,
        )
    else:
        errors.print(
            f"[red]{path.name}: rejected[/red] with {result.error_count} error(s); "
            "nothing was stored.",
            soft_wrap=True,
        )
    for problem in result.problems[:50]:
        (errors if problem.severity == "error" else console).print(
            problem.describe(), markup=False, highlight=False, soft_wrap=True
        )
    if len(result.problems) > 50 and submission.report_path:
        errors.print(
            f"… the full report is {submission.report_path} in the workspace.", soft_wrap=True
        )
    return bool(result.loaded)
