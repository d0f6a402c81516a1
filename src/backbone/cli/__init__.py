"""The ``backbone`` command: one command set for everything the web app does.

Each command parses its options, configures Django for the chosen workspace, calls one service
function and prints the result. ``docs/cli.md`` documents every command with an example.

The commands live one module per app (``workspace``, ``partnership``, ``intake``, ``identity``,
``indicators``, ``governance``, ``scorecard``); this module assembles them, in the order
``backbone --help`` lists them.
"""

from __future__ import annotations

import typer

from backbone.cli import (
    evidence,
    governance,
    identity,
    indicators,
    intake,
    partnership,
    plan,
    programs,
    scorecard,
    workforce,
    workspace,
)

app = typer.Typer(
    help="backbone: the system for a cross-sector partnership's backbone organization.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

app.command()(workspace.init)
app.command()(workspace.serve)
app.command()(workspace.worker)
app.command()(workspace.demo)
app.command()(workspace.status)
app.command()(intake.ingest)
app.command()(identity.encode)
app.command()(indicators.compute)
app.command()(indicators.results)
app.command()(scorecard.publish)
app.command("check-disclosure")(scorecard.check_disclosure)
# manage hands everything after it to Django's own command line.
app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(
    workspace.manage
)

app.add_typer(partnership.partnership_app, name="partnership")
app.add_typer(identity.link_app, name="link")
app.add_typer(indicators.indicators_app, name="indicators")
app.add_typer(plan.plan_app, name="plan")
app.add_typer(programs.programs_app, name="programs")
app.add_typer(evidence.evidence_app, name="evidence")
app.add_typer(workforce.workforce_app, name="workforce")
app.add_typer(governance.audit_app, name="audit")
app.add_typer(governance.agreements_app, name="agreements")
app.add_typer(governance.roles_app, name="roles")

__all__ = ["app"]
