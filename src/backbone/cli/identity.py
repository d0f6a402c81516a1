"""``backbone link`` and ``backbone encode``: people linked across partners' records."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from backbone.cli.common import (
    LinkEngine,
    WorkspaceOption,
    console,
    errors,
    migrate_database,
    setup_django,
)

if TYPE_CHECKING:
    from backbone.warehouse.engines import Engine

MemoryLimitOption = Annotated[
    str | None,
    typer.Option(
        envvar="BACKBONE_DUCKDB_MEMORY_LIMIT",
        help="DuckDB's memory limit, e.g. 8GB; past it, joins and sorts spill to disk "
        "[default: 40% of the machine's memory].",
    ),
]
TempDirectoryOption = Annotated[
    Path | None,
    typer.Option(
        envvar="BACKBONE_DUCKDB_TEMP_DIRECTORY",
        help="Where DuckDB spills [default: backbone-duckdb in the system's temp folder].",
    ),
]

link_app = typer.Typer(help="Link people across partners' records.", invoke_without_command=True)


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
    memory_limit: MemoryLimitOption = None,
    temp_directory: TempDirectoryOption = None,
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
    from backbone.identity.services import NothingToLink, run_linkage
    from backbone.warehouse.engines import WarehouseError

    try:
        with console.status("Linking…") as status:
            run = run_linkage(
                retrain=retrain,
                progress=lambda message: status.update(message),
                engine=engine.value,
                memory_limit=memory_limit,
                temp_directory=str(temp_directory) if temp_directory else None,
            )
    except NothingToLink as nothing:
        (console if nothing.expected else errors).print(f"Nothing to link: {nothing}")
        raise typer.Exit(0 if nothing.expected else 1) from None
    except WarehouseError as error:  # out of memory, above all: say so in one line
        errors.print(f"Linkage stopped: {error}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
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
    memory_limit: MemoryLimitOption = None,
    temp_directory: TempDirectoryOption = None,
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
    spill = str(temp_directory) if temp_directory else None
    with console.status("Training and linking…"), link_engine(engine, memory_limit, spill) as on:
        report = link_files(list(files), id_column, labels=labels, threshold=threshold, engine=on)
    data = report.to_dict()
    if as_json:
        console.print_json(json.dumps(data, default=str))
        return
    print_link_report(data)


@contextmanager
def link_engine(
    name: LinkEngine, memory_limit: str | None = None, temp_directory: str | None = None
) -> Iterator[Engine]:
    """The engine ``--engine`` names: an in-memory DuckDB under a memory limit (see
    ``DuckDBEngine.bounded``), or Spark on a local session."""
    if name == LinkEngine.spark:
        from backbone.warehouse.engines.spark_engine import SparkEngine, spark_session

        with spark_session() as session:
            yield SparkEngine(session)
        return
    from backbone.warehouse.engines import DuckDBEngine

    engine = DuckDBEngine.bounded(memory_limit, temp_directory)
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

    Compares every pair by Dice similarity on every core and keeps each record's best match
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
