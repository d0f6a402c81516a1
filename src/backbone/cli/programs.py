"""``backbone programs``: import programs.yaml, and confirm programs found in participation data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from backbone.cli.common import (
    WorkspaceOption,
    console,
    errors,
    migrate_database,
    refusing_bad_file,
    setup_django,
)

programs_app = typer.Typer(help="The program registry: programs.yaml and participation values.")


@programs_app.command("import")
def programs_import(
    file: Annotated[
        Path, typer.Argument(help="The YAML file to read.", exists=True, dir_okay=False)
    ],
    workspace: WorkspaceOption = None,
) -> None:
    """Validate FILE, then create or update its programs and strategies (by slug).

    Example: [bold]backbone programs import programs.yaml[/bold]
    """
    setup_django(workspace)
    migrate_database()
    from backbone.programs.registry import import_programs_file

    with refusing_bad_file(file):
        summary = import_programs_file(file)
    console.print(f"Imported {file}: {summary}.")


@programs_app.command("sync")
def programs_sync(
    confirm: Annotated[
        str | None, typer.Option(help="A participation value to make a program's alias.")
    ] = None,
    slug: Annotated[str | None, typer.Option("--as", help="The program's slug.")] = None,
    partner: Annotated[
        str | None, typer.Option(help="The partner, when several sent the value.")
    ] = None,
    name: Annotated[str, typer.Option(help="A new program's name (default: the value).")] = "",
    interactive: Annotated[bool, typer.Option(help="Ask about each proposal in turn.")] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """List participation values no program matches yet; confirm one with --confirm VALUE
    --as SLUG (a new program, or another alias of an existing one). Nothing is created
    without confirmation.

    Example: [bold]backbone programs sync --confirm "Chess Club" --as chess-club[/bold]
    """
    setup_django(workspace)
    migrate_database()
    from backbone.programs.services import proposals

    found = proposals()
    if confirm is not None:
        _confirm(found, confirm, slug, partner, name)
    elif interactive:
        for proposal in found:
            _ask(proposal)
    else:
        _list(found)


def _list(found: list[dict[str, Any]]) -> None:
    if not found:
        console.print("Every participation value belongs to a program.")
    for p in found:
        console.print(
            f"{p['partner']}: {p['value']!r} — {p['participants']} participants, "
            f"{p['first_day']} to {p['last_day']}",
            highlight=False,
            markup=False,
        )


def _confirm(
    found: list[dict[str, Any]], value: str, slug: str | None, partner: str | None, name: str
) -> None:
    from backbone.programs.registry import confirm_program

    matches = [p for p in found if p["value"] == value and partner in (None, p["partner"])]
    if not slug or len(matches) != 1:
        why = "needs --as SLUG" if not slug else f"matches {len(matches)} proposals (use --partner)"
        errors.print(f"--confirm {value!r} {why}", highlight=False, markup=False)
        raise typer.Exit(code=1)
    program = confirm_program(matches[0]["partner"], value, slug, name)
    console.print(f"{value!r} is now an alias of {program.slug} ({program.name}).", markup=False)


def _ask(proposal: dict[str, Any]) -> None:
    from backbone.programs.registry import confirm_program

    _list([proposal])
    slug = typer.prompt("Program slug (empty to skip)", default="", show_default=False)
    if slug:
        program = confirm_program(proposal["partner"], proposal["value"], slug)
        console.print(f"{proposal['value']!r} is now an alias of {program.slug}.", markup=False)
