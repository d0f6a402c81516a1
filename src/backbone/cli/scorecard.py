"""``backbone publish`` and ``check-disclosure``: the public scorecard written and checked."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from backbone.cli.common import WorkspaceOption, console, errors, migrate_database, setup_django
from backbone.warehouse.workspace import open_to_readers


def publish(
    out: Annotated[Path, typer.Argument(help="Folder to write the static site into.")],
    workspace: WorkspaceOption = None,
    release: Annotated[
        int | None, typer.Option("--release", help="Publish this release again (its number).")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Write into a non-empty folder publish did not make.")
    ] = False,
    base_url: Annotated[
        str, typer.Option(help="Where the site will be served, for the widgets' embed code.")
    ] = "",
) -> None:
    """Write the public scorecard as a static site (HTML, SVG charts, CSV and JSON, the annual
    report PDF) that works from any file server or straight from disk.

    Makes a new release first unless the latest one is current. Example:
    [bold]backbone publish site/[/bold]
    """
    setup_django(workspace)
    migrate_database()
    from backbone.scorecard import publishing
    from backbone.scorecard import services as scorecard

    chosen = _release_to_publish(release)
    with _spinner("Writing the static site") as show:
        try:
            files = publishing.publish_site(
                chosen, out, force=force, base_url=base_url, progress=show
            )
        except publishing.OutputNotEmpty as problem:
            errors.print(f"[red]{problem}[/red]", soft_wrap=True)
            raise typer.Exit(1) from problem
        except publishing.AuditRejected as rejected:
            show_findings(rejected.findings)
            errors.print(f"[red]Not published: {rejected}.[/red]", soft_wrap=True)
            raise typer.Exit(1) from rejected
    open_to_readers(out)  # public by design; the workspace's private umask would hide it
    counts = scorecard.release_summary(chosen)
    console.print(
        f"Published release {chosen.pk} to [bold]{out}[/bold]: {len(files)} files; "
        f"{counts['cells']:,} cells, {counts['primary']:,} suppressed, "
        f"{counts['complementary']:,} complementary, {counts['coded']:,} coded, "
        f"{counts['not_available']:,} not yet available.",
        soft_wrap=True,
    )


def _release_to_publish(number: int | None) -> Any:
    from backbone.scorecard import services as scorecard
    from backbone.scorecard.models import Release

    if number is not None:
        chosen = Release.objects.filter(pk=number).first()
        if chosen is None:
            errors.print(f"[red]No release {number}.[/red]")
            raise typer.Exit(1)
        return chosen
    current = scorecard.current_release()
    if current is not None:
        return current
    with _spinner("Protecting the results") as show:
        return scorecard.release(progress=show)


@contextmanager
def _spinner(title: str) -> Iterator[Callable[[str], None]]:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = [SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(title, total=None)
        yield lambda step: bar.update(task, description=f"{title}: {step}"[:70])


def check_disclosure(
    directory: Annotated[
        Path, typer.Argument(help="A folder written by `backbone publish`.", file_okay=False)
    ],
) -> None:
    """Work out what a reader of a whole published export can learn; exit 1 if a small count
    can be narrowed to fewer than four values.

    Reads only the published files (data/results.csv, partitions.json, dimensions.json), so it
    checks a release independently of the code that protected it (docs/disclosure.md).
    Example: [bold]backbone check-disclosure site/[/bold]
    """
    from backbone.disclosure.check import check_export
    from backbone.disclosure.export import ExportError

    try:
        report = check_export(directory)
    except ExportError as error:
        errors.print(f"[red]Cannot check {directory}:[/red] {error}", soft_wrap=True)
        raise typer.Exit(code=2) from None
    for note in report.notes:
        errors.print(f"[yellow]Note:[/yellow] {note}", soft_wrap=True)
    if not report.findings:
        console.print(
            f"{report.cells_checked:,} cells checked in {report.seconds:.1f} s: no small count "
            "can be narrowed to fewer than four values."
        )
        return
    show_findings(report.findings)
    console.print(f"[red]{len(report.findings)} small count(s) can be narrowed.[/red]")
    raise typer.Exit(code=1)


def show_findings(findings: Any) -> None:
    """The findings of an audit as a table: which cell, which count, the values it can take."""
    table = Table(title="Small counts a reader can narrow")
    for column in FINDING_COLUMNS:
        table.add_column(column, overflow="fold")
    for found in findings:
        table.add_row(*(str(getattr(found, column)) for column in FINDING_COLUMNS))
    console.print(table)


FINDING_COLUMNS = ("indicator", "period", "dimension", "group", "quantity", "values", "how")
