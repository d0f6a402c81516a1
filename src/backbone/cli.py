"""The ``backbone`` command: one command set for everything the web app does.

Each command parses its options, configures Django for the chosen workspace, calls one service
function and prints the result. ``docs/cli.md`` documents every command with an example.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from backbone.governance.actor import act_from_command_line
from backbone.warehouse.workspace import WORKSPACE_ENV, workspace_dir

if TYPE_CHECKING:
    from backbone.warehouse.engines import Engine

app = typer.Typer(
    help="backbone: the system for a cross-sector partnership's backbone organization.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
partnership_app = typer.Typer(help="Export and import the registry as partnership.yaml.")
app.add_typer(partnership_app, name="partnership")
link_app = typer.Typer(help="Link people across partners' records.", invoke_without_command=True)
app.add_typer(link_app, name="link")
indicators_app = typer.Typer(help="The partnership's indicators.")
app.add_typer(indicators_app, name="indicators")
audit_app = typer.Typer(help="The tamper-evident audit log (docs/governance.md).")
app.add_typer(audit_app, name="audit")
agreements_app = typer.Typer(help="Data-sharing agreements and their data (docs/agreements.md).")
app.add_typer(agreements_app, name="agreements")
roles_app = typer.Typer(help="Roles and their permission groups (docs/permissions.md).")
app.add_typer(roles_app, name="roles")

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


def setup_django(workspace: Path | None = None, *, demo: bool = False) -> None:
    """Point Django at ``workspace`` and configure it; the demo runs with DEBUG on over HTTP."""
    if workspace is not None:
        os.environ[WORKSPACE_ENV] = str(workspace.resolve())
    if demo:
        os.environ.setdefault("BACKBONE_DEBUG", "1")
        os.environ.setdefault("BACKBONE_SECURE_COOKIES", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backbone.config.settings")
    import django

    django.setup()
    act_from_command_line()  # the audit log names changes made here cli:<os user>


def migrate_database(verbose: bool = False) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if verbose else 0)


@app.command()
def init(workspace: WorkspaceOption = None) -> None:
    """Create the workspace and its database, or bring an existing one up to date.

    Example: [bold]backbone init --workspace /srv/riverton[/bold]
    """
    setup_django(workspace)
    migrate_database()
    console.print(f"Workspace ready: [bold]{workspace_dir()}[/bold]")


@app.command()
def serve(
    workspace: WorkspaceOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    threads: Annotated[int, typer.Option(help="Worker threads.")] = 4,
) -> None:
    """Serve the web app with waitress (a production WSGI server).

    Example: [bold]backbone serve --host 0.0.0.0 --port 8080[/bold]
    """
    setup_django(workspace)
    run_server(host, port, threads)


def run_server(host: str, port: int, threads: int) -> None:
    import waitress

    from backbone.config.wsgi import application

    console.print(f"Serving backbone on [bold]http://{host}:{port}/[/bold] (Ctrl+C to stop)")
    waitress.serve(application, host=host, port=port, threads=threads, _quiet=True)


@app.command()
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


@app.command()
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


@partnership_app.command("export")
def partnership_export(
    file: Annotated[Path, typer.Argument(help="The YAML file to write.")],
    workspace: WorkspaceOption = None,
) -> None:
    """Write the whole registry to FILE, signed documents to documents/ beside it.

    Example: [bold]backbone partnership export riverton.yaml[/bold]
    """
    setup_django(workspace)
    from backbone.partnership.services import export_registry_file

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
    from backbone.partnership.registry_file import RegistryFileError
    from backbone.partnership.services import import_registry_file

    try:
        summary = import_registry_file(file)
    except RegistryFileError as error:
        errors.print(
            f"[red]Refused {file}[/red]: nothing was changed.", highlight=False, soft_wrap=True
        )
        for problem in error.problems:
            errors.print(problem.describe(str(file)), highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(code=1) from None
    console.print(f"Imported {file}: {summary.describe()}")


@app.command()
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
    row and field, and the exit status is 1. Sending a loaded file again changes nothing.
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
    rejected = [path for path in paths if not ingest_one(path, found, contract, period)]
    if rejected:
        raise typer.Exit(code=1)


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


class LinkEngine(StrEnum):
    """Where Splink runs for ``backbone link files``."""

    duckdb = "duckdb"
    spark = "spark"


@link_app.callback()
def link(
    ctx: typer.Context,
    workspace: WorkspaceOption = None,
    retrain: Annotated[
        bool, typer.Option(help="Train a new model instead of reusing the last one.")
    ] = False,
    engine: Annotated[
        LinkEngine, typer.Option(help="Where Splink runs: the same settings and model on either.")
    ] = LinkEngine.duckdb,
) -> None:
    """Link every identity record in the workspace into persons and publish the crosswalk.

    Reuses the last run's model (so new submissions are scored against existing persons), keeps
    each person's key when their links did not change, and queues uncertain pairs for review.
    Example: [bold]backbone link[/bold]
    """
    if ctx.invoked_subcommand is not None:
        return
    setup_django(workspace)
    migrate_database()
    from backbone.identity.services import run_linkage

    with console.status("Linking…") as status:
        run = run_linkage(
            retrain=retrain,
            progress=lambda message: status.update(message),
            engine=engine.value,
        )
    console.print(
        f"Linked {run.records:,} records into {run.persons:,} persons "
        f"({run.linked_across_sources:,} at more than one partner); "
        f"{run.keys_kept:,} kept their key, {run.keys_new:,} new; "
        f"{run.queued_for_review:,} pairs wait for review. Model {run.model_version}.",
        soft_wrap=True,
    )


@link_app.command("files")
def link_files_command(
    files: Annotated[
        list[Path], typer.Argument(help="One file to deduplicate, or two to link.", exists=True)
    ],
    id_column: Annotated[str, typer.Option("--id", help="The column holding each record's id.")],
    labels: Annotated[
        Path | None, typer.Option(help="CSV of true pairs (two id columns) to score against.")
    ] = None,
    threshold: Annotated[float, typer.Option(help="Match probability to link at.")] = 0.5,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full report as JSON.")] = False,
    engine: Annotated[
        LinkEngine, typer.Option(help="Run Splink on DuckDB, or on a local Spark (needs Java).")
    ] = LinkEngine.duckdb,
) -> None:
    """Link two CSV files, or deduplicate one, with the same engine as the workspace.

    Columns are recognised by name (given_name, surname, date_of_birth, soc_sec_id, postcode…).
    With --labels, prints precision, recall and F1 per threshold.
    Example: [bold]backbone link files a.csv b.csv --id rec_id --labels links.csv[/bold]
    """
    from backbone.identity.linkage import link_files

    if len(files) > 2:
        errors.print("Give one file to deduplicate or two to link.")
        raise typer.Exit(code=2)
    with console.status("Training and linking…"), link_engine(engine) as on:
        report = link_files(list(files), id_column, labels=labels, threshold=threshold, engine=on)
    data = report.to_dict()
    if as_json:
        console.print_json(json.dumps(data, default=str))
        return
    print_link_report(data)


@contextmanager
def link_engine(name: LinkEngine) -> Iterator[Engine]:
    """The engine ``--engine`` names: an in-memory DuckDB, or Spark on a local session."""
    if name == LinkEngine.spark:
        from backbone.warehouse.engines.spark_engine import SparkEngine, spark_session

        with spark_session() as session:
            yield SparkEngine(session)
        return
    from backbone.warehouse.engines import DuckDBEngine

    engine = DuckDBEngine()
    try:
        yield engine
    finally:
        engine.close()


def print_link_report(data: dict[str, Any]) -> None:
    console.print(
        f"{data['mode']}: {data['records']} records, {data['linked_pairs']} linked pairs at "
        f"p ≥ {data['threshold']:g}; model {data['model']['version']}",
        soft_wrap=True,
    )
    if data["metrics"]:
        table = Table("threshold", "precision", "recall", "F1", title="Against the labels")
        for row in data["metrics"]:
            scores = (f"{row[key]:.4f}" for key in ("precision", "recall", "f1"))
            table.add_row(f"{row['threshold']:g}", *scores)
        console.print(table)
    if data["clustered"]:
        final = data["clustered"]
        console.print(
            f"After clustering: precision {final['precision']:.4f}, recall {final['recall']:.4f}, "
            f"F1 {final['f1']:.4f}"
        )


@link_app.command("encoded")
def link_encoded_command(
    file_a: Annotated[Path, typer.Argument(help="One partner's encoded file.", exists=True)],
    file_b: Annotated[Path, typer.Argument(help="The other partner's.", exists=True)],
    threshold: Annotated[float, typer.Option(help="Dice similarity to link at.")] = 0.8,
    labels: Annotated[
        Path | None,
        typer.Option(help="CSV of true pairs (an id of A, then of B) to score against."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Where to write the pairs (default: A-B-links.csv).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Link two files made by [bold]backbone encode[/bold], without seeing any identifier.

    Compares every pair by Dice similarity in DuckDB and keeps each record's best match
    (one-to-one). Files encoded under different schemas are refused.
    Example: [bold]backbone link encoded schools.clk housing.clk --output links.csv[/bold]
    """
    from backbone.identity.dice import link_encoded_files, write_links
    from backbone.identity.encoding import EncodingError

    target = output or Path(f"{file_a.stem}-{file_b.stem}-links.csv")
    try:
        with console.status("Comparing encodings…"):
            run = link_encoded_files(file_a, file_b, threshold, labels)
    except EncodingError as error:
        errors.print(str(error), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=1) from None
    write_links(target, run.links)
    if as_json:
        console.print_json(json.dumps({**run.to_dict(), "output": str(target)}))
        return
    print_encoded_linkage(run.to_dict(), target)


def print_encoded_linkage(data: dict[str, Any], target: Path) -> None:
    records = data["records"]
    console.print(
        f"Linked {records['a']:,} × {records['b']:,} records: {data['linked_pairs']:,} pairs at "
        f"Dice ≥ {data['threshold']:g} ({data['candidates']:,} candidates) in "
        f"{data['seconds']:.1f} s; written to {target}.",
        soft_wrap=True,
    )
    if data["metrics"]:
        metrics = data["metrics"]
        table = Table("precision", "recall", "F1", "true pairs", title="Against the labels")
        scores = (f"{metrics[key]:.4f}" for key in ("precision", "recall", "f1"))
        table.add_row(*scores, f"{metrics['actual']:,}")
        console.print(table)


def read_linkage_secret(secret_file: Path | None) -> str:
    """The shared secret from its file, else from $BACKBONE_LINKAGE_SECRET; never an argument."""
    if secret_file is not None:
        return secret_file.read_text(encoding="utf-8").strip()
    secret = os.environ.get("BACKBONE_LINKAGE_SECRET", "").strip()
    if not secret:
        errors.print("Give the shared secret with --secret-file FILE or $BACKBONE_LINKAGE_SECRET.")
        raise typer.Exit(code=2)
    return secret


def parse_column_map(pairs: list[str]) -> dict[str, str]:
    """``["given_name=first"]`` → ``{"given_name": "first"}``."""
    malformed = [pair for pair in pairs if "=" not in pair]
    if malformed:
        errors.print(f"--column takes FIELD=COLUMN, got {', '.join(malformed)}")
        raise typer.Exit(code=2)
    return dict(pair.split("=", 1) for pair in pairs)


@contextmanager
def encode_progress(total: int) -> Iterator[Callable[[int], None]]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    columns = [BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("Encoding", total=total)
        yield lambda done: bar.update(task, completed=done)


@app.command()
def encode(
    source: Annotated[Path, typer.Argument(help="The partner's CSV file.", exists=True)],
    id_column: Annotated[str, typer.Option("--id", help="The column holding each record's id.")],
    secret_file: Annotated[
        Path | None,
        typer.Option(help="File holding the shared secret (else $BACKBONE_LINKAGE_SECRET)."),
    ] = None,
    schema: Annotated[
        Path | None,
        typer.Option(help="Encoding schema JSON (default: names, birth date, address)."),
    ] = None,
    output: Annotated[Path | None, typer.Option(help="Encoded file (default: INPUT.clk).")] = None,
    column: Annotated[
        list[str] | None, typer.Option(help="FIELD=COLUMN where the file's column differs.")
    ] = None,
) -> None:
    """Turn a CSV's identifiers into keyed Bloom-filter encodings, on the partner's machine.

    The output holds only each record's id and its encoding; send it to the backbone and keep
    the secret. Needs no workspace. See docs/privacy-preserving-linkage.md.
    Example: [bold]backbone encode students.csv --id student_id --secret-file secret.txt[/bold]
    """
    from backbone.identity.encoded_files import count_rows, encode_file
    from backbone.identity.encoding import EncodingError, EncodingSchema

    target = output or source.with_suffix(".clk")
    if target.resolve() == source.resolve():
        errors.print(f"The output would overwrite {source}; give --output.")
        raise typer.Exit(code=2)
    try:
        encoding = EncodingSchema.load(schema) if schema else EncodingSchema.default()
        secret, columns = read_linkage_secret(secret_file), parse_column_map(column or [])
        with encode_progress(count_rows(source)) as show:
            report = encode_file(source, target, secret, id_column, encoding, columns, show)
    except (EncodingError, ValueError) as error:  # ValueError: a schema file that is not JSON
        errors.print(f"{error}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=1) from None
    missing = ", ".join(f"{name} {n:,}" for name, n in report.missing.items() if n) or "none"
    console.print(
        f"Encoded {report.records:,} records into {target} ({report.output_bits} bits, schema "
        f"{report.fingerprint[:12]}) in {report.seconds:.1f} s. Empty fields: {missing}; "
        f"{report.empty_records:,} record(s) with no identifier cannot link.",
        soft_wrap=True,
    )


@indicators_app.command("library")
def indicators_library(workspace: WorkspaceOption = None) -> None:
    """Install or update the standard library of indicators (docs/indicators.md).

    Definitions that changed get a new version; indicators edited under another slug are left
    alone. Example: [bold]backbone indicators library[/bold]
    """
    setup_django(workspace)
    migrate_database()
    from backbone.indicators.services import install_standard_library

    installed = install_standard_library()
    table = Table("indicator", "outcome", "version", title="Standard library")
    for indicator in installed:
        table.add_row(indicator.name, str(indicator.outcome or "—"), str(indicator.version))
    console.print(table)


@app.command()
def compute(
    workspace: WorkspaceOption = None,
    engine: Annotated[
        LinkEngine, typer.Option(help="Where the indicators are computed.")
    ] = LinkEngine.duckdb,
    indicator: Annotated[
        list[str] | None, typer.Option(help="Compute only this indicator (slug); repeatable.")
    ] = None,
) -> None:
    """Compute every active indicator for every period, overall and by group, from the warehouse.

    Results are stored with their lineage: the definition version, the submissions read and the
    linkage model. Example: [bold]backbone compute[/bold]
    """
    setup_django(workspace)
    migrate_database()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from backbone.indicators.models import Indicator
    from backbone.indicators.services import compute as compute_indicators

    total = Indicator.objects.filter(active=True).count() if not indicator else len(indicator)
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(f"Computing on {engine.value}", total=total)
        run = compute_indicators(
            engine.value,
            indicator or (),
            progress=lambda done: bar.update(task, advance=1, description=done.name),
        )
    console.print(
        f"Computed {run.indicators} indicators: {run.results:,} results from "
        f"{len(run.submissions)} submissions"
        + (f", linkage model {run.linkage_model}" if run.linkage_model else "")
        + ".",
        soft_wrap=True,
    )


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
    from backbone.intake.services import enforce_agreements

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


@app.command()
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
    from backbone.scorecard import services as scorecard

    chosen = _release_to_publish(release)
    with _spinner("Writing the static site") as show:
        try:
            files = scorecard.publish_site(
                chosen, out, force=force, base_url=base_url, progress=show
            )
        except scorecard.OutputNotEmpty as problem:
            errors.print(f"[red]{problem}[/red]", soft_wrap=True)
            raise typer.Exit(1) from problem
    counts = scorecard.release_summary(chosen)
    console.print(
        f"Published release {chosen.pk} to [bold]{out}[/bold]: {len(files)} files; "
        f"{counts['cells']:,} cells, {counts['primary']:,} suppressed, "
        f"{counts['complementary']:,} complementary, {counts['coded']:,} coded.",
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


@app.command("check-disclosure")
def check_disclosure(
    directory: Annotated[
        Path, typer.Argument(help="A folder written by `backbone publish`.", file_okay=False)
    ],
) -> None:
    """Re-derive what a reader can recover from a published export; exit 1 if anything is small.

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
            f"{report.cells_checked:,} cells checked, nothing under the threshold is recoverable."
        )
        return
    table = Table(title="Recoverable small figures")
    for column in FINDING_COLUMNS:
        table.add_column(column, overflow="fold")
    for found in report.findings:
        table.add_row(*(str(getattr(found, column)) for column in FINDING_COLUMNS))
    console.print(table)
    console.print(f"[red]{len(report.findings)} small figure(s) can be recovered.[/red]")
    raise typer.Exit(code=1)


FINDING_COLUMNS = ("indicator", "period", "dimension", "group", "quantity", "value", "how")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context, workspace: WorkspaceOption = None) -> None:
    """Run a Django management command in the workspace, e.g. createsuperuser.

    Example: [bold]backbone manage createsuperuser[/bold]
    """
    setup_django(workspace)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["backbone manage", *ctx.args])


if __name__ == "__main__":  # pragma: no cover
    app()
