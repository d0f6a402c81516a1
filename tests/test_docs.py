"""Documentation keeps up with the code: every command, setting and permission has its section."""

from __future__ import annotations

import re

import pytest
import typer

from backbone.cli import app
from tests.fixtures import PROJECT_ROOT

DOCS = PROJECT_ROOT / "docs"


def command_paths(command, prefix: str = "backbone") -> list[str]:
    if hasattr(command, "commands"):  # a group of commands
        return [
            path
            for name, sub in command.commands.items()
            for path in command_paths(sub, f"{prefix} {name}")
        ]
    return [prefix]


def setting_names() -> set[str]:
    sources = [
        PROJECT_ROOT / "src/backbone/config/settings.py",
        PROJECT_ROOT / "src/backbone/warehouse/workspace.py",
        PROJECT_ROOT / "src/backbone/warehouse/engines/duckdb_engine.py",
    ]
    names = {n for path in sources for n in re.findall(r'"(BACKBONE_[A-Z_]+)"', path.read_text())}
    return names | {"DATABASE_URL"}  # read by dj-database-url


def test_every_cli_command_has_a_section_in_cli_docs():
    text = (DOCS / "cli.md").read_text()
    paths = command_paths(typer.main.get_command(app))
    assert "backbone partnership export" in paths
    missing = [path for path in paths if f"## `{path}" not in text]
    assert missing == []


def test_every_setting_is_documented():
    text = (DOCS / "settings.md").read_text()
    assert "BACKBONE_WORKSPACE" in setting_names()
    assert [name for name in sorted(setting_names()) if f"`{name}`" not in text] == []


@pytest.mark.django_db
def test_every_permission_is_documented():
    from django.apps import apps

    declared = {
        f"{model._meta.app_label}.{codename}"
        for model in apps.get_models()
        if model.__module__.startswith("backbone.")
        for codename, _ in model._meta.permissions
    }
    text = (DOCS / "permissions.md").read_text()
    assert "partnership.view_registry" in declared
    assert [name for name in sorted(declared) if f"`{name}`" not in text] == []


def test_every_vocabulary_code_is_documented():
    from backbone.partnership import vocabulary as vocab

    text = (DOCS / "partnership.md").read_text()
    vocabularies = [
        vocab.SECTORS,
        vocab.PARTNER_TYPES,
        vocab.BODY_KINDS,
        vocab.MEMBERSHIP_ROLES,
        vocab.PARTNERSHIP_ROLES,
    ]
    missing = [
        code
        for vocabulary in vocabularies
        for code in vocab.codes(vocabulary)
        if f"`{code}`" not in text
    ]
    assert missing == []


def test_partnership_docs_example_is_a_valid_registry():
    from backbone.governance.registry_file import parse_registry

    text = (DOCS / "partnership.md").read_text()
    example = re.search(r"```yaml\n(.*?)```", text, re.DOTALL)
    assert example, "docs/partnership.md has no ```yaml example"
    assert parse_registry(example.group(1)).partners


def test_readme_starts_with_the_two_commands():
    head = (PROJECT_ROOT / "README.md").read_text()[:1500]
    assert "make demo" in head and "make test" in head


def test_contracts_page_is_generated_from_the_code():
    from backbone.intake.contract_docs import contracts_page

    assert (DOCS / "contracts.md").read_text() == contracts_page(), (
        "docs/contracts.md is stale: run python -m backbone.intake.contract_docs > docs/contracts.md"
    )


@pytest.mark.parametrize(
    "contract_name",
    sorted(__import__("backbone.intake.contract_docs", fromlist=["EXAMPLES"]).EXAMPLES),
)
def test_example_files_in_the_docs_load_without_a_problem(tmp_path, contract_name):
    import datetime as dt

    from backbone.intake.contract_docs import EXAMPLES
    from backbone.intake.loading import LoadRequest, load
    from backbone.warehouse.contracts import contract
    from backbone.warehouse.records import ImportOptions
    from backbone.warehouse.store import Warehouse

    chosen = contract(contract_name)
    options = ImportOptions(partner="example", target_table=chosen.target_table)
    request = LoadRequest(1, "example", "key", tmp_path / "staging", today=dt.date(2026, 11, 23))
    result = load(
        chosen.importer()(DOCS / "examples" / EXAMPLES[contract_name], options),
        request,
        Warehouse(tmp_path / "w"),
    )
    assert result.problems == [] and result.loaded
