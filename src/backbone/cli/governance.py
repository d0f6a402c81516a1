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
    anchor: Annotated[
        Path | None,
        typer.Option(
            help="Anchors written by `backbone audit anchor`: the log must still reach each.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Verify the audit log's hash chain, event by event; exit 1 naming the first broken event.

    With --anchor, also exit 1 when the log no longer reaches an anchored head (its tail was cut
    off or rewritten). Example: [bold]backbone audit verify --anchor /mnt/worm/anchors.jsonl[/bold]
    or [bold]backbone audit verify audit.csv[/bold]
    """
    setup_django(workspace)
    migrate_database()
    from backbone.governance import auditing, services

    result = services.verify_file(file) if file else auditing.verify_everything()
    if result.broken:
        errors.print(
            f"[red]Broken at #{result.broken.sequence}[/red]: {result.broken.reason}. "
            f"Events up to #{result.through} verify.",
            soft_wrap=True,
        )
        raise typer.Exit(code=1)
    if anchor:
        check_anchors(anchor, file)
    console.print(
        f"Verified through #{result.through} ({result.entries:,} events); head {result.head}"
    )


def check_anchors(anchors: Path, export: Path | None) -> None:
    from backbone.governance import auditing, chain, services

    try:
        found = chain.anchors_from_lines(anchors.read_text(encoding="utf-8").splitlines())
    except ValueError as error:
        errors.print(f"[red]{anchors}: {error}[/red]", soft_wrap=True)
        raise typer.Exit(code=2) from None
    lookup = services.file_hashes(export).get if export else auditing.hash_at
    problems = auditing.anchor_problems(found, lookup)
    for problem in problems:
        errors.print(f"[red]Anchor not reached[/red]: {problem}.", soft_wrap=True)
    if problems:
        raise typer.Exit(code=1)
    console.print(f"Every anchor in {anchors} ({len(found)}) is still reached.")


@audit_app.command("anchor")
def audit_anchor(
    output: Annotated[
        Path | None,
        typer.Option(help="Append the anchor to this file (one JSON line) instead of printing."),
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Sign the verified head of the audit log, to keep outside the workspace.

    Keep anchors where the backbone's own administrators cannot change them (another machine,
    write-once storage, a ticket); `backbone audit verify --anchor FILE` then detects a log cut
    short after them. Example: [bold]backbone audit anchor --output /mnt/worm/anchors.jsonl[/bold]
    """
    setup_django(workspace)
    migrate_database()
    from backbone.governance import auditing, chain

    try:
        made = auditing.make_anchor()
    except auditing.NothingToAnchor as problem:
        errors.print(f"[red]Nothing anchored[/red]: {problem}.", soft_wrap=True)
        raise typer.Exit(code=1) from None
    line = chain.canonical_json(made)
    if output is None:
        console.print(line, soft_wrap=True, markup=False, highlight=False)
        return
    with output.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    console.print(f"Anchored #{made['sequence']} ({made['hash'][:16]}…) in {output}.")


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
