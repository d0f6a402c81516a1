"""Commands about the workspace itself: ``init``, ``serve``, ``demo``, ``status`` and ``manage``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Annotated, Any

import typer
from rich.table import Table

from backbone.cli.common import WorkspaceOption, console, errors, migrate_database, setup_django
from backbone.warehouse.workspace import WORKSPACE_ENV, workspace_dir

WORKER_STOP_SECONDS = 10


def init(workspace: WorkspaceOption = None) -> None:
    """Create the workspace and its database, or bring an existing one up to date.

    Example: [bold]backbone init --workspace /srv/riverton[/bold]
    """
    setup_django(workspace)
    migrate_database()
    console.print(f"Workspace ready: [bold]{workspace_dir()}[/bold]")


def serve(
    workspace: WorkspaceOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    threads: Annotated[int, typer.Option(help="Worker threads.")] = 4,
    worker: Annotated[
        bool, typer.Option(help="Start `backbone worker` beside the server to load uploads.")
    ] = True,
) -> None:
    """Serve the web app with waitress (a production WSGI server), and start the worker that
    loads web uploads (`--no-worker` when `backbone worker` runs elsewhere).

    Example: [bold]backbone serve --host 0.0.0.0 --port 8080[/bold]
    """
    setup_django(workspace)
    from backbone.status import database_status

    if not database_status()["migrated"]:  # every page would fail on a missing table
        errors.print(
            "The workspace's database is not set up: run [bold]backbone init[/bold] first."
        )
        raise typer.Exit(code=1)
    run_server(host, port, threads, worker)


def run_server(host: str, port: int, threads: int, worker: bool = True) -> None:
    import threading

    import waitress

    from backbone.config.wsgi import application

    threading.Thread(target=warm_scorecard, name="warm-scorecard", daemon=True).start()
    # SIGTERM (a service manager stopping the server) unwinds like Ctrl+C, so the worker stops too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with background_worker() if worker else nullcontext():
        console.print(f"Serving backbone on [bold]http://{host}:{port}/[/bold] (Ctrl+C to stop)")
        waitress.serve(application, host=host, port=port, threads=threads, _quiet=True)


@contextmanager
def background_worker() -> Iterator[None]:
    """Run `backbone worker` in its own process while the block runs."""
    env = {**os.environ, WORKSPACE_ENV: str(workspace_dir())}
    process = subprocess.Popen([sys.executable, "-m", "backbone", "worker"], env=env)
    try:
        yield
    finally:
        process.terminate()  # the worker finishes the job it is on, within its limits
        try:
            process.wait(timeout=WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()


def worker(
    workspace: WorkspaceOption = None,
    batch: Annotated[
        bool, typer.Option("--batch", help="Load what is queued, then exit (for cron or tests).")
    ] = False,
    interval: Annotated[float, typer.Option(help="Seconds between looks at the queue.")] = 1.0,
) -> None:
    """Load the files uploaded through the web pages, one at a time, each in a child process
    with a time and memory limit (BACKBONE_JOB_SECONDS, BACKBONE_JOB_MEMORY_MB).

    `backbone serve` starts one; run it yourself with `serve --no-worker`, e.g. as a service of
    its own on the same machine.
    Example: [bold]backbone worker --workspace /srv/riverton[/bold]
    """
    setup_django(workspace)
    from django.core.management import call_command

    from backbone.intake.services import recover_interrupted

    migrate_database()
    recover_interrupted()  # loads whose process died with the last worker
    call_command(
        "db_worker", batch=batch, interval=interval, reload=False, startup_delay=False,
        verbosity=0,
    )  # fmt: skip


def warm_scorecard() -> None:
    """Draw the latest release's charts while the server starts, so the first readers do not
    wait for them; a failure here only means they are drawn on request."""
    import logging

    from backbone.scorecard.models import Release
    from backbone.scorecard.publishing import warm

    try:
        made = Release.objects.first()
        if made is not None:
            warm(made)
    except Exception:  # warming is an optimisation, never a reason to stop serving
        logging.getLogger(__name__).warning("could not warm the scorecard", exc_info=True)


def demo(
    workspace: WorkspaceOption = None,
    build_only: Annotated[bool, typer.Option("--build-only", help="Build, then exit.")] = False,
    students: Annotated[
        int, typer.Option(help="Size of the synthetic city (0: registry only).")
    ] = 20_000,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Build the fictional Riverton partnership and its synthetic city in the workspace, load
    every partner's files through the real importers, and serve it.

    Example: [bold]backbone demo --build-only --students 2000 --workspace /tmp/riverton[/bold]
    """
    setup_django(workspace, demo=True)
    from backbone.demo import services as demo_services

    migrate_database()
    with demo_progress() as show:
        built = demo_services.build_demo(students, progress=show)
    console.print(
        f"Demo partnership built in [bold]{workspace_dir()}[/bold]: {built.summary}", soft_wrap=True
    )
    if built.city:
        print_city_load(built.city)
    table = Table("user", "password", "can", title="Demo logins")
    for login in built.logins:
        table.add_row(login.username, login.password, login.description)
    console.print(table)
    if not build_only:
        run_server(host, port, threads=4)


@contextmanager
def demo_progress() -> Iterator[Callable[[str, int, int], None]]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("Building the demo partnership", total=None)

        def show(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage[:60], completed=done, total=total or None)

        yield show


def print_city_load(city: Any) -> None:
    console.print(
        f"Synthetic city: {city.files} partner files — {city.loaded} loaded ({city.rows:,} rows), "
        f"{city.already_loaded} already loaded, {len(city.rejected)} rejected.",
        soft_wrap=True,
    )
    for path in city.rejected:
        errors.print(f"[red]rejected:[/red] {path} (see backbone status and the submission pages)")
    if city.linkage:
        run = city.linkage
        console.print(
            f"Linked {run.records:,} records into {run.persons:,} persons "
            f"({run.linked_across_sources:,} at more than one partner).",
            soft_wrap=True,
        )
    if city.compute:
        console.print(
            f"Computed {city.compute.indicators} indicators ({city.compute.results:,} results)."
        )


def status(
    workspace: WorkspaceOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Say what the workspace holds: registry counts and agreements about to expire.

    Example: [bold]backbone status --json[/bold]
    """
    setup_django(workspace)
    from backbone.status import workspace_status

    report = workspace_status()
    if as_json:
        console.print_json(json.dumps(report))
        return
    print_status(report)


def print_status(report: dict[str, Any]) -> None:
    console.print(f"Workspace [bold]{report['workspace']}[/bold] ({report['database']['vendor']})")
    print_wide_modes(report["workspace"], report["wide_modes"])
    if not report["database"]["migrated"]:
        console.print("[yellow]The database is not set up yet: run `backbone init`.[/yellow]")
        return
    table = Table("registry", "count")
    for kind, count in report["registry"].items():
        table.add_row(kind.replace("_", " "), str(count))
    console.print(table)
    tables = Table("warehouse table", "rows", "submissions")
    for name, info in report["warehouse"].items():
        if info["rows"]:
            tables.add_row(name, f"{info['rows']:,}", str(len(info["submissions"])))
    if tables.row_count:
        console.print(tables)
    for agreement in report["expiring_agreements"]:
        console.print(
            f"[yellow]Expires in {agreement['days_left']} days:[/yellow] "
            f"{agreement['title']} (ends {agreement['end']})"
        )


def print_wide_modes(workspace: str, wide: dict[str, Any]) -> None:
    """Warn when others than the owner may read anything in the workspace."""
    if not wide["count"]:
        return
    errors.print(
        f"[yellow]Warning: {wide['count']} files or folders in the workspace can be read by "
        f"others than their owner; it holds person-level data. Fix with: chmod -R go-rwx "
        f"{workspace}[/yellow]",
        soft_wrap=True,
    )
    for line in wide["examples"]:
        errors.print(f"  {line}", soft_wrap=True)


def manage(ctx: typer.Context, workspace: WorkspaceOption = None) -> None:
    """Run a Django management command in the workspace, e.g. createsuperuser.

    Example: [bold]backbone manage createsuperuser[/bold]
    """
    setup_django(workspace)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["backbone manage", *ctx.args])
