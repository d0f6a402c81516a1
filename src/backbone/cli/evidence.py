"""``backbone evidence``: import studies.yaml, run a study on the warehouse, list the studies."""

from __future__ import annotations

import json
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

evidence_app = typer.Typer(help="Studies of what works: studies.yaml, runs and their estimates.")


@evidence_app.command("import")
def evidence_import(
    file: Annotated[
        Path, typer.Argument(help="The studies.yaml file to read.", exists=True, dir_okay=False)
    ],
    workspace: WorkspaceOption = None,
) -> None:
    """Validate FILE, then create or update its studies (by slug).

    Example: [bold]backbone evidence import studies.yaml[/bold]
    """
    setup_django(workspace)
    migrate_database()
    from backbone.evidence.services import import_studies_file

    with refusing_bad_file(file):
        summary = import_studies_file(file)
    console.print(f"Imported {file}: {summary}.")


@evidence_app.command("run")
def evidence_run(
    study: Annotated[str, typer.Argument(help="The study's slug.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Build STUDY's sample from the warehouse (consented records, people joined through the
    crosswalk), run its design and store the quasi-experimental estimate with its lineage.

    Example: [bold]backbone evidence run tutoring-grade3-reading[/bold]
    """
    setup_django(workspace)
    migrate_database()
    from backbone.evidence import services
    from backbone.evidence.models import Study
    from backbone.evidence.studies import StudyError

    try:
        with console.status("running the study") as status:
            saved = services.run(study, progress=lambda step: status.update(step))
    except Study.DoesNotExist:
        errors.print(f"No study {study!r}: see `backbone evidence list`.", markup=False)
        raise typer.Exit(code=1) from None
    except (services.LinkageMissing, StudyError) as error:
        errors.print(str(error), markup=False)
        raise typer.Exit(code=1) from None
    if as_json:
        print(json.dumps(saved.summary()))
        return
    _print_summary(saved.summary())


def _print_summary(s: dict[str, Any]) -> None:
    console.print(f"[bold]{s['study']}[/bold]: {s['label']}", highlight=False)
    for c in s["contrasts"]:
        if c["withheld"] or c["effect"] is None:
            console.print(f"  {c['label']}: {c['withheld']}", highlight=False, markup=False)
            continue
        naive = ("" if c["naive_difference"] is None else
                 f"; naive difference (no adjustment for who takes part) "
                 f"{c['naive_difference']:+.3f}")  # fmt: skip
        console.print(
            f"  {c['label']}: {c['effect']:+.3f} (95% CI {c['ci_low']:+.3f} to "
            f"{c['ci_high']:+.3f}){naive}; {c['n_treated']} participants, "
            f"{c['n_comparison'] if c['n_comparison'] is not None else 'no'} comparison units",
            highlight=False, markup=False,
        )  # fmt: skip
    if s["verdict"]:
        console.print(f"  {s['treated_dropped']} participants without a match; baseline "
                      f"equivalence: {s['verdict']}", highlight=False)  # fmt: skip


@evidence_app.command("list")
def evidence_list(workspace: WorkspaceOption = None) -> None:
    """List the studies with their latest estimate.

    Example: [bold]backbone evidence list[/bold]
    """
    setup_django(workspace)
    migrate_database()
    from backbone.evidence.models import Study

    studies = list(Study.objects.all())
    if not studies:
        console.print("No studies yet: import a studies.yaml with `backbone evidence import`.")
    for study in studies:
        latest = study.latest_run()
        if latest is None:
            shown = "not run yet"
        elif latest.withheld or latest.effect is None:
            shown = latest.withheld
        else:
            shown = f"{latest.effect:+.3f} [{latest.ci_low:+.3f}, {latest.ci_high:+.3f}]"
        console.print(f"{study.slug}: {study.title} — {shown}", highlight=False, markup=False)
