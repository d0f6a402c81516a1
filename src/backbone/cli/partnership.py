"""``backbone partnership``: the registry exported to and imported from partnership.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from backbone.cli.common import (
    WorkspaceOption,
    console,
    migrate_database,
    refusing_bad_file,
    setup_django,
)

partnership_app = typer.Typer(help="Export and import the registry as partnership.yaml.")


@partnership_app.command("export")
def partnership_export(
    file: Annotated[Path, typer.Argument(help="The YAML file to write.")],
    workspace: WorkspaceOption = None,
) -> None:
    """Write the whole registry to FILE, signed documents to documents/ beside it.

    Example: [bold]backbone partnership export riverton.yaml[/bold]
    """
    setup_django(workspace)
    from backbone.governance.registry import export_registry_file

    registry = export_registry_file(file)
    console.print(
        f"Wrote {file}: {len(registry.partners)} partners, {len(registry.people)} people, "
        f"{len(registry.bodies)} bodies, {len(registry.agreements)} agreements."
    )


@partnership_app.command("import")
def partnership_import(
    file: Annotated[
        Path, typer.Argument(help="The YAML file to read.", exists=True, dir_okay=False)
    ],
    workspace: WorkspaceOption = None,
) -> None:
    """Validate FILE completely, then create or update the registry from it.

    Nothing is written when any problem is found; each problem is listed with its line and field.
    Example: [bold]backbone partnership import riverton.yaml[/bold]
    """
    setup_django(workspace)
    migrate_database()
    from backbone.governance.registry import import_registry_file

    with refusing_bad_file(file):
        summary = import_registry_file(file)
    console.print(f"Imported {file}: {summary.describe()}")
