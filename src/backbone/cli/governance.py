"""``backbone audit``, ``roles`` and ``agreements``: the log, the roles and agreements' data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from backbone.cli.common import WorkspaceOption, console, errors, migrate_database, setup_django

audit_app = typer.Typer(help="The tamper-evident audit log (docs/governance.md).")
agreements_app = typer.Typer(help="Data-sharing agreements and their data (docs/agreements.md).")
roles_app = typer.Typer(help="Roles and their permission groups (docs/permissions.md).")


@audit_app.command("verify")
def audit_verify(
    file: Annotated[
        Path | None,
        typer.Argument(help="An export to verify instead of the database.", dir_okay=False),
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Verify the audit log's hash chain, event by event; exit 1 naming the first broken event.

    Example: [bold]backbone audit verify[/bold] or [bold]backbone audit verify audit.csv[/bold]
    """
    setup_django(workspace)
    migrate_database()
    from backbone.governance.services import verify_chain, verify_file

    result = verify_file(file) if file else verify_chain()
    if result.broken:
        errors.print(
            f"[red]Broken at #{result.broken.sequence}[/red]: {result.broken.reason}. "
            f"Events up to #{result.through} verify.",
            soft_wrap=True,
        )
        raise typer.Exit(code=1)
    console.print(
        f"Verified through #{result.through} ({result.entries:,} events); head {result.head}"
    )


@audit_app.command("export")
def audit_export(
    file: Annotated[Path, typer.Argument(help="The CSV file to write.", dir_okay=False)],
    workspace: WorkspaceOption = None,
) -> None:
    """Write the whole audit log to FILE as CSV, oldest first, with each event's hashes.

    The export is itself recorded in the log (and in the file). Example:
    [bold]backbone audit export audit-2026.csv[/bold]
    """
    setup_django(workspace)
    migrate_database()
    from backbone.governance.services import export_file

    console.print(f"Wrote {export_file(file):,} events to {file}.")


@roles_app.command("sync")
def roles_sync(workspace: WorkspaceOption = None) -> None:
    """Create or update one group per role with exactly the role's permissions.

    Runs after every migrate too; run it to repair groups edited by hand. Changes are audited.
    Example: [bold]backbone roles sync[/bold]
    """
    setup_django(workspace)
    migrate_database()
    from backbone.governance.services import RoleProblem, sync_roles

    try:
        synced = sync_roles()
    except RoleProblem as problem:
        errors.print(f"[red]Roles not synced:[/red] {problem}", soft_wrap=True, markup=True)
        raise typer.Exit(code=1) from None
    table = Table("role", "group", "permissions", "changed", title="Roles")
    for done in synced:
        change = ("created; " if done.created else "") + _permission_changes(done)
        table.add_row(done.role.code, done.role.label, str(len(done.role.permissions)), change)
    console.print(table)


def _permission_changes(done: Any) -> str:
    parts = [f"+{name}" for name in done.added] + [f"-{name}" for name in done.removed]
    return ", ".join(parts) or "unchanged"


@agreements_app.command("enforce")
def agreements_enforce(
    today: Annotated[
        str | None,
        typer.Option(help="Act as on this day (YYYY-MM-DD) instead of today.", show_default=False),
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Flag the data of ended data-sharing agreements; destroy it at their destruction deadline.

    Destruction removes the rows from the warehouse and the archived files, certifies it and
    records it in the audit log. Safe to run daily. Example:
    [bold]backbone agreements enforce[/bold]
    """
    import datetime as dt

    try:
        on = dt.date.fromisoformat(today) if today else None
    except ValueError:
        errors.print(f"--today {today!r} is not a date like 2026-06-30.", soft_wrap=True)
        raise typer.Exit(code=2) from None
    setup_django(workspace)
    migrate_database()
    from backbone.intake.destruction import enforce_agreements

    done = enforce_agreements(on)
    for slug, count in done.flagged.items():
        console.print(f"{slug}: ended; {count} submission(s) flagged for destruction.")
    for c in done.certificates:
        console.print(
            f"{c.agreement.slug}: destroyed {len(c.submission_ids)} submission(s), "
            f"{c.total_rows:,} rows, {c.files_removed} file(s); certificate {c.pk}.",
            soft_wrap=True,
        )
    if not done.flagged and not done.certificates:
        console.print("Nothing to do: no agreement ended or reached its destruction deadline.")
