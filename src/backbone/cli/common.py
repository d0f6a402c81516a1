"""What every ``backbone`` command shares: the consoles, the workspace option and Django setup.

Heavy modules (Django, the warehouse engines, Splink) are imported inside the commands, so
``backbone --help`` starts fast; nothing here imports them at module level.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from backbone.governance.actor import act_from_command_line
from backbone.warehouse.workspace import WORKSPACE_ENV, keep_private

console = Console()
errors = Console(stderr=True)

WorkspaceOption = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace directory (default: $BACKBONE_WORKSPACE or ./backbone-data).",
        show_default=False,
    ),
]


class LinkEngine(StrEnum):
    """Where Splink runs for ``backbone link``, and where ``backbone compute`` computes."""

    duckdb = "duckdb"
    spark = "spark"


def setup_django(workspace: Path | None = None, *, demo: bool = False) -> None:
    """Point Django at ``workspace`` and configure it. The demo serves plain HTTP, so its
    cookies are not HTTPS-only; DEBUG stays off, as for ``serve`` (a debug 404 page lists every
    URL and a debug 500 page the settings). From here on every file the command creates is
    private (0600, folders 0700)."""
    keep_private()
    if workspace is not None:
        os.environ[WORKSPACE_ENV] = str(workspace.resolve())
    if demo:
        os.environ.setdefault("BACKBONE_SECURE_COOKIES", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backbone.config.settings")
    import django

    django.setup()
    act_from_command_line()  # the audit log names changes made here cli:<os user>


def migrate_database(verbose: bool = False) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if verbose else 0)


def reader(username: str | None) -> Any:
    """The user whose view is printed: the named one, or an anonymous (public) reader."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser

    if username is None:
        return AnonymousUser()
    found = get_user_model().objects.filter(username=username, is_active=True).first()
    if found is None:
        errors.print(f"No active user {username!r}.")
        raise typer.Exit(2)
    return found


@contextmanager
def refusing_bad_file(file: Path) -> Iterator[None]:
    """Turn a ``RegistryFileError`` raised inside into the imports' one refusal: the file named,
    every problem on its own unwrapped line (so it can be searched and clicked), exit code 1."""
    from backbone.governance.registry_file import RegistryFileError

    try:
        yield
    except RegistryFileError as error:
        errors.print(
            f"[red]Refused {file}[/red]: nothing was changed.", highlight=False, soft_wrap=True
        )
        for problem in error.problems:
            errors.print(problem.describe(str(file)), highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(code=1) from None
